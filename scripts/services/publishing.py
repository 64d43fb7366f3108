"""Publishing a draft (after checking its whole graph with scripts.graph) and
retiring a published version; both are recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from followups.models import AuditAction
from followups.services import audit
from scripts import graph as script_graph
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus
from scripts.services.drafts import InvalidScript, _locked_draft


def _audit(actor, action: AuditAction, version: ScriptVersion, **detail) -> None:
    """The audit event of a step in a version's life: the script, the version's number and
    id, and what the step adds."""
    about = {"script": version.script_id, "version": version.number, "version_id": version.pk}
    audit.record(actor=actor, action=action, target=version, **about, **detail)


# --- Publishing -----------------------------------------------------------------------------


def publish(*, version: ScriptVersion, actor, change_note: str, now: dt.datetime) -> ScriptVersion:
    """Publish a draft: its graph must validate (for sensitive patients too; nothing is
    published otherwise), the version published before it is retired, and the audit trail
    names both versions."""
    change_note = change_note.strip()
    if not change_note:
        raise ValidationError(
            {"change_note": _("Say in a few words what changed.")}, code="change_note"
        )
    with transaction.atomic():
        # Lock the script first: two publishes of one script queue up instead of both
        # retiring the same version.
        CallScript.objects.select_for_update().get(pk=version.script_id)
        draft = _locked_draft(version)
        errors = script_graph.validate(draft.graph, for_sensitive=True)
        if errors:
            raise InvalidScript(errors)
        previous = (
            ScriptVersion.objects.select_for_update()
            .filter(script_id=draft.script_id, status=ScriptVersionStatus.PUBLISHED)
            .first()
        )
        if previous is not None:
            previous.status = ScriptVersionStatus.RETIRED
            previous.save(update_fields=["status"])
        draft.status = ScriptVersionStatus.PUBLISHED
        draft.change_note = change_note[:300]
        draft.published_at = now
        draft.published_by = actor
        draft.save(update_fields=["status", "change_note", "published_at", "published_by"])
        _audit(
            actor,
            AuditAction.PUBLISH_SCRIPT,
            draft,
            retired_version_id=previous.pk if previous is not None else None,
        )
    return draft


def retire(*, version: ScriptVersion, actor, now: dt.datetime) -> ScriptVersion:
    """Take a published version out of use; calls already made keep pointing at it."""
    with transaction.atomic():
        locked = ScriptVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != ScriptVersionStatus.PUBLISHED:
            raise ValidationError(_("Only the published version can be retired."), code="retire")
        locked.status = ScriptVersionStatus.RETIRED
        locked.save(update_fields=["status"])
        _audit(actor, AuditAction.RETIRE_SCRIPT, locked, retired_at=now.isoformat())
    return locked
