"""Which follow-ups are due for a call to a person, read side: what a list build, a claim
and the pages listing entries ask. The call itself (locking what it settles, whether the
person comes back the same day) is services/person_calls.py, which reads these."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from followups.models import CallAttempt, CaseStatus, FollowUpTask, QueueEntry, TaskStatus


def next_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone()
    )


def due_by(day: dt.date, prefix: str = "") -> Q:
    """Open follow-ups whose next call falls on `day` or before: a planned moment (a retry,
    a callback) before the next midnight, or, with none, a due date on or before it."""
    return Q(**{f"{prefix}earliest_at__lt": next_midnight(day)}) | Q(
        **{f"{prefix}earliest_at__isnull": True, f"{prefix}due_date__lte": day}
    )


def callable_by(day: dt.date):
    """The open follow-ups of open cases a call on `day` may settle: their next call due by
    the day, their follow-up window not passed (what a person's call covers besides its
    lead)."""
    return (
        FollowUpTask.objects.filter(status=TaskStatus.PENDING, case__status=CaseStatus.OPEN)
        .filter(due_by(day))
        .exclude(window_ends_on__lt=day)
    )


def carried_counts(entries) -> dict[int, int]:
    """For pages listing entries: how many follow-ups each entry's call covers now (its
    lead, and the person's other open follow-ups due by the list's day). One query."""
    entries = list(entries)
    if not entries:
        return {}
    counts: dict[int, int] = {}
    by_day: dict[dt.date, list[QueueEntry]] = {}
    for entry in entries:
        by_day.setdefault(entry.call_list.day, []).append(entry)
    for day, listed in by_day.items():
        customer_of = {entry.customer_id: entry for entry in listed}
        rows = callable_by(day).filter(case__customer_id__in=customer_of)
        rows = rows.values_list("case__customer_id", "pk")
        for customer_id, task_id in rows:
            entry = customer_of[customer_id]
            if task_id != entry.task_id:
                counts[entry.pk] = counts.get(entry.pk, 0) + 1
    return {entry.pk: 1 + counts.get(entry.pk, 0) for entry in entries}


def recorded_by(entry: QueueEntry, agent) -> bool:
    """Whether the agent has recorded an outcome of a call on this entry (a reload of the
    call page after the submit, say)."""
    return CallAttempt.objects.filter(
        queue_entry=entry, agent=agent, same_call_as__isnull=True
    ).exists()
