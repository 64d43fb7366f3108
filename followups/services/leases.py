"""Holding a call: the signed proof that it was handed to an agent, its lease, and
revealing its number to the agent who holds it (audited)."""

import datetime as dt

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Subquery
from django.utils.translation import gettext

from followups.models import AuditAction, QueueEntry, QueueEntryStatus
from followups.services import audit
from followups.services.queue import holds_live_claim, lease_minutes

REVEAL_PHONE = "followups.reveal_phone"

# --- Proof that a call was handed to an agent ---------------------------------------------------

CLAIM_TOKEN_SALT = "followups.queue.claim-token"  # noqa: S105 (a namespace, not a secret)


def claim_token(entry: QueueEntry, agent) -> str:
    """Signed (entry, agent): what a claim answers with, so that the agent can record the
    call even after its lease ran out and a colleague took it."""
    return signing.dumps([entry.pk, agent.pk], salt=CLAIM_TOKEN_SALT)


def was_handed(entry: QueueEntry, agent, token: str) -> bool:
    """The agent holds the call, or held it: its claim (even with the lease run out), or
    the token its claim answered with (the call since taken by someone else: a late
    submit, kept and flagged)."""
    if entry.claimed_by_id == agent.pk:
        return True
    try:
        return signing.loads(token, salt=CLAIM_TOKEN_SALT) == [entry.pk, agent.pk]
    except signing.BadSignature:
        return False


@transaction.atomic
def renew_lease(*, entry: QueueEntry, agent, now: dt.datetime) -> QueueEntry:
    """Extend the agent's hold on a call; only its holder may, and only while nobody else
    has taken it."""
    locked = QueueEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status != QueueEntryStatus.CLAIMED or locked.claimed_by_id != agent.pk:
        raise PermissionDenied(gettext("This call is no longer yours."))
    locked.lease_expires_at = now + dt.timedelta(minutes=lease_minutes())
    locked.save(update_fields=["lease_expires_at"])
    return locked


@transaction.atomic
def release_expired_leases(*, now: dt.datetime) -> int:
    """Put calls whose lease ran out back to waiting; returns how many. Claims treat them
    as free anyway: this keeps the supervisor's counts honest. Rows a claim is taking at
    this moment are left to it."""
    expired = QueueEntry.objects.filter(
        status=QueueEntryStatus.CLAIMED, lease_expires_at__lt=now
    ).select_for_update(skip_locked=True)
    return QueueEntry.objects.filter(pk__in=Subquery(expired.values("pk"))).update(
        status=QueueEntryStatus.WAITING, claimed_by=None, claimed_at=None, lease_expires_at=None
    )


@transaction.atomic
def reveal_phone(*, entry: QueueEntry, agent, now: dt.datetime) -> str:
    """The customer's number (E.164) for the agent holding the call; audited, without the
    number itself."""
    entry = QueueEntry.objects.select_related("task__case__customer").get(pk=entry.pk)
    if not agent.has_perm(REVEAL_PHONE) or not holds_live_claim(entry, agent, now):
        raise PermissionDenied(gettext("Only the agent holding this call may see the number."))
    audit.record(
        actor=agent,
        action=AuditAction.REVEAL_PHONE,
        target=entry,
        entry=entry.pk,
        task=entry.task_id,
    )
    phone = entry.task.case.customer.phone
    return phone.as_e164 if phone else ""
