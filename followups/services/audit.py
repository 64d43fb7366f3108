"""Writing the audit trail: ids and counts only, never a name, phone or diagnosis."""

from django.db import models

from followups.models import AuditAction, AuditEvent


def record(
    *, actor, action: AuditAction, target: models.Model | None = None, **detail
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail,
    )
