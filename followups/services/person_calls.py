"""One person, one call: which follow-ups a call to a person settles, and whether their
entry comes back later the same day.

A day's list holds one entry per person. Its lead follow-up decides when the person may be
called; every other open follow-up of theirs due by that day rides along and is read when
the call is made (so a case opened during the day joins the call). A person is called at
most once in a calling window and at most HUIFANG_CALLS_PER_PERSON_PER_DAY times a day;
a callback they booked themselves is kept whatever the count.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from followups.models import (
    CaseStatus,
    FollowUpTask,
    QueueEntry,
    TaskKind,
    TaskStatus,
)
from followups.scheduling import CallingRules, same_window

# The read side (due_by, carried_counts) lives in followups/selectors/person_calls.py; the
# names stay importable from here for the services that use them.
from followups.selectors.person_calls import carried_counts, due_by, next_midnight

__all__ = [
    "DETAILS",
    "OUTCOME_DETAILS",
    "callable_under_limit",
    "calls_a_day",
    "carried_counts",
    "carried_tasks",
    "due_by",
    "next_lead",
    "next_midnight",
]


def calls_a_day() -> int:
    return max(1, settings.HUIFANG_CALLS_PER_PERSON_PER_DAY)


# What a call screen shows of each follow-up; recording an outcome needs only the case and
# its customer (the rest is read when a retry needs it), and loading less is what keeps the
# outcome's locking read cheap.
DETAILS = ("case__customer", "case__patient__department", "case__patient__hospital", "step")
OUTCOME_DETAILS = ("case__customer", "case__patient__department", "case__patient__hospital")


def carried_tasks(
    entry: QueueEntry, *, lock: bool = False, details: tuple[str, ...] = DETAILS
) -> list[FollowUpTask]:
    """The follow-ups one call on `entry` settles: its lead first, then the person's other
    open follow-ups due by the list's day (booked callbacks, then by due date).

    Most people have one follow-up due: the others are looked up by id first (one light
    query, walked from the person), and only those found are loaded with their case; the
    lead is taken as the entry holds it when loaded with its case. With `lock`, the rows
    loaded here (and their cases) are locked for the outcome's transaction; a lead the
    entry holds must then have been locked with it. `details`: the relations loaded with
    each follow-up (the case and its customer at least)."""
    day = entry.call_list.day
    # In one filter, the lead left out here: every step of a query's making costs CPU on
    # each outcome (bench/bench_queue.py).
    found_ids = FollowUpTask.objects.filter(
        due_by(day),
        Q(window_ends_on__isnull=True) | Q(window_ends_on__gte=day),
        case__customer_id=entry.customer_id,
        status=TaskStatus.PENDING,
        case__status=CaseStatus.OPEN,
    ).values_list("pk", flat=True)
    others = [pk for pk in found_ids if pk != entry.task_id]
    held = QueueEntry.task.is_cached(entry) and FollowUpTask.case.is_cached(entry.task)
    wanted = others if held else [entry.task_id, *others]
    found = [entry.task] if held else []
    if wanted:
        tasks = FollowUpTask.objects.filter(pk__in=wanted).select_related(*details)
        if lock:
            tasks = tasks.select_for_update(of=("self", "case"))
        found += list(tasks.order_by("pk"))
    # One instance per case and for the person, so that what one follow-up's outcome
    # changes (a case closed, the do-not-call flag) is what the next one reads.
    cases, customer = {}, None
    for task in found:
        case = cases.setdefault(task.case_id, task.case)
        if task.case is not case:
            task.case = case
        customer = customer or case.customer
        if case.customer is not customer:
            case.customer = customer
    if customer is not None and QueueEntry.customer.is_cached(entry):
        entry.customer = customer
    found.sort(
        key=lambda task: (
            task.pk != entry.task_id,
            task.kind != TaskKind.CALLBACK,
            task.due_date,
            task.pk,
        )
    )
    return found


def next_lead(
    tasks: list[FollowUpTask],
    *,
    called_at: dt.datetime,
    day: dt.date,
    calls_made: int,
    rules: CallingRules,
) -> FollowUpTask | None:
    """After a call, the follow-up that brings the person back on the same day's list, if
    any: one this call planned for later that day (a retry, a callback), in another
    calling window than the call's, within the day's limit of calls. A callback the person
    booked comes back whatever the count and window. None: the person is done for the day."""
    later = [
        task
        for task in tasks
        if task.status == TaskStatus.PENDING
        and task.earliest_at is not None
        and task.earliest_at > called_at
        and timezone.localtime(task.earliest_at, timezone.get_default_timezone()).date() == day
    ]
    booked = [task for task in later if task.kind == TaskKind.CALLBACK]
    if booked:
        return min(booked, key=lambda task: (task.earliest_at, task.pk))
    if calls_made >= calls_a_day():
        return None
    allowed = [task for task in later if not same_window(called_at, task.earliest_at, rules)]
    return min(allowed, key=lambda task: (task.earliest_at, task.pk), default=None)


def callable_under_limit(limit: int) -> Q:
    """Entries the claim may hand out under the daily limit: fewer calls made than the
    limit, or a callback the person booked."""
    booked = Q(task__kind=TaskKind.CALLBACK, task__callback_at__isnull=False)
    return Q(calls_made__lt=limit) | booked
