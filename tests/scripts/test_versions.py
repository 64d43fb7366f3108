"""Versions: a draft copies the published graph, a published version never changes, and a
call keeps the version it used."""

import pytest
from django.core.exceptions import ValidationError

from scripts import services as script_service
from scripts.models import ScriptVersion, ScriptVersionStatus
from tests.factories import CallAttemptFactory

from .conftest import NOW, demo_graph

pytestmark = pytest.mark.django_db


def test_a_new_draft_copies_the_published_graph(published, supervisor):
    draft = script_service.new_draft(script=published.script, actor=supervisor)
    assert (draft.number, draft.status, draft.created_by) == (2, "draft", supervisor)
    assert draft.graph == demo_graph()
    draft.refresh_from_db()
    assert draft.graph == published.graph
    assert ScriptVersion.objects.filter(script=published.script).count() == 2


def test_a_new_draft_is_the_existing_draft_when_there_is_one(draft, supervisor):
    again = script_service.new_draft(script=draft.script, actor=supervisor)
    assert again.pk == draft.pk
    assert ScriptVersion.objects.filter(script=draft.script).count() == 2


def test_a_new_draft_may_start_from_an_older_version(published, supervisor):
    published.status = ScriptVersionStatus.RETIRED
    published.save()
    v2 = ScriptVersion.objects.create(
        script=published.script, number=2, status="published", graph={"schema": 1, "nodes": []}
    )
    draft = script_service.new_draft(
        script=published.script, actor=supervisor, from_version=published
    )
    assert draft.number == 3
    assert draft.graph == published.graph
    assert draft.graph != v2.graph


def test_the_first_draft_of_a_new_script_is_the_starter(supervisor):
    script = script_service.create_script(
        name="术后回访", code="after-surgery", case_kind="discharge", actor=supervisor
    )
    version = script.versions.get()
    assert (version.number, version.status) == (1, "draft")
    assert version.graph == script_service.starter_graph()


def test_the_service_refuses_to_change_a_published_version(published, supervisor):
    with pytest.raises(ValidationError):
        script_service.save_draft(
            version=published, graph={"schema": 1, "nodes": []}, actor=supervisor
        )
    with pytest.raises(ValidationError):
        script_service.add_node(version=published, kind="statement", actor=supervisor)
    with pytest.raises(ValidationError):
        script_service.update_node(
            version=published, node_id="greet", changes={"text": "改了"}, actor=supervisor
        )
    published.refresh_from_db()
    assert published.graph == demo_graph()


def test_the_model_refuses_to_change_a_published_version(published):
    published.graph["nodes"][0]["text"] = "改了"
    with pytest.raises(ValidationError):
        published.save()
    published.refresh_from_db()
    assert published.graph == demo_graph()


def test_a_retired_version_cannot_be_edited_either(published, supervisor):
    script_service.retire(version=published, actor=supervisor, now=NOW)
    with pytest.raises(ValidationError):
        script_service.remove_node(version=published, node_id="q_note", actor=supervisor)
    published.refresh_from_db()
    assert (published.status, published.graph) == ("retired", demo_graph())


def test_publishing_retires_the_previous_version(draft, published, supervisor):
    script_service.publish(version=draft, actor=supervisor, change_note="语气更亲切", now=NOW)
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == "retired"
    assert (draft.status, draft.published_at, draft.published_by) == ("published", NOW, supervisor)
    assert draft.change_note == "语气更亲切"
    assert published.script.published_version() == draft


def test_a_call_keeps_the_version_it_used(published, supervisor):
    attempt = CallAttemptFactory(script_version=published)
    draft = script_service.new_draft(script=published.script, actor=supervisor)
    script_service.update_node(
        version=draft,
        node_id="greet",
        changes={"text": "{customer.honorific}您好！"},
        actor=supervisor,
    )
    script_service.publish(version=draft, actor=supervisor, change_note="问候更短", now=NOW)
    attempt.refresh_from_db()
    assert attempt.script_version_id == published.pk
    assert attempt.script_version.number == 1
    assert attempt.script_version.graph == demo_graph()


def test_retiring_takes_the_published_version_out_of_use(published, supervisor):
    script_service.retire(version=published, actor=supervisor, now=NOW)
    published.refresh_from_db()
    assert published.status == "retired"
    assert published.script.published_version() is None


def test_only_the_published_version_can_be_retired(draft, supervisor):
    with pytest.raises(ValidationError):
        script_service.retire(version=draft, actor=supervisor, now=NOW)
    draft.refresh_from_db()
    assert draft.status == "draft"
