"""A call put back (skipped) by the agent holding it, with a reason, audited: it goes behind
everyone else on the list and is not handed out again at once, so the next claim hands out
someone else; and when the waiting calls of the agent's list may be made, by the claim's
rule (calling_rules.first_callable_moment). (A call picked on the list is
claims.claim_from_list.)"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from followups.models import (
    PUT_BACK_REASONS,
    AuditAction,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.services import audit
from followups.services.calling_rules import first_callable_moment

# A call put back is not handed out again before this much time has passed (unless it is a
# booked callback, whose time is the customer's): the agent skipped it for a reason.
PUT_BACK_FOR = dt.timedelta(minutes=30)


def put_back(*, entry: QueueEntry, agent, reason: str, now: dt.datetime) -> QueueEntry:
    """Give a call the agent holds back to the list, behind everyone else on it, not to be
    handed out again for PUT_BACK_FOR (a booked callback keeps its time); the reason is
    audited.
    Returns the entry, waiting again."""
    if reason not in dict(PUT_BACK_REASONS):
        raise ValueError(reason)
    with transaction.atomic():
        locked = QueueEntry.objects.select_for_update().select_related("task").get(pk=entry.pk)
        if locked.status != QueueEntryStatus.CLAIMED or locked.claimed_by_id != agent.pk:
            raise PermissionDenied(gettext("This call is no longer yours."))
        last = QueueEntry.objects.filter(call_list_id=locked.call_list_id).aggregate(
            last=Max("priority")
        )["last"]
        locked.status = QueueEntryStatus.WAITING
        locked.claimed_by = None
        locked.claimed_at = None
        locked.lease_expires_at = None
        locked.priority = (last or 0) + 1
        locked.save(
            update_fields=["status", "claimed_by", "claimed_at", "lease_expires_at", "priority"]
        )
        task = locked.task
        if task.kind != TaskKind.CALLBACK:
            not_before = now + PUT_BACK_FOR
            if task.earliest_at is None or task.earliest_at < not_before:
                task.earliest_at = not_before
                task.save(update_fields=["earliest_at"])
        audit.record_on_entry(actor=agent, action=AuditAction.PUT_BACK, entry=locked, reason=reason)
    return locked


def callable_from(entries: Iterable[QueueEntry], *, now: dt.datetime) -> dict[int, dt.datetime]:
    """The waiting entries (their task, case and customer loaded) that may not be called
    yet, each with the first moment it may be: outside calling hours, a retry's time, a
    booked callback's. No query: the calling rules are cached."""
    later = {}
    for entry in entries:
        task = entry.task
        if entry.status != QueueEntryStatus.WAITING or task.status != TaskStatus.PENDING:
            continue
        booked = task.callback_at if task.kind == TaskKind.CALLBACK else None
        moment = first_callable_moment(
            (task.case.plan_id, task.case.customer.timezone),
            booked_callback=booked,
            earliest_at=task.earliest_at,
            now=now,
        )
        if moment is not None and moment > now:
            later[entry.pk] = moment
    return later
