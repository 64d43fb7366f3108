"""publish(): nothing is published while the graph has a problem; the audit trail names it."""

import pytest
from django.core.exceptions import ValidationError

from followups.models import AuditAction, AuditEvent
from scripts import services as script_service
from scripts.graph import GraphError

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_nothing_is_published_when_the_graph_has_one_error(draft, published, supervisor):
    script_service.update_node(
        version=draft,
        node_id="q_note",
        changes={"text": "{customer.phone}还有什么建议吗？"},
        actor=supervisor,
    )
    with pytest.raises(script_service.InvalidScript) as refused:
        script_service.publish(version=draft, actor=supervisor, change_note="改了提问", now=NOW)
    assert [(e.node_id, e.field) for e in refused.value.errors] == [("q_note", "text")]
    assert all(isinstance(error, GraphError) for error in refused.value.errors)
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, draft.published_at, draft.change_note) == ("draft", None, "")
    assert published.status == "published"
    assert not AuditEvent.objects.exists()


def test_publishing_writes_an_audit_event_naming_both_versions(draft, published, supervisor):
    script_service.publish(version=draft, actor=supervisor, change_note="语气更亲切", now=NOW)
    event = AuditEvent.objects.get()
    assert (event.actor, event.action) == (supervisor, AuditAction.PUBLISH_SCRIPT)
    assert (event.target_type, event.target_id) == ("scripts.scriptversion", str(draft.pk))
    assert event.detail == {
        "script": draft.script_id,
        "version": 2,
        "version_id": draft.pk,
        "retired_version_id": published.pk,
    }


def test_the_first_publication_retires_nothing(script, supervisor):
    version = script_service.new_draft(script=script, actor=supervisor)
    script_service.publish(version=version, actor=supervisor, change_note="首发", now=NOW)
    assert AuditEvent.objects.get().detail["retired_version_id"] is None
    version.refresh_from_db()
    assert version.status == "published"


def test_retiring_writes_an_audit_event(published, supervisor):
    script_service.retire(version=published, actor=supervisor, now=NOW)
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id) == (AuditAction.RETIRE_SCRIPT, str(published.pk))
    assert event.detail == {
        "script": published.script_id,
        "version": 1,
        "version_id": published.pk,
        "retired_at": "2026-11-20T10:00:00+00:00",
    }


@pytest.mark.parametrize("note", ["", "   "])
def test_a_change_note_is_required(draft, supervisor, note):
    with pytest.raises(ValidationError):
        script_service.publish(version=draft, actor=supervisor, change_note=note, now=NOW)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_published_version_cannot_be_published_again(published, supervisor):
    with pytest.raises(ValidationError):
        script_service.publish(version=published, actor=supervisor, change_note="再发", now=NOW)
    assert not AuditEvent.objects.exists()
