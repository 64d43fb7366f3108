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


def record_on_entry(*, actor, action: AuditAction, entry, **detail) -> AuditEvent:
    """An event on a call-list entry (revealing its number, putting it back): the entry and
    its task by id."""
    return record(
        actor=actor, action=action, target=entry, entry=entry.pk, task=entry.task_id, **detail
    )


def record_list_read(
    *, actor, resource: str, ids: list, total: int, parameters, page: int | None = None
) -> AuditEvent:
    """One READ_LIST event for a list of people's data read (a page of the API's patients,
    customers or cases): the ids on it and the counts, and the names of the filters used,
    never their values (a name typed in a filter is personal data)."""
    detail = {
        "resource": resource,
        "rows": len(ids),
        "total": total,
        "ids": list(ids),
        "parameters": sorted(parameters),
    }
    if page is not None:
        detail["page"] = page
    return record(actor=actor, action=AuditAction.READ_LIST, **detail)
