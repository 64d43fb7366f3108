"""Escalations: a problem heard on a call, due within its severity's SLA; urgent ones reach
every active supervisor by email at once (the seeds' warning channel), sent by the worker
(followups.tasks.notify_urgent_escalation_task) once the escalation has committed."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from followups import enqueue
from followups.models import (
    CallAttempt,
    Case,
    Escalation,
    EscalationCategory,
    EscalationSeverity,
    EscalationStatus,
)
from followups.roles import Role

logger = logging.getLogger(__name__)


def escalation_errors(*, category: str, severity: str, description: str) -> list[str]:
    """What is wrong with an escalation as asked for; empty when it may be raised."""
    errors = []
    if category not in EscalationCategory.values:
        errors.append(_("Unknown escalation category: %(value)s.") % {"value": category})
    if severity not in EscalationSeverity.values:
        errors.append(_("Unknown escalation severity: %(value)s.") % {"value": severity})
    if not (description or "").strip():
        errors.append(_("Describe the problem."))
    return errors


@transaction.atomic
def raise_escalation(
    *,
    case: Case,
    attempt: CallAttempt | None,
    category: str,
    severity: str,
    description: str,
    now: dt.datetime,
) -> Escalation:
    """Open an escalation due within its severity's SLA; an urgent one emails every active
    supervisor from the worker, once the transaction that raised it has committed."""
    errors = escalation_errors(category=category, severity=severity, description=description)
    if errors:
        raise ValidationError({"escalation": errors})
    escalation = Escalation.objects.create(
        case=case,
        attempt=attempt,
        category=category,
        severity=severity,
        department=case.patient.department if case.patient_id else None,
        description=description.strip(),
        due_at=now + dt.timedelta(hours=settings.HUIFANG_ESCALATION_SLA_HOURS[severity]),
    )
    if severity == EscalationSeverity.URGENT:
        enqueue.notify_urgent_escalation(escalation_id=escalation.pk)
    return escalation


def notify_supervisors(*, escalation_id: int) -> int:
    """Email every active supervisor about an urgent escalation: ids and category only,
    nothing about the person. Returns the number of messages sent (0 or 1)."""
    escalation = Escalation.objects.filter(pk=escalation_id).first()
    # The mail is sent by a worker, later: someone may have taken it in hand meanwhile (the
    # demo's history raises and resolves urgent escalations in one go).
    if escalation is None or escalation.status != EscalationStatus.OPEN:
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SUPERVISOR)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        logger.warning("urgent escalation %s: no active supervisor has an email", escalation.pk)
        return 0
    fields = {
        "id": escalation.pk,
        "case": escalation.case_id,
        "attempt": escalation.attempt_id or "-",
        "category": escalation.get_category_display(),
        "due": escalation.due_at.isoformat(timespec="minutes"),
    }
    subject = _("Urgent escalation #%(id)s (%(category)s)") % fields
    body = (
        _(
            "An urgent escalation was raised on a call.\n\n"
            "Escalation: #%(id)s\nCase: #%(case)s\nCall: #%(attempt)s\n"
            "Category: %(category)s\nDue by: %(due)s\n\n"
            "Open Huifang to see the details."
        )
        % fields
    )
    try:
        return send_mail(subject, body, None, recipients)
    except Exception:
        # The escalation is stored and the in-app alert shows it to every supervisor until
        # one acknowledges it: a mail server that is down is logged, not retried.
        logger.exception("urgent escalation %s: the email could not be sent", escalation.pk)
        return 0
