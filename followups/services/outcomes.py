"""Recording a call's outcome and everything it causes, in one transaction: the attempt and
its script path, the task's next step, the queue entry, the case, and any escalation."""

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.clock import center_day
from followups.models import (
    AuditAction,
    CallAttempt,
    Disposition,
    FollowUpTask,
    QueueEntry,
    ScriptAnswer,
    TaskKind,
    TaskStatus,
)
from followups.models.calls import REACHED_DISPOSITIONS
from followups.scheduling import (
    PATIENT_ANSWERED,
    CallFollowUp,
    FollowUpAction,
    check_call,
    rules_in_force,
)
from followups.services import (
    audit,
    cases,
    contact,
    escalations,
    leases,
    outcome_effects,
    people,
    person_calls,
    report_days,
)
from followups.services.leases import holds_live_claim
from followups.services.locked_entry import locked_entry
from followups.services.outcome_input import (
    IDEMPOTENCY_KEY_LENGTH,
    CallSaid,
    OutcomeConflict,
    TaskPart,
    submit_digest,
    validated,
    validated_parts,
)
from followups.services.outcome_replay import (
    OutcomeResult,
    claim_used,
    replay,
    rules_of,
    stored_follow_up,
)
from scripts.models import ScriptVersion
from scripts.runner import path_confirms_identity, shown_texts
from scripts.services.variables import script_values


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
    parts: Mapping[int, TaskPart] | None = None,
    claim_token: str = "",
    submitted: Mapping | None = None,
) -> OutcomeResult:
    """Store what happened on a call to a person and schedule what follows, for every
    follow-up of theirs the call covers (person_calls.carried_tasks): one attempt each,
    all in one transaction. `script_version` and `answers` are the path through the lead
    follow-up's script; `parts` (by task id) give the others' paths, and, when the person
    was spoken to, a follow-up's own disposition or that it was not discussed (it stays
    open).

    Only the agent the call was handed to may record it: `claim_token` is the proof the
    claim service signed for them (leases.claim_token), else leases.NotHanded (a
    PermissionDenied) and nothing is written; one outcome a claim (OutcomeConflict for a
    second). A repeated submit (same idempotency key, same agent, same `submitted` — what
    the client sent, by default these arguments) returns the first result and writes
    nothing, whatever its token and whatever became of the call since (it fails on the
    unique key, never looked up first); the key with other content is an OutcomeConflict.
    A submit after the lease was lost (run out, or the call since taken by a colleague) is
    kept all the same, flagged for the supervisor. With `do_not_call` (the customer asked
    never to be called again) the customer goes on the do-not-call list and every call
    still planned for them is cancelled."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_LENGTH:
        raise ValidationError(
            {
                "idempotency_key": _("An idempotency key of 1 to %(max)s characters is required.")
                % {"max": IDEMPOTENCY_KEY_LENGTH}
            }
        )
    if submitted is None:
        submitted = {
            "entry": entry,
            "disposition": disposition,
            "started_at": started_at,
            "ended_at": ended_at,
            "script_version": script_version,
            "answers": answers,
            "satisfaction": satisfaction,
            "intent_class": intent_class,
            "notes": notes,
            "callback_at": callback_at,
            "escalation": escalation,
            "do_not_call": do_not_call,
            "parts": parts or {},
        }
    digest = submit_digest(submitted)
    proof = None
    try:
        # One outcome a claim (a unique constraint of the attempts, checked on conflict).
        proof = leases.handed(entry, agent, claim_token)
        said = validated(
            disposition=disposition,
            started_at=started_at,
            ended_at=ended_at,
            script_version=script_version,
            answers=answers,
            satisfaction=satisfaction,
            intent_class=intent_class,
            notes=notes,
            callback_at=callback_at,
            escalation=escalation,
            now=now,
            claimed_at=proof.claimed_at,
        )
        part_paths = validated_parts(parts or {}, disposition=disposition)
        with transaction.atomic():
            return _record(
                said,
                agent=agent,
                entry=entry,
                key=key,
                digest=digest,
                claimed_at=proof.claimed_at,
                now=now,
                escalation=escalation,
                do_not_call=do_not_call,
                parts=parts or {},
                part_paths=part_paths,
            )
    except IntegrityError:
        # A repeat, or the same key submitted twice at once: the first submit holds the
        # unique key and this one rolled back whole; answer with what the first stored. Two
        # keys under one claim at once: the other won the claim's one outcome.
        stored = replay(key=key, agent=agent, digest=digest)
        if stored is not None:
            return stored
        if proof is not None and claim_used(entry, agent, proof.claimed_at):
            raise OutcomeConflict(
                _("This call's outcome is already recorded: claim it again to record another.")
            ) from None
        raise
    except Exception:
        # A repeat failing before its key (its token, its call now) gets the first result.
        stored = replay(key=key, agent=agent, digest=digest)
        if stored is not None:
            return stored
        raise


def _record(
    said: CallSaid,
    *,
    agent,
    entry,
    key,
    digest,
    claimed_at,
    now,
    escalation,
    do_not_call,
    parts,
    part_paths,
) -> OutcomeResult:
    # The entry, then the person's follow-ups and their cases, are locked together, so two
    # outcomes for one person (a late submit and its successor's) apply one after the other.
    locked = locked_entry(entry.pk)
    tasks = person_calls.carried_tasks(locked, lock=True, details=person_calls.OUTCOME_DETAILS)
    carried = {task.pk for task in tasks}
    strangers = sorted(set(parts) - carried)
    if strangers:
        raise ValidationError(
            {
                "tasks": _("These follow-ups are not due on this call: %(ids)s.")
                % {"ids": ", ".join(str(task_id) for task_id in strangers)}
            }
        )
    lead_task = tasks[0]
    settling = [task for task in tasks if not parts.get(task.pk, TaskPart()).apart]
    if not settling:
        raise ValidationError({"tasks": _("Mark at least one follow-up of the call as discussed.")})
    held_live = holds_live_claim(locked, agent, now)
    rules = rules_of(lead_task.case)
    first: CallAttempt | None = None
    first_follow_up: CallFollowUp | None = None
    settled: list[CallAttempt] = []
    steps: list[list[report_days.Step]] = []  # each attempt's script path
    confirmed_on_call = False  # an identity check answered yes on an earlier follow-up
    on_the_call = frozenset(task.pk for task in settling)
    for task in settling:
        own = task.pk == lead_task.pk
        task_said = said.for_part(
            parts.get(task.pk, TaskPart()), part_paths.get(task.pk, []), own=own
        )
        follow_up, attempt = _settle_task(
            task,
            task_said,
            agent=agent,
            entry=locked,
            key=key if first is None else f"{key}#{task.pk}",
            digest=digest if first is None else "",
            claimed_at=claimed_at,
            same_call_as=first,
            now=now,
            after_lease_lost=not held_live,
            align_with=first_follow_up,
            identity_confirmed=confirmed_on_call,
            on_the_call=on_the_call,
        )
        confirmed_on_call = confirmed_on_call or _confirms(task_said)
        if first is None:
            first, first_follow_up = attempt, follow_up
        settled.append(attempt)
        steps.append([(node, objection) for node, _value, objection in task_said.path])

    outcome_effects.settle_entry(
        locked, tasks=tasks, agent=agent, now=now, called_at=said.started_at, rules=rules
    )
    first_task = first.task
    customer = first_task.case.customer
    if first.disposition in PATIENT_ANSWERED and not do_not_call:
        people.first_calls_at_best_time(customer, rules=rules, now=now)
    # After the best time: a callback the person booked outranks it.
    if not _was_settled_before(first):
        _what_holds_for_the_person(
            first_task,
            attempt=first,
            follow_up=first_follow_up,
            agent=agent,
            now=now,
            on_the_call=len(settled),
        )
    if do_not_call:
        _stop_calling(customer, attempt=first, agent=agent, now=now)
    raised = None
    if escalation is not None:
        raised = escalations.raise_escalation(
            case=first_task.case,
            attempt=first,
            category=escalation["category"],
            severity=escalation.get("severity") or "normal",
            description=escalation["description"],
            now=now,
        )
    kept_open = tuple(task.pk for task in tasks if task not in settling)
    if kept_open:
        # Kept with the call, so that a replay answers with the same result.
        first.follow_up = {**first.follow_up, "kept_open": list(kept_open)}
        first.save(update_fields=["follow_up"])
    # Last, so that the day's rows every agent's calls add to are locked for the shortest
    # time before the commit.
    report_days.count_calls(zip(settled, steps, strict=True))
    return OutcomeResult(
        attempt=first,
        created=True,
        follow_up=first_follow_up,
        escalation=raised,
        settled=tuple(settled),
        kept_open=kept_open,
    )


def _confirms(said: CallSaid) -> bool:
    version = said.script_version
    return version is not None and path_confirms_identity(version.graph, said.path)


def _shown_texts(said: CallSaid, case, agent, identity_confirmed: bool) -> list[str]:
    """What the agent was shown at each answer, kept with the call (the one runner's rules:
    scripts/runner.py); nothing to render without a script version."""
    if said.script_version is None or not said.path:
        return [""] * len(said.path)
    return shown_texts(
        said.script_version.graph,
        said.path,
        values=script_values(case=case, agent=agent),
        sensitive=bool(case.patient_id and case.patient.sensitive),
        identity_confirmed=identity_confirmed,
    )


def _was_settled_before(attempt: CallAttempt) -> bool:
    return bool(attempt.follow_up.get("settled_before"))


def _settle_task(
    task: FollowUpTask,
    said: CallSaid,
    *,
    agent,
    entry: QueueEntry,
    key: str,
    digest: str,
    claimed_at: dt.datetime,
    same_call_as: CallAttempt | None,
    now,
    after_lease_lost: bool,
    align_with: CallFollowUp | None,
    identity_confirmed: bool,
    on_the_call: frozenset[int],
) -> tuple[CallFollowUp, CallAttempt]:
    """One follow-up's attempt on the call, its next step and its case."""
    case = task.case
    settled_before = task.status != TaskStatus.PENDING
    rules = rules_of(case)
    # Judged by the rules in force now, and kept: reports read it, not today's policy.
    booked = task.kind == TaskKind.CALLBACK and task.callback_at is not None
    check = check_call(said.started_at, rules, booked_callback=booked)
    try:
        follow_up = contact.next_step_for(
            task=task,
            disposition=said.disposition,
            called_at=said.started_at,
            rules=rules,
            callback_at=said.callback_at,
            now=now,
        )
    except (ValueError, OverflowError):
        field = "callback_at" if said.disposition == Disposition.CALLBACK else "disposition"
        raise ValidationError(
            {field: _("The calling policy leaves no time to call this customer again.")}
        ) from None
    # One person, one next call: a retry of another follow-up goes with the first one's,
    # when that falls inside its own follow-up window.
    if (
        align_with is not None
        and follow_up.action is FollowUpAction.RETRY
        and align_with.action is FollowUpAction.RETRY
        and (task.window_ends_on is None or center_day(align_with.earliest) <= task.window_ends_on)
    ):
        follow_up = dataclasses.replace(follow_up, earliest=align_with.earliest)
    stored = stored_follow_up(follow_up)
    if settled_before:
        stored["settled_before"] = True
    attempt = CallAttempt.objects.create(
        task=task,
        queue_entry=entry,
        agent=agent,
        customer_id=case.customer_id,
        patient_id=case.patient_id,
        dialled_number=case.customer.phone,
        **said.attempt_fields(),
        idempotency_key=key,
        submit_digest=digest,
        claimed_at=claimed_at,
        same_call_as=same_call_as,
        follow_up=stored,
        after_lease_lost=after_lease_lost,
        rules_check=check.value,
        rules_in_force=rules_in_force(rules, said.started_at),
    )
    texts = _shown_texts(said, case, agent, identity_confirmed)
    ScriptAnswer.objects.bulk_create(
        ScriptAnswer(
            attempt=attempt,
            position=position,
            node_id=node,
            value=value,
            is_objection=objection,
            shown_text=text,
        )
        for position, ((node, value, objection), text) in enumerate(
            zip(said.path, texts, strict=True), start=1
        )
    )
    task.count_call(disposition=said.disposition, agent_id=agent.pk, started_at=said.started_at)
    # Only the fields this call changes are written, not the whole row (less to compile).
    changed = [*FollowUpTask.CALL_FIELDS, "updated_at"]
    if task.agent_id is None:
        task.agent = agent
        changed.append("agent")
    # A task settled by an earlier submit (a late one, or a second call) keeps its state:
    # the attempt is history, not a new instruction.
    if not settled_before:
        _apply_follow_up(task, follow_up)
        changed += FOLLOW_UP_FIELDS
        # The window moves only with a callback; otherwise it is not written, so a move an
        # earlier follow-up of this call made (schedule_intent_call: due date and window
        # together) is not undone by this row's stale copy.
        if follow_up.action is FollowUpAction.CALLBACK and follow_up.window_ends_on:
            changed.append("window_ends_on")
    task.save(update_fields=changed)
    outcome_effects.update_case(
        case,
        task=task,
        agent=agent,
        follow_up=follow_up,
        intent_class=said.intent_class,
        called_on=center_day(said.started_at),
        now=now,
        settled_before=settled_before,
        reached_at=said.started_at if said.disposition in REACHED_DISPOSITIONS else None,
        on_the_call=on_the_call,
    )
    return follow_up, attempt


def _what_holds_for_the_person(
    task, *, attempt, follow_up: CallFollowUp, agent, now, on_the_call: int
) -> None:
    """A wrong number, a death or a booked callback is about the person, not this task
    alone (services/people.py)."""
    customer = task.case.customer
    if attempt.disposition == Disposition.WRONG_NUMBER:
        people.hold_for_wrong_number(
            customer=customer, attempt=attempt, agent=agent, now=now, on_the_call=on_the_call
        )
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
    cases.cancel_pending(
        FollowUpTask.objects.filter(case__customer=customer), reason="do not call", now=now
    )


# What _apply_follow_up may change of a task (and the window, with a callback).
FOLLOW_UP_FIELDS = (
    "kind",
    "status",
    "earliest_at",
    "callback_at",
    "status_reason",
    "needs_number_fix",
)


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
