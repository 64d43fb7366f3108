"""Stores the follow-up rate's counts of each past due day (models/report_days.DueDay), so
that a year of 回访率 reads a row a day instead of half a million tasks.

The morning build counts every past day without a row. A change to a day's tasks deletes
its row (migration 0026's triggers): during the day, the days whose tasks the agents call
(those of the follow-up week, mostly) are counted from their tasks by the reports, and
counted again the next morning. Only PostgreSQL keeps the triggers: elsewhere nothing is
stored and the reports count the tasks.

The triggers take a shared advisory lock on each day they drop (``LOCKS``, the day's
number since 2000-01-01); a day is counted under the exclusive one, taken without waiting.
A change that commits while its day is being counted therefore either waits for the
count's commit and then deletes the new row, or commits first and is counted: no stale row
is left either way. Days whose lock is held are left for the next build."""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from followups.models import DueDay
from followups.reports.due_days import counted_days, due_tasks
from followups.reports.scope import ReportScope

KEPT = dt.timedelta(days=400)  # a year's report, from any day of the last month
LOCKS = 18  # the advisory locks' first key; migration 0026 uses the same
DAYS_A_TRANSACTION = 31  # a month's tasks, counted in a fraction of a second


def count_past_days(*, today: dt.date) -> int:
    """Count and store every day of the last ``KEPT`` before ``today`` without a row; the
    number stored. Safe to run at any time, and beside the agents' work."""
    if connection.vendor != "postgresql":
        return 0
    first, last = today - KEPT, today  # [first, last)
    have = set(DueDay.objects.filter(day__gte=first, day__lt=last).values_list("day", flat=True))
    missing = [
        first + dt.timedelta(days=n)
        for n in range((last - first).days)
        if first + dt.timedelta(days=n) not in have
    ]
    stored = 0
    for at in range(0, len(missing), DAYS_A_TRANSACTION):
        chunk = missing[at : at + DAYS_A_TRANSACTION]
        with transaction.atomic():
            days = _locked(chunk)
            scope = ReportScope(start=chunk[0], end=chunk[-1])
            now = timezone.now()
            rows = [
                counts.stored(day, now=now)
                for day, counts in counted_days(due_tasks(scope), days).items()
            ]
            DueDay.objects.bulk_create(rows, ignore_conflicts=True)
            stored += len(rows)
    return stored


def _locked(days: list[dt.date]) -> list[dt.date]:
    """Those of ``days`` whose exclusive lock this transaction could take at once."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT day FROM unnest(%s::date[]) AS day"
            " WHERE pg_try_advisory_xact_lock(%s, day - date '2000-01-01')",
            [days, LOCKS],
        )
        return [day for (day,) in cursor.fetchall()]
