"""What an outcome changes beyond the call itself: the person's entry on the day's list (closed,
or back behind a later retry or callback the same day) and the case (its agent, intent
class, first reach, closing, the next intent or recurring call)."""

import datetime as dt

from followups.clock import center_day
from followups.models import (
    CaseStatus,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
)
from followups.scheduling import FollowUpAction, queue_priority
from followups.services import cases, person_calls
from followups.services.call_lists import priority_number
from followups.services.cases import keep_recurring_ahead, schedule_intent_call
from followups.services.leases import held_by_someone_else


def settle_entry(
    entry: QueueEntry,
    *,
    tasks: list[FollowUpTask],
    agent,
    now: dt.datetime,
    called_at: dt.datetime,
    rules,
) -> None:
    """Close the person's call on the list; leave it to another agent who holds it now. A
    retry or callback later the same day, in another window and within the day's calls to
    the person, puts the entry back on today's list behind that moment, led by it;
    callbacks rise to the top."""
    if held_by_someone_else(entry, agent, now) or entry.status in (
        QueueEntryStatus.DONE,
        QueueEntryStatus.CANCELLED,
    ):
        return
    entry.calls_made += 1
    day = entry.call_list.day
    lead = None
    if day == center_day(now):
        lead = person_calls.next_lead(
            tasks, called_at=called_at, day=day, calls_made=entry.calls_made, rules=rules
        )
    if lead is not None:
        entry.task = lead
        entry.priority = priority_number(
            queue_priority(
                is_callback=lead.kind == TaskKind.CALLBACK,
                deadline=lead.deadline,
                due=lead.due_date,
                today=day,
                intent=lead.case.intent_class or None,
            )
        )
        entry.status = QueueEntryStatus.WAITING
        entry.claimed_by, entry.claimed_at, entry.lease_expires_at = None, None, None
        entry.closed_at = None
    else:
        entry.status, entry.closed_at = QueueEntryStatus.DONE, now
    entry.save(
        update_fields=[
            "task",
            "calls_made",
            "priority",
            "status",
            "claimed_by",
            "claimed_at",
            "lease_expires_at",
            "closed_at",
        ]
    )


def update_case(
    case,
    *,
    task,
    agent,
    follow_up,
    intent_class,
    called_on,
    now,
    settled_before,
    reached_at,
    on_the_call: frozenset[int],
) -> None:
    """The case after one of its follow-ups was settled on a call that settles
    ``on_the_call`` (task ids) in all."""
    fields = []
    if reached_at is not None and (case.reached_at is None or reached_at < case.reached_at):
        # Kept for the discharge follow-up indicator, on the row this call may save anyway.
        case.reached_at = reached_at
        fields.append("reached_at")
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
        cases.cancel_pending(
            FollowUpTask.objects.filter(case=case).exclude(pk=task.pk),
            reason=f"case closed: {follow_up.reason}",
            now=now,
        )
        return
    finished = not settled_before and follow_up.action is FollowUpAction.DONE
    if case.status == CaseStatus.OPEN and (intent_changed or (finished and case.intent_class)):
        schedule_intent_call(case=case, last_call=called_on, on_the_call=on_the_call)
    keep_recurring_ahead(case=case, task=task, today=called_on)
