"""Recording a call's outcome and everything it causes, in one transaction: the attempt and
its script path, the task's next step, the queue entry, the case, and any escalation."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import (
    AuditAction,
    CallAttempt,
    CaseStatus,
    Disposition,
    Escalation,
    FollowUpTask,
    IntentClass,
    QueueEntry,
    QueueEntryStatus,
    Satisfaction,
    ScriptAnswer,
    ScriptVersion,
    TaskKind,
    TaskStatus,
)
from followups.scheduling import (
    NOT_REACHED,
    PATIENT_ANSWERED,
    CallFollowUp,
    ContactBudget,
    FollowUpAction,
    next_step_after_call,
    queue_priority,
)
from followups.services import audit, contact, escalations, people
from followups.services.call_lists import priority_number
from followups.services.cases import schedule_intent_call
from followups.services.queue import (
    calling_rules_of_group,
    center_day,
    held_by_someone_else,
    holds_live_claim,
)

IDEMPOTENCY_KEY_LENGTH = CallAttempt._meta.get_field("idempotency_key").max_length


@dataclass(frozen=True)
class OutcomeResult:
    attempt: CallAttempt
    created: bool  # False when the same idempotency key was submitted before
    follow_up: CallFollowUp
    escalation: Escalation | None


def record_outcome(
    *,
    agent,
    entry: QueueEntry,
    idempotency_key: str,
    disposition: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    now: dt.datetime,
    script_version: ScriptVersion | None = None,
    answers: Sequence[Mapping] = (),
    satisfaction: str = "",
    intent_class: str = "",
    notes: str = "",
    callback_at: dt.datetime | None = None,
    escalation: Mapping | None = None,
    do_not_call: bool = False,
) -> OutcomeResult:
    """Store what happened on a call and schedule what follows. A repeated submit (same
    idempotency key) returns the first result and writes nothing; a submit after the
    lease was lost is kept all the same, flagged for the supervisor. With `do_not_call`
    (the customer asked never to be called again) the customer goes on the do-not-call
    list and every call still planned for them is cancelled."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_LENGTH:
        raise ValidationError(
            {
                "idempotency_key": _("An idempotency key of 1 to %(max)s characters is required.")
                % {"max": IDEMPOTENCY_KEY_LENGTH}
            }
        )
    stored = _replay(key=key, agent=agent)
    if stored is not None:
        return stored
    path = _validated(
        disposition=disposition,
        started_at=started_at,
        ended_at=ended_at,
        script_version=script_version,
        answers=answers,
        satisfaction=satisfaction,
        intent_class=intent_class,
        callback_at=callback_at,
        escalation=escalation,
    )
    try:
        with transaction.atomic():
            return _record(
                agent=agent,
                entry=entry,
                key=key,
                disposition=disposition,
                started_at=started_at,
                ended_at=ended_at,
                now=now,
                script_version=script_version,
                path=path,
                satisfaction=satisfaction,
                intent_class=intent_class,
                notes=notes,
                callback_at=callback_at,
                escalation=escalation,
                do_not_call=do_not_call,
            )
    except IntegrityError:
        # The same key submitted twice at once: the other submit won the unique key and
        # this one rolled back whole; answer with what the winner stored.
        stored = _replay(key=key, agent=agent)
        if stored is None:
            raise
        return stored


def _replay(*, key: str, agent) -> OutcomeResult | None:
    # Every submit asks, nearly always in vain: first the key alone (one index lookup, no
    # joins to plan), the attempt with its task, case and customer only when it is there.
    # Not first(): it orders by id, and PostgreSQL may then walk the attempts in id order.
    found = list(CallAttempt.objects.filter(idempotency_key=key).values_list("pk", flat=True))
    if not found:
        return None
    attempt = CallAttempt.objects.select_related("task__case__customer").get(pk=found[0])
    if attempt.agent_id != agent.pk:
        raise ValidationError(
            {"idempotency_key": _("This idempotency key belongs to another agent's call.")}
        )
    return OutcomeResult(
        attempt=attempt,
        created=False,
        follow_up=_follow_up_of(attempt),
        escalation=attempt.escalations.order_by("pk").first(),
    )


def _follow_up_of(attempt: CallAttempt) -> CallFollowUp:
    """The follow-up a stored attempt led to, as recorded with it. Attempts stored before
    the follow-up was kept get it worked out again by the pure rule from what is left of
    their inputs (their place among the task's attempts, their times)."""
    stored = attempt.follow_up
    if stored:
        earliest = stored.get("earliest")
        window = stored.get("window_ends_on")
        return CallFollowUp(
            FollowUpAction(stored["action"]),
            dt.datetime.fromisoformat(earliest) if earliest else None,
            stored.get("reason", ""),
            dt.date.fromisoformat(window) if window else None,
        )
    task, case = attempt.task, attempt.task.case
    before = CallAttempt.objects.filter(task=task, pk__lt=attempt.pk)
    return next_step_after_call(
        disposition=attempt.disposition,
        called_at=attempt.started_at,
        rules=_rules_of(case),
        budget=ContactBudget(
            budget=task.max_attempts,
            spent=before.filter(disposition__in=NOT_REACHED).count(),
            window_ends_on=task.window_ends_on,
        ),
        callback_at=attempt.callback_at,
    )


def _stored(follow_up: CallFollowUp) -> dict:
    return {
        "action": follow_up.action.value,
        "earliest": follow_up.earliest.isoformat() if follow_up.earliest else None,
        "reason": follow_up.reason,
        "window_ends_on": (
            follow_up.window_ends_on.isoformat() if follow_up.window_ends_on else None
        ),
    }


def _rules_of(case):
    return calling_rules_of_group((case.plan_id, case.customer.timezone))


def _validated(
    *,
    disposition,
    started_at,
    ended_at,
    script_version,
    answers,
    satisfaction,
    intent_class,
    callback_at,
    escalation,
) -> list[tuple[str, str, bool]]:
    """Check every field before anything is written; the script path as (node, value,
    objection) tuples. Raises ValidationError with the errors by field."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if disposition not in Disposition.values:
        error("disposition", _("Unknown disposition: %(value)s.") % {"value": disposition})
    moments = {"started_at": started_at, "ended_at": ended_at, "callback_at": callback_at}
    for field, moment in moments.items():
        if moment is None:
            if field != "callback_at":
                error(field, _("This field is required."))
        elif not isinstance(moment, dt.datetime) or timezone.is_naive(moment):
            error(field, _("Give a date and time with its timezone."))
    times_valid = not errors.keys() & moments.keys()
    if times_valid and ended_at < started_at:
        error("ended_at", _("The call cannot end before it starts."))
    if disposition == Disposition.CALLBACK and callback_at is None:
        error("callback_at", _("A callback needs the time the customer asked to be called."))
    if times_valid and callback_at is not None and callback_at < started_at:
        error("callback_at", _("A callback cannot be booked for before the call."))
    if satisfaction not in ("", *Satisfaction.values):
        error("satisfaction", _("Unknown satisfaction: %(value)s.") % {"value": satisfaction})
    if intent_class not in ("", *IntentClass.values):
        error("intent_class", _("Unknown intent class: %(value)s.") % {"value": intent_class})
    path = _path(answers, script_version, error)
    if escalation is not None:
        for message in escalations.escalation_errors(
            category=escalation.get("category", ""),
            severity=escalation.get("severity") or "normal",
            description=escalation.get("description", ""),
        ):
            error("escalation", message)
    if errors:
        raise ValidationError(errors)
    return path


def _path(answers, script_version, error) -> list[tuple[str, str, bool]]:
    path = []
    for answer in answers:
        node_id = str(answer.get("node_id") or "").strip()
        if not node_id:
            error("answers", _("Every answer needs the node it answers."))
            continue
        path.append((node_id, str(answer.get("value") or ""), bool(answer.get("is_objection"))))
    if script_version is not None:
        known = _node_ids(script_version.graph)
        unknown = sorted({node_id for node_id, _value, _objection in path} - known)
        if unknown:
            error(
                "answers",
                _("These nodes are not in script version %(version)s: %(nodes)s.")
                % {"version": script_version, "nodes": ", ".join(unknown)},
            )
    return path


def _node_ids(graph) -> set[str]:
    """The ids of a graph's nodes and objection handlers (schema 1, as script_graph reads
    it: lists of objects under "nodes" and "objections")."""
    if not isinstance(graph, Mapping):
        return set()
    ids = set()
    for part in ("nodes", "objections"):
        items = graph.get(part)
        if isinstance(items, list):
            ids |= {item.get("id") for item in items if isinstance(item, Mapping)}
    return ids


def _record(
    *,
    agent,
    entry,
    key,
    disposition,
    started_at,
    ended_at,
    now,
    script_version,
    path,
    satisfaction,
    intent_class,
    notes,
    callback_at,
    escalation,
    do_not_call,
) -> OutcomeResult:
    # Entry, task and case are locked together, so two outcomes for one task (a late
    # submit and its successor's) apply one after the other.
    locked = (
        QueueEntry.objects.select_for_update(of=("self", "task", "task__case"))
        .select_related("call_list", "task__case__customer")
        .get(pk=entry.pk)
    )
    task, case = locked.task, locked.task.case
    settled_before = task.status != TaskStatus.PENDING
    rules = _rules_of(case)
    try:
        follow_up = contact.next_step_for(
            task=task,
            disposition=disposition,
            called_at=started_at,
            rules=rules,
            callback_at=callback_at,
            now=now,
        )
    except (ValueError, OverflowError):
        field = "callback_at" if disposition == Disposition.CALLBACK else "disposition"
        raise ValidationError(
            {field: _("The calling policy leaves no time to call this customer again.")}
        ) from None

    attempt = CallAttempt.objects.create(
        task=task,
        queue_entry=locked,
        agent=agent,
        started_at=started_at,
        ended_at=ended_at,
        dialled_number=case.customer.phone,
        disposition=disposition,
        script_version=script_version,
        satisfaction=satisfaction,
        intent_class=intent_class,
        notes=notes,
        callback_at=callback_at,
        idempotency_key=key,
        follow_up=_stored(follow_up),
        after_lease_lost=not holds_live_claim(locked, agent, now),
    )
    ScriptAnswer.objects.bulk_create(
        ScriptAnswer(
            attempt=attempt, position=position, node_id=node, value=value, is_objection=objection
        )
        for position, (node, value, objection) in enumerate(path, start=1)
    )

    task.attempts += 1
    task.outcome_counts = {
        **task.outcome_counts,
        disposition: task.outcome_counts.get(disposition, 0) + 1,
    }
    if task.agent_id is None:
        task.agent = agent
    # A task settled by an earlier submit (a late one, or a second call) keeps its state:
    # the attempt is history, not a new instruction.
    if not settled_before:
        _apply_follow_up(task, follow_up)
    task.save()

    _update_case(
        case,
        task=task,
        agent=agent,
        follow_up=follow_up,
        intent_class=intent_class,
        called_on=center_day(started_at),
        now=now,
        settled_before=settled_before,
    )
    _settle_entry(locked, task=task, agent=agent, now=now, settled_before=settled_before)
    if disposition in PATIENT_ANSWERED and not do_not_call:
        people.first_calls_at_best_time(case.customer, rules=rules, now=now)
    # After the best time: a callback the person booked outranks it.
    if not settled_before:
        _what_holds_for_the_person(task, attempt=attempt, follow_up=follow_up, agent=agent, now=now)
    if do_not_call:
        _stop_calling(case.customer, attempt=attempt, agent=agent, now=now)
    raised = None
    if escalation is not None:
        raised = escalations.raise_escalation(
            case=case,
            attempt=attempt,
            category=escalation["category"],
            severity=escalation.get("severity") or "normal",
            description=escalation["description"],
            now=now,
        )
    return OutcomeResult(attempt=attempt, created=True, follow_up=follow_up, escalation=raised)


def _what_holds_for_the_person(task, *, attempt, follow_up: CallFollowUp, agent, now) -> None:
    """A wrong number, a death or a booked callback is about the person, not this task
    alone (services/people.py)."""
    customer = task.case.customer
    if attempt.disposition == Disposition.WRONG_NUMBER:
        people.hold_for_wrong_number(customer=customer, attempt=attempt, agent=agent, now=now)
    elif attempt.disposition == Disposition.DECEASED:
        people.stop_for_death(customer=customer, attempt=attempt, agent=agent, now=now)
    elif follow_up.action is FollowUpAction.CALLBACK:
        people.move_with_callback(
            task=task, callback_at=follow_up.earliest, agent=agent, attempt=attempt
        )


def _stop_calling(customer, *, attempt: CallAttempt, agent, now: dt.datetime) -> None:
    """The customer asked on this call never to be called again: on the do-not-call list
    (audited), every pending task of theirs cancelled with its waiting entries."""
    if not customer.do_not_call:
        customer.do_not_call = True
        customer.do_not_call_reason = _("Asked on the call of %(date)s") % {
            "date": timezone.localtime(attempt.started_at).strftime("%Y-%m-%d")
        }
        customer.save(update_fields=["do_not_call", "do_not_call_reason", "updated_at"])
        audit.record(
            actor=agent,
            action=AuditAction.DO_NOT_CALL,
            target=customer,
            attempt=attempt.pk,
        )
    pending = FollowUpTask.objects.filter(case__customer=customer, status=TaskStatus.PENDING)
    QueueEntry.objects.filter(task__in=pending, status=QueueEntryStatus.WAITING).update(
        status=QueueEntryStatus.CANCELLED, closed_at=now
    )
    pending.update(status=TaskStatus.CANCELLED, status_reason="do not call", updated_at=now)


def _apply_follow_up(task: FollowUpTask, follow_up: CallFollowUp) -> None:
    # The due date stays the step's day; only the next call's moment moves.
    action, earliest = follow_up.action, follow_up.earliest
    if action is FollowUpAction.RETRY:
        task.kind, task.status = TaskKind.RETRY, TaskStatus.PENDING
        task.earliest_at, task.callback_at = earliest, None
        task.status_reason = follow_up.reason
        return
    if action is FollowUpAction.CALLBACK:
        task.kind, task.status = TaskKind.CALLBACK, TaskStatus.PENDING
        task.earliest_at = task.callback_at = earliest
        if follow_up.window_ends_on is not None:
            task.window_ends_on = follow_up.window_ends_on
        task.status_reason = follow_up.reason
        return
    task.earliest_at = None
    task.status_reason = "" if action is FollowUpAction.DONE else follow_up.reason
    if action is FollowUpAction.DONE:
        task.status = TaskStatus.DONE
    elif action is FollowUpAction.SUSPEND:
        task.status, task.needs_number_fix = TaskStatus.SUSPENDED, True
    elif action is FollowUpAction.UNREACHABLE:
        task.status = TaskStatus.UNREACHABLE
    elif action is FollowUpAction.WINDOW_MISSED:
        task.status = TaskStatus.WINDOW_MISSED
    elif action is FollowUpAction.CLOSE_CASE:
        task.status = TaskStatus.CANCELLED


def _settle_entry(
    entry: QueueEntry, *, task: FollowUpTask, agent, now, settled_before: bool
) -> None:
    """Close the call on the list; leave it to another agent who holds it now. A retry or
    callback later the same day puts it back on today's list (one entry per task and day),
    behind its earliest moment; callbacks rise to the top."""
    if held_by_someone_else(entry, agent, now) or entry.status in (
        QueueEntryStatus.DONE,
        QueueEntryStatus.CANCELLED,
    ):
        return
    again_today = (
        not settled_before
        and task.status == TaskStatus.PENDING
        and task.earliest_at is not None
        and center_day(task.earliest_at) == entry.call_list.day == center_day(now)
    )
    if again_today:
        case = task.case
        entry.priority = priority_number(
            queue_priority(
                is_callback=task.kind == TaskKind.CALLBACK,
                deadline=task.deadline,
                due=task.due_date,
                today=entry.call_list.day,
                intent=case.intent_class or None,
            )
        )
        entry.status = QueueEntryStatus.WAITING
        entry.claimed_by, entry.claimed_at, entry.lease_expires_at = None, None, None
        entry.closed_at = None
    else:
        entry.status, entry.closed_at = QueueEntryStatus.DONE, now
    entry.save(
        update_fields=[
            "priority",
            "status",
            "claimed_by",
            "claimed_at",
            "lease_expires_at",
            "closed_at",
        ]
    )


def _update_case(
    case, *, task, agent, follow_up, intent_class, called_on, now, settled_before
) -> None:
    fields = []
    if case.agent_id is None:
        # The agent who first called keeps the case for its later calls.
        case.agent = agent
        fields.append("agent")
    intent_changed = bool(intent_class) and intent_class != case.intent_class
    if intent_changed:
        case.intent_class = intent_class
        fields.append("intent_class")
    closing = (
        not settled_before
        and follow_up.action is FollowUpAction.CLOSE_CASE
        and case.status == CaseStatus.OPEN
    )
    if closing:
        case.status, case.closed_reason, case.closed_at = CaseStatus.CLOSED, follow_up.reason, now
        fields += ["status", "closed_reason", "closed_at"]
    if fields:
        case.save(update_fields=fields)
    if closing:
        others = FollowUpTask.objects.filter(case=case, status=TaskStatus.PENDING).exclude(
            pk=task.pk
        )
        QueueEntry.objects.filter(task__in=others, status=QueueEntryStatus.WAITING).update(
            status=QueueEntryStatus.CANCELLED, closed_at=now
        )
        others.update(
            status=TaskStatus.CANCELLED,
            status_reason=f"case closed: {follow_up.reason}",
            updated_at=now,
        )
        return
    finished = not settled_before and follow_up.action is FollowUpAction.DONE
    if case.status == CaseStatus.OPEN and (intent_changed or (finished and case.intent_class)):
        schedule_intent_call(case=case, last_call=called_on)
