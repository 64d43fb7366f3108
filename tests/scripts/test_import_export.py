"""export_version() and import_version(): a versioned envelope, checked like a publication."""

import json

import pytest

from scripts import services as script_service
from scripts.models import CallScript, ScriptVersion

from .conftest import PUBLISHED_AT, demo_graph

pytestmark = pytest.mark.django_db


def test_export_wraps_the_graph_in_a_versioned_envelope(published):
    assert script_service.export_version(published) == {
        "format": "huifang-script",
        "format_version": 1,
        "script": {
            "code": "discharge",
            "name": "出院回访",
            "case_kind": "discharge",
            "description": "",
        },
        "version": {
            "number": 1,
            "status": "published",
            "change_note": "首个版本",
            "published_at": PUBLISHED_AT.isoformat(),
        },
        "graph": demo_graph(),
    }


def test_an_export_imports_back_as_the_next_draft_of_its_script(published, supervisor):
    exported = json.dumps(script_service.export_version(published), ensure_ascii=False).encode()
    draft = script_service.import_version(data=exported, actor=supervisor)
    assert (draft.script_id, draft.number, draft.status) == (published.script_id, 2, "draft")
    assert draft.graph == published.graph
    assert draft.created_by == supervisor


def test_an_export_of_an_unknown_script_creates_the_script(published, supervisor):
    document = script_service.export_version(published)
    document["script"] = {"code": "post-op", "name": "术后回访", "case_kind": "discharge"}
    draft = script_service.import_version(data=document, actor=supervisor)
    script = CallScript.objects.get(code="post-op")
    assert (script.name, script.case_kind, script.description) == ("术后回访", "discharge", "")
    assert (draft.script, draft.number, draft.graph) == (script, 1, demo_graph())


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (b"{not json", None),
        (b"[1, 2]", None),
        ({"format": "other", "format_version": 1}, "format"),
        ({"format": "huifang-script", "format_version": 2}, "format_version"),
        ({"format": "huifang-script", "format_version": 1, "script": {"code": "x"}}, "script.name"),
    ],
)
def test_a_bad_envelope_is_refused_and_nothing_is_created(published, supervisor, document, field):
    with pytest.raises(script_service.InvalidScript) as refused:
        script_service.import_version(data=document, actor=supervisor)
    assert refused.value.errors[0].field == field
    assert refused.value.errors[0].message
    assert (CallScript.objects.count(), ScriptVersion.objects.count()) == (1, 1)


def test_an_invalid_graph_is_refused_with_its_errors(published, supervisor):
    document = script_service.export_version(published)
    document["script"]["code"] = "copy"
    document["graph"]["nodes"][0]["text"] = "{customer.phone}您好"
    document["graph"]["start"] = "nowhere"
    with pytest.raises(script_service.InvalidScript) as refused:
        script_service.import_version(data=document, actor=supervisor)
    assert [(e.node_id, e.field) for e in refused.value.errors] == [
        (None, "start"),
        ("greet", "text"),
    ]
    assert (CallScript.objects.count(), ScriptVersion.objects.count()) == (1, 1)


def test_an_import_does_not_overwrite_a_draft_in_progress(draft, supervisor):
    document = script_service.export_version(draft)
    with pytest.raises(script_service.InvalidScript) as refused:
        script_service.import_version(data=document, actor=supervisor)
    assert refused.value.errors[0].field == "script.code"
    assert ScriptVersion.objects.count() == 2
