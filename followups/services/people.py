"""What is learnt about a person on one call holds for all their follow-ups: a wrong
number holds every call to it until someone fixes it, a booked callback takes the person's
other due calls with it, a death stops every call. Each is audited (ids and counts)."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from followups.clock import center_day
from followups.models import (
    AuditAction,
    CallAttempt,
    Case,
    CaseStatus,
    Customer,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.scheduling import (
    first_call_moment,
    follow_up_window_end,
    half_day_of,
    next_callable_moment,
)
from followups.services import audit
from followups.services.contact import best_time_for
from followups.services.policies import rules_for_case


def _pending_of(customer: Customer, *, besides: FollowUpTask | None = None):
    pending = FollowUpTask.objects.filter(case__customer=customer, status=TaskStatus.PENDING)
    return pending.exclude(pk=besides.pk) if besides is not None else pending


def _close_waiting_entries(tasks, now: dt.datetime) -> None:
    QueueEntry.objects.filter(task__in=tasks, status=QueueEntryStatus.WAITING).update(
        status=QueueEntryStatus.CANCELLED, closed_at=now
    )


def hold_for_wrong_number(
    *, customer: Customer, attempt: CallAttempt, agent, now: dt.datetime, on_the_call: int = 1
) -> int:
    """The number dialled is wrong: every other open call of the person (it is their
    number) is held, flagged "number needs fixing", until the number is fixed. The audit
    event counts those and the `on_the_call` follow-ups the call itself held."""
    others = _pending_of(customer, besides=attempt.task)
    held = list(others.values_list("pk", flat=True))
    _close_waiting_entries(held, now)
    FollowUpTask.objects.filter(pk__in=held).update(
        status=TaskStatus.SUSPENDED,
        needs_number_fix=True,
        status_reason="wrong_number",
        updated_at=now,
    )
    audit.record(
        actor=agent,
        action=AuditAction.WRONG_NUMBER,
        target=customer,
        attempt=attempt.pk,
        held=len(held) + on_the_call,
    )
    return len(held)


@transaction.atomic
def resume_after_number_fix(*, customer: Customer, by, now: dt.datetime) -> int:
    """A new number is on file: the calls held for a wrong or missing number go back on
    the lists at the next calling window, with a full follow-up window from today.
    Returns how many resumed; nothing happens while the number is empty."""
    if not customer.phone:
        return 0
    held = FollowUpTask.objects.filter(
        case__customer=customer,
        case__status=CaseStatus.OPEN,
        needs_number_fix=True,
        status__in=[TaskStatus.SUSPENDED, TaskStatus.PENDING],
    ).select_related("case__customer", "case__plan__calling_policy", "step")
    resumed = []
    for task in held:
        rules = rules_for_case(task.case)
        today = now.astimezone(rules.zone).date()
        window = follow_up_window_end(today, task.step.window_days if task.step_id else None)
        task.status, task.needs_number_fix = TaskStatus.PENDING, False
        task.status_reason = "number fixed"
        task.earliest_at = next_callable_moment(now, rules)
        task.window_ends_on = max(task.window_ends_on or window, window)
        resumed.append(task)
    FollowUpTask.objects.bulk_update(
        resumed,
        ["status", "needs_number_fix", "status_reason", "earliest_at", "window_ends_on"],
    )
    if resumed:
        audit.record(
            actor=by, action=AuditAction.NUMBER_FIXED, target=customer, resumed=len(resumed)
        )
    return len(resumed)


def move_with_callback(
    *, task: FollowUpTask, callback_at: dt.datetime, agent, attempt: CallAttempt
) -> int:
    """The person booked a callback: their other open calls due before it are made on that
    same call instead of one by one before it."""
    day = callback_at.date()
    others = _pending_of(task.case.customer, besides=task).filter(
        Q(earliest_at__lt=callback_at) | Q(earliest_at__isnull=True, due_date__lte=day)
    )
    moved = list(others)
    for other in moved:
        other.earliest_at = callback_at
        if task.window_ends_on is not None and other.window_ends_on is not None:
            other.window_ends_on = max(other.window_ends_on, task.window_ends_on)
    FollowUpTask.objects.bulk_update(moved, ["earliest_at", "window_ends_on"])
    if moved:
        audit.record(
            actor=agent,
            action=AuditAction.CALLBACK_MOVES,
            target=task.case.customer,
            attempt=attempt.pk,
            moved=len(moved),
        )
    return len(moved)


def stop_for_death(*, customer: Customer, attempt: CallAttempt, agent, now: dt.datetime) -> int:
    """The person has died: every open case of theirs is closed and every call still
    planned is cancelled, so that nobody calls the family again; the date is recorded on
    the patient. Returns how many calls were cancelled."""
    return _stop_every_call(
        customer, died_on=center_day(attempt.started_at), by=agent, now=now, attempt=attempt
    )


@transaction.atomic
def record_death(*, customer: Customer, died_on: dt.date, by, now: dt.datetime) -> int:
    """The centre learnt of the death otherwise than on a call (the hospital, the family):
    the same as stop_for_death, every call stopped. Returns how many were cancelled.
    A customer who is no patient has no date of death on file: the do-not-call list keeps
    their later cases from being called."""
    if not hasattr(customer, "patient") and not customer.do_not_call:
        customer.do_not_call = True
        customer.do_not_call_reason = gettext("Deceased (%(date)s)") % {"date": died_on}
        customer.save(update_fields=["do_not_call", "do_not_call_reason", "updated_at"])
    return _stop_every_call(customer, died_on=died_on, by=by, now=now)


def _stop_every_call(
    customer: Customer,
    *,
    died_on: dt.date,
    by,
    now: dt.datetime,
    attempt: CallAttempt | None = None,
) -> int:
    """Every open case closed, every planned call cancelled (the one of `attempt`, being
    made, aside), audited with the call it was learnt on if any."""
    patient = getattr(customer, "patient", None)
    if patient is not None and patient.died_on is None:
        patient.died_on = died_on
        patient.save(update_fields=["died_on"])
    pending = _pending_of(customer, besides=attempt.task if attempt is not None else None)
    cancelled = list(pending.values_list("pk", flat=True))
    _close_waiting_entries(cancelled, now)
    FollowUpTask.objects.filter(pk__in=cancelled).update(
        status=TaskStatus.CANCELLED, status_reason="deceased", updated_at=now
    )
    Case.objects.filter(customer=customer, status=CaseStatus.OPEN).update(
        status=CaseStatus.CLOSED, closed_reason="deceased", closed_at=now
    )
    on_the_call = {"attempt": attempt.pk} if attempt is not None else {}
    audit.record(
        actor=by,
        action=AuditAction.DECEASED,
        target=customer,
        **on_the_call,
        cancelled=len(cancelled),
    )
    return len(cancelled)


def first_calls_at_best_time(customer, *, rules, now: dt.datetime) -> None:
    """The person answered: their calls not yet tried (other steps, other cases) go to the
    half of the day they are now known to answer in, on the same day. Those calls are
    read first (their ids and moments alone: it is the outcome's last read, and most people
    have none), and their call history is then not read at all."""
    untried = list(
        FollowUpTask.objects.filter(
            case__customer=customer,
            status=TaskStatus.PENDING,
            attempts=0,
            kind=TaskKind.SCHEDULED,
            earliest_at__gt=now,
        ).values_list("pk", "earliest_at")
    )
    if not untried:
        return
    best = best_time_for(customer, rules)
    if not best.from_the_person:
        return
    moved = []
    for pk, earliest_at in untried:
        if half_day_of(earliest_at, rules) is best.half:
            continue
        moment = first_call_moment(earliest_at.astimezone(rules.zone).date(), rules, best.half)
        if moment != earliest_at and half_day_of(moment, rules) is best.half:
            moved.append(FollowUpTask(pk=pk, earliest_at=moment))
    FollowUpTask.objects.bulk_update(moved, ["earliest_at"])
