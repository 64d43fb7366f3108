"""Holding a call: the signed proof that it was handed to an agent, its lease, and
revealing its number to the agent who holds it (audited)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Subquery
from django.utils.translation import gettext

from followups.models import AuditAction, QueueEntry, QueueEntryStatus
from followups.services import audit

REVEAL_PHONE = "followups.reveal_phone"
# An entry waiting again: nobody's claim on it, no lease (for QuerySet.update).
UNCLAIMED = {
    "status": QueueEntryStatus.WAITING,
    "claimed_by": None,
    "claimed_at": None,
    "lease_expires_at": None,
}


def lease_minutes() -> int:
    return settings.HUIFANG_LEASE_MINUTES


def holds_live_claim(entry: QueueEntry, agent, now: dt.datetime) -> bool:
    return (
        entry.status == QueueEntryStatus.CLAIMED
        and entry.claimed_by_id == agent.pk
        and entry.lease_expires_at is not None
        and entry.lease_expires_at >= now
    )


def held_by_someone_else(entry: QueueEntry, agent, now: dt.datetime) -> bool:
    return (
        entry.status == QueueEntryStatus.CLAIMED
        and entry.claimed_by_id != agent.pk
        and entry.lease_expires_at is not None
        and entry.lease_expires_at >= now
    )


# --- Proof that a call was handed to an agent ---------------------------------------------------
#
# The one proof of who may record a call's outcome (services/outcomes.record_outcome checks
# it, for the call screen and the API alike): a token this service signs for one claim of
# one entry by one agent. It stays good after the lease ran out and after a colleague took
# the call (a late submit: kept and flagged), and for an earlier claim of the same entry by
# the same agent; it is never good for another agent or another entry.

CLAIM_TOKEN_SALT = "followups.queue.claim-token"  # noqa: S105 (a namespace, not a secret)


class NotHanded(PermissionDenied):
    """No valid claim token of this agent for this call: it was not handed to them."""


@dataclass(frozen=True)
class Handed:
    """What a claim token names: the entry, the agent, and the moment of the claim."""

    entry_id: int
    agent_id: int
    claimed_at: dt.datetime


def claim_token(entry: QueueEntry, agent) -> str:
    """The proof of the agent's claim of the entry (the entry as the claim left it: claimed
    by the agent); what a claim answers with. Only the holder of the claim gets one."""
    if entry.claimed_by_id != agent.pk or entry.claimed_at is None:
        raise NotHanded(gettext("This call was not handed to you."))
    return signing.dumps([entry.pk, agent.pk, entry.claimed_at.isoformat()], salt=CLAIM_TOKEN_SALT)


def handed(entry: QueueEntry, agent, token: str) -> Handed:
    """The claim the token proves, when it names this entry and this agent; else NotHanded
    (no token, a forged or garbled one, another agent's, another entry's)."""
    try:
        entry_id, agent_id, claimed_at = signing.loads(token or "", salt=CLAIM_TOKEN_SALT)
        proof = Handed(int(entry_id), int(agent_id), dt.datetime.fromisoformat(claimed_at))
    except (signing.BadSignature, TypeError, ValueError):
        raise NotHanded(gettext("This call was not handed to you.")) from None
    if proof.entry_id != entry.pk or proof.agent_id != agent.pk:
        raise NotHanded(gettext("This call was not handed to you."))
    return proof


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
    return QueueEntry.objects.filter(pk__in=Subquery(expired.values("pk"))).update(**UNCLAIMED)


@transaction.atomic
def reveal_phone(*, entry: QueueEntry, agent, now: dt.datetime) -> str:
    """The customer's number (E.164) for the agent holding the call; audited, without the
    number itself."""
    entry = QueueEntry.objects.select_related("task__case__customer").get(pk=entry.pk)
    if not agent.has_perm(REVEAL_PHONE) or not holds_live_claim(entry, agent, now):
        raise PermissionDenied(gettext("Only the agent holding this call may see the number."))
    audit.record_on_entry(actor=agent, action=AuditAction.REVEAL_PHONE, entry=entry)
    phone = entry.task.case.customer.phone
    return phone.as_e164 if phone else ""
