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
is left either way. Days whose lock is held are left for the next build, and so are the
days of tasks whose case, patient or person another transaction is changing (``_steady``:
that change drops only the days of the tasks it could see)."""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from followups.models import DueDay
from followups.reports.due_days import counted_days, due_tasks
from followups.reports.scope import ReportScope

KEPT = dt.timedelta(days=400)  # a year's report, from any day of the last month
LOCKS = 18  # the advisory locks' first key; migration 0026 uses the same
# A week's tasks (some 10,000 at 1M calls): the changes to them wait for the count's
# commit, a fraction of a second.
DAYS_A_TRANSACTION = 7


def count_past_days(*, today: dt.date) -> int:
    """Count and store every day of the last ``KEPT`` before ``today`` without a row; the
    number stored. Safe to run at any time, and beside the agents' work."""
    if connection.vendor != "postgresql":
        return 0
    kept = ReportScope(start=today - KEPT, end=today - dt.timedelta(days=1))
    have = set(kept.day_figures(DueDay).values_list("day", flat=True))
    missing = [day for day in kept.days if day not in have]
    stored = 0
    for at in range(0, len(missing), DAYS_A_TRANSACTION):
        chunk = missing[at : at + DAYS_A_TRANSACTION]
        with transaction.atomic():
            days = _steady(_locked(chunk))
            scope = ReportScope(start=chunk[0], end=chunk[-1])
            now = timezone.now()
            rows = [
                counts.stored(day, now=now)
                for day, counts in counted_days(due_tasks(scope), days).items()
            ]
            # A day stored meanwhile by another count (same figures: it held the lock).
            stored_now = set(DueDay.objects.filter(day__in=days).values_list("day", flat=True))
            rows = [row for row in rows if row.day not in stored_now]
            DueDay.objects.bulk_create(rows)
            stored += len(rows)
    return stored


# The cases, patients and people of the days' tasks locked FOR SHARE, skipping those
# another transaction is changing; the days with any such one left out.
STEADY = """
WITH day_tasks AS (
    SELECT t.due_date, c.id AS case_id, c.patient_id, c.customer_id
    FROM followups_followuptask t JOIN followups_case c ON c.id = t.case_id
    WHERE t.due_date = ANY(%s::date[])
),
cases AS (
    SELECT id FROM followups_case WHERE id IN (SELECT case_id FROM day_tasks)
    FOR SHARE SKIP LOCKED
),
patients AS (
    SELECT id FROM followups_patient WHERE id IN (SELECT patient_id FROM day_tasks)
    FOR SHARE SKIP LOCKED
),
customers AS (
    SELECT id FROM followups_customer WHERE id IN (SELECT customer_id FROM day_tasks)
    FOR SHARE SKIP LOCKED
)
SELECT DISTINCT due_date FROM day_tasks d
WHERE NOT EXISTS (SELECT 1 FROM cases WHERE cases.id = d.case_id)
    OR (d.patient_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM patients WHERE patients.id = d.patient_id))
    OR NOT EXISTS (SELECT 1 FROM customers WHERE customers.id = d.customer_id)
"""


def _steady(days: list[dt.date]) -> list[dt.date]:
    """Those of ``days`` whose tasks' cases, patients and people no other transaction is
    changing, locked until the count commits. A change to a case (its kind, say) drops the
    days of the tasks it can see; a task added to that case meanwhile, by a transaction
    that commits first, is not among them, and counted now it would be counted under the
    old kind: its day is left for the next count instead."""
    if not days:
        return days
    with connection.cursor() as cursor:
        cursor.execute(STEADY, [days])
        changing = {day for (day,) in cursor.fetchall()}
    return [day for day in days if day not in changing]


def _locked(days: list[dt.date]) -> list[dt.date]:
    """Those of ``days`` whose exclusive lock this transaction could take at once."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT day FROM unnest(%s::date[]) AS day"
            " WHERE pg_try_advisory_xact_lock(%s, day - date '2000-01-01')",
            [days, LOCKS],
        )
        return [day for (day,) in cursor.fetchall()]
