"""A recorded outcome read back: what record_outcome answers (OutcomeResult), and what a
replay of a submit gets — the first result, found by its idempotency key, as long as the
submit is the same (its fingerprint) and comes from the same agent."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from followups.models import CallAttempt, Escalation, QueueEntry
from followups.scheduling import (
    NOT_REACHED,
    CallFollowUp,
    ContactBudget,
    FollowUpAction,
    next_step_after_call,
)
from followups.services.calling_rules import calling_rules_of_group
from followups.services.outcome_input import OutcomeConflict


@dataclass(frozen=True)
class OutcomeResult:
    attempt: CallAttempt  # the call's attempt on its first settled follow-up
    created: bool  # False when the same idempotency key was submitted before
    follow_up: CallFollowUp
    escalation: Escalation | None
    settled: tuple[CallAttempt, ...] = ()  # every attempt of the call, `attempt` first
    kept_open: tuple[int, ...] = ()  # follow-ups (task ids) marked as not discussed


def claim_used(entry: QueueEntry, agent, claimed_at: dt.datetime) -> bool:
    """Whether an outcome was recorded under this claim of the entry (one per claim)."""
    return CallAttempt.objects.filter(
        queue_entry=entry, agent=agent, claimed_at=claimed_at, same_call_as__isnull=True
    ).exists()


def replay(*, key: str, agent, digest: str) -> OutcomeResult | None:
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
    if attempt.submit_digest and attempt.submit_digest != digest:
        raise OutcomeConflict(
            _("This idempotency key was used for another submit: send a new key."),
            field="idempotency_key",
        )
    others = attempt.settled_with.select_related("task__case__customer").order_by("pk")
    return OutcomeResult(
        attempt=attempt,
        created=False,
        follow_up=follow_up_of(attempt),
        escalation=attempt.escalations.order_by("pk").first(),
        settled=(attempt, *others),
        kept_open=tuple(attempt.follow_up.get("kept_open", ())),
    )


def follow_up_of(attempt: CallAttempt) -> CallFollowUp:
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
        rules=rules_of(case),
        budget=ContactBudget(
            budget=task.max_attempts,
            spent=before.filter(disposition__in=NOT_REACHED).count(),
            window_ends_on=task.window_ends_on,
        ),
        callback_at=attempt.callback_at,
    )


def stored_follow_up(follow_up: CallFollowUp) -> dict:
    return {
        "action": follow_up.action.value,
        "earliest": follow_up.earliest.isoformat() if follow_up.earliest else None,
        "reason": follow_up.reason,
        "window_ends_on": (
            follow_up.window_ends_on.isoformat() if follow_up.window_ends_on else None
        ),
    }


def rules_of(case):
    return calling_rules_of_group((case.plan_id, case.customer.timezone))
