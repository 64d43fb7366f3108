"""Following an escalation to the end: acknowledge, assign an owner, resolve (optionally
with a verification call to the customer: the closed loop), verify. Each step is audited.

`move` is the state machine for a caller that asks for a status (the API's PATCH): it takes
the steps that lead there, in one transaction. The lists (unresolved, overdue, the urgent
alert) are reads: followups/reports/escalations.py."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from followups import clock
from followups.models import AuditAction, Escalation, EscalationStatus
from followups.reports.escalations import UNRESOLVED, status_label
from followups.roles import REVIEW_OUTCOMES
from followups.services.audit import record
from followups.services.cases import new_call_task

__all__ = ["UNRESOLVED", "acknowledge", "assign_owner", "move", "resolve", "verify"]


def _locked(escalation: Escalation) -> Escalation:
    return Escalation.objects.select_for_update().get(pk=escalation.pk)


def _require(escalation: Escalation, *allowed: EscalationStatus) -> None:
    if escalation.status not in allowed:
        raise ValidationError(
            _("This escalation is %(status)s: that step is not possible now.")
            % {"status": status_label(escalation.status)}
        )


@transaction.atomic
def acknowledge(*, escalation: Escalation, by, now: dt.datetime) -> Escalation:
    """Someone has seen it and takes it on (they become the owner if it had none)."""
    escalation = _locked(escalation)
    _require(escalation, EscalationStatus.OPEN)
    escalation.status, escalation.acknowledged_at = EscalationStatus.ACKNOWLEDGED, now
    escalation.owner = escalation.owner or by
    escalation.save(update_fields=["status", "acknowledged_at", "owner"])
    record(actor=by, action=AuditAction.ESCALATION, target=escalation, step="acknowledged")
    return escalation


@transaction.atomic
def assign_owner(*, escalation: Escalation, owner, by) -> Escalation:
    if not owner.is_active or not owner.has_perm(REVIEW_OUTCOMES):
        raise ValidationError({"owner": _("The owner must be a supervisor.")})
    escalation = _locked(escalation)
    _require(escalation, *UNRESOLVED)
    escalation.owner = owner
    escalation.save(update_fields=["owner"])
    record(actor=by, action=AuditAction.ESCALATION, target=escalation, step="owner", owner=owner.pk)
    return escalation


@transaction.atomic
def resolve(
    *,
    escalation: Escalation,
    by,
    resolution: str,
    now: dt.datetime,
    verification_call_on: dt.date | None = None,
) -> Escalation:
    """Record how the problem was solved; with ``verification_call_on``, a call to the
    customer is planned that day to check they agree (the closed loop)."""
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how the problem was solved.")})
    if verification_call_on is not None and verification_call_on < clock.center_day(now):
        raise ValidationError({"verification_call_on": _("The call cannot be in the past.")})
    escalation = _locked(escalation)
    _require(escalation, *UNRESOLVED)
    escalation.status, escalation.resolved_at = EscalationStatus.RESOLVED, now
    escalation.acknowledged_at = escalation.acknowledged_at or now
    escalation.owner = escalation.owner or by
    escalation.resolution = resolution
    escalation.save(
        update_fields=["status", "resolved_at", "acknowledged_at", "owner", "resolution"]
    )
    task = None
    if verification_call_on is not None:
        task = new_call_task(
            case=escalation.case,
            due_date=verification_call_on,
            reason=f"verify escalation {escalation.pk}",
        )
    record(
        actor=by,
        action=AuditAction.ESCALATION,
        target=escalation,
        step="resolved",
        verification_task=task.pk if task else None,
    )
    return escalation


@transaction.atomic
def verify(*, escalation: Escalation, by, now: dt.datetime) -> Escalation:
    """The customer (or the department) confirmed the problem is solved. Also before a
    planned verification call is made: the confirmation may come another way (the
    department, the customer calling in); the page says the call is still ahead."""
    escalation = _locked(escalation)
    _require(escalation, EscalationStatus.RESOLVED)
    escalation.status, escalation.verified_at = EscalationStatus.VERIFIED, now
    escalation.save(update_fields=["status", "verified_at"])
    record(actor=by, action=AuditAction.ESCALATION, target=escalation, step="verified")
    return escalation


@transaction.atomic
def move(
    *,
    escalation: Escalation,
    by,
    now: dt.datetime,
    status: str | None = None,
    owner=None,
    resolution: str = "",
) -> Escalation:
    """One change asked for as a whole (the API's PATCH), as the workflow's steps: the new
    owner first, then the step to the status asked for. An escalation never goes back to
    open; asking for the status it has changes nothing more."""
    if owner is not None and owner != escalation.owner:
        escalation = assign_owner(escalation=escalation, owner=owner, by=by)
    status = status or escalation.status
    if status == escalation.status:
        return escalation
    if status == EscalationStatus.ACKNOWLEDGED:
        return acknowledge(escalation=escalation, by=by, now=now)
    if status == EscalationStatus.RESOLVED:
        return resolve(escalation=escalation, by=by, resolution=resolution, now=now)
    if status == EscalationStatus.VERIFIED:
        return verify(escalation=escalation, by=by, now=now)
    raise ValidationError({"status": _("An escalation cannot go back to open.")})
