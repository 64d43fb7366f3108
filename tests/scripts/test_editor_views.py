"""The editor's htmx endpoints change the draft and answer with partials; only editors may
use them, and agents read the published version."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followups.models import AuditAction, AuditEvent
from scripts import services as script_service
from scripts.models import CallScript, ScriptVersion

from .conftest import demo_graph, minimal_graph, node_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def editing_urls(draft, published) -> list[tuple[str, dict]]:
    """Every URL that changes a script, with a POST body that would be accepted."""
    pk, code = draft.pk, draft.script.code
    return [
        (reverse("scripts:create"), {"name": "新话术", "code": "new-one"}),
        (reverse("scripts:import"), {}),
        (reverse("scripts:new_draft", args=[code]), {}),
        (reverse("scripts:edit", args=[pk]), {}),
        (reverse("scripts:node_add", args=[pk]), {"kind": "statement"}),
        (
            reverse("scripts:node_update", args=[pk, "greet"]),
            {"field": "text", "text": "改了"},
        ),
        (reverse("scripts:node_remove", args=[pk, "q_note"]), {}),
        (reverse("scripts:node_move", args=[pk, "q_note"]), {"direction": "up"}),
        (reverse("scripts:node_start", args=[pk, "identity"]), {}),
        (reverse("scripts:node_connect", args=[pk, "greet"]), {"next": "q_note"}),
        (
            reverse("scripts:option_add", args=[pk, "q_recovery"]),
            {"value": "x", "label": "x"},
        ),
        (reverse("scripts:option_update", args=[pk, "q_recovery", 0]), {"label": "好"}),
        (
            reverse("scripts:option_connect", args=[pk, "q_recovery", 0]),
            {"next": "q_note"},
        ),
        (reverse("scripts:option_remove", args=[pk, "q_recovery", 0]), {}),
        (
            reverse("scripts:objection_add", args=[pk]),
            {"label": "忙", "text": "好的", "action": "return"},
        ),
        (
            reverse("scripts:objection_update", args=[pk, "busy"]),
            {"field": "label", "label": "很忙"},
        ),
        (reverse("scripts:objection_remove", args=[pk, "busy"]), {}),
        (reverse("scripts:publish", args=[pk]), {"change_note": "发布"}),
        (reverse("scripts:retire", args=[published.pk]), {}),
        (reverse("scripts:export", args=[pk]), {}),
        (reverse("scripts:compare", args=[code]), {}),
    ]


def test_an_agent_gets_403_on_every_editing_url(client, agent, draft, published):
    client.force_login(agent)
    for url, body in editing_urls(draft, published):
        assert client.get(url).status_code in {403, 405}, url
        assert client.post(url, body, **HTMX).status_code == 403, url
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.graph == demo_graph()
    assert (draft.status, published.status) == ("draft", "published")
    assert ScriptVersion.objects.count() == 2
    assert CallScript.objects.count() == 1


def test_an_agent_reads_the_published_version(client, agent, draft, published):
    client.force_login(agent)
    response = client.get(reverse("scripts:read", args=["discharge"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "出院这段时间，您感觉身体恢复得怎么样？" in html
    assert reverse("scripts:edit", args=[draft.pk]) not in html
    assert client.get(reverse("scripts:version", args=[draft.pk])).status_code == 403
    assert client.get(reverse("scripts:preview", args=[draft.pk])).status_code == 403
    assert client.get(reverse("scripts:preview", args=[published.pk])).status_code == 200


def test_a_supervisor_opens_the_editor_of_a_draft(client, supervisor, draft):
    client.force_login(supervisor)
    response = client.get(reverse("scripts:edit", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="node-q_recovery"' in html
    assert "No problems: this draft can be published." in html


def test_the_editor_of_a_published_version_sends_to_its_page(client, supervisor, published):
    client.force_login(supervisor)
    response = client.get(reverse("scripts:edit", args=[published.pk]))
    assert response.status_code == 302
    assert response.url == reverse("scripts:version", args=[published.pk])


def test_a_text_edit_returns_the_node_card_and_saves_the_draft(client, supervisor, draft):
    client.force_login(supervisor)
    url = reverse("scripts:node_update", args=[draft.pk, "greet"])
    response = client.post(url, {"field": "text", "text": "{customer.honorific}您好！"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="card script-node')
    assert 'id="node-greet"' in html
    assert "<html" not in html
    # The rest of the page is refreshed out of band.
    assert 'id="script-problems" class="card shadow-sm mb-3" hx-swap-oob="true"' in html
    assert 'id="node-errors-q_note" class="node-errors" hx-swap-oob="true"' in html
    draft.refresh_from_db()
    assert node_in(draft.graph, "greet")["text"] == "{customer.honorific}您好！"


def test_an_unknown_variable_is_shown_beside_its_node(client, supervisor, draft):
    client.force_login(supervisor)
    url = reverse("scripts:node_update", args=[draft.pk, "q_note"])
    response = client.post(url, {"field": "text", "text": "{customer.phone}"}, **HTMX)
    html = response.content.decode()
    card = html[: html.index('id="script-problems"')]
    assert "Unknown variable {customer.phone}; use one from the list." in card
    assert "1 problem to fix before publishing" in html


def test_adding_a_node_returns_the_node_list_with_its_problems(client, supervisor, draft):
    client.force_login(supervisor)
    response = client.post(
        reverse("scripts:node_add", args=[draft.pk]),
        {"kind": "statement", "after": "q_medication", "text": "请多喝水"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="script-nodes">')
    assert "No path from the start comes to this node." in html
    assert "Choose what comes next: this is a dead end." in html
    draft.refresh_from_db()
    assert node_in(draft.graph, "s_1") == {
        "id": "s_1",
        "kind": "statement",
        "text": "请多喝水",
        "next": "",
    }


def test_connecting_the_new_node_clears_its_problems(client, supervisor, draft):
    script_service.add_node(
        version=draft, kind="statement", after="q_medication", text="请多喝水", actor=supervisor
    )
    client.force_login(supervisor)
    client.post(
        reverse("scripts:node_connect", args=[draft.pk, "s_1"]), {"next": "s_reminder"}, **HTMX
    )
    response = client.post(
        reverse("scripts:option_connect", args=[draft.pk, "q_medication", 1]),
        {"next": "s_1"},
        **HTMX,
    )
    html = response.content.decode()
    errors_of_s1 = re.search(r'<div id="node-errors-s_1"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert errors_of_s1.strip() == ""
    assert "No problems: this draft can be published." in html
    draft.refresh_from_db()
    assert node_in(draft.graph, "q_medication")["options"][1]["next"] == "s_1"
    assert node_in(draft.graph, "s_1")["next"] == "s_reminder"


def test_moving_and_removing_nodes_return_the_list(client, supervisor, draft):
    client.force_login(supervisor)
    client.post(
        reverse("scripts:node_move", args=[draft.pk, "identity"]), {"direction": "up"}, **HTMX
    )
    response = client.post(reverse("scripts:node_remove", args=[draft.pk, "q_note"]), **HTMX)
    assert response.content.decode().lstrip().startswith('<div id="script-nodes">')
    draft.refresh_from_db()
    order = [item["id"] for item in draft.graph["nodes"]]
    assert order[:2] == ["identity", "greet"]
    assert "q_note" not in order


def test_objection_handlers_are_added_and_removed(client, supervisor, draft):
    client.force_login(supervisor)
    response = client.post(
        reverse("scripts:objection_add", args=[draft.pk]),
        {"label": "在开车", "text": "那我晚点再打", "action": "return"},
        **HTMX,
    )
    assert response.content.decode().lstrip().startswith('<div id="script-objections">')
    client.post(reverse("scripts:objection_remove", args=[draft.pk, "busy"]), **HTMX)
    draft.refresh_from_db()
    assert [item["id"] for item in draft.graph["objections"]] == [
        "how_number",
        "scam",
        "complained",
        "dnc",
        "obj_1",
    ]


def test_an_edit_of_a_published_version_is_refused_with_its_reason(client, supervisor, published):
    client.force_login(supervisor)
    response = client.post(
        reverse("scripts:node_update", args=[published.pk, "greet"]),
        {"field": "text", "text": "改了"},
        **HTMX,
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#editor-messages"
    assert "Only a draft can be edited" in response.content.decode()
    published.refresh_from_db()
    assert published.graph == demo_graph()


def test_publishing_a_draft_with_a_problem_publishes_nothing(client, supervisor, draft, published):
    script_service.update_node(
        version=draft, node_id="close_ok", changes={"disposition": ""}, actor=supervisor
    )
    client.force_login(supervisor)
    response = client.post(
        reverse("scripts:publish", args=[draft.pk]),
        {"change_note": "改结束语"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not published: 1 problem must be fixed first" in html
    assert "Choose how a call that ends here is recorded." in html
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == ("draft", "published")
    assert not AuditEvent.objects.exists()


def test_publishing_a_valid_draft(client, supervisor, draft, published):
    client.force_login(supervisor)
    response = client.post(reverse("scripts:publish", args=[draft.pk]), {"change_note": "改进"})
    assert response.status_code == 302
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, draft.change_note, published.status) == ("published", "改进", "retired")
    assert AuditEvent.objects.get().action == AuditAction.PUBLISH_SCRIPT


def test_retiring_the_published_version(client, supervisor, published):
    client.force_login(supervisor)
    response = client.post(reverse("scripts:retire", args=[published.pk]))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == "retired"
    assert AuditEvent.objects.get().action == AuditAction.RETIRE_SCRIPT


def test_export_downloads_the_json_envelope(client, supervisor, published):
    client.force_login(supervisor)
    response = client.get(reverse("scripts:export", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="discharge-v1.json"'
    document = json.loads(response.content)
    assert (document["format"], document["format_version"]) == ("huifang-script", 1)
    assert document["graph"] == demo_graph()


def test_importing_a_bad_file_lists_its_problems(client, supervisor, published):
    client.force_login(supervisor)
    document = script_service.export_version(published)
    document["graph"]["start"] = "nowhere"
    upload = SimpleUploadedFile("s.json", json.dumps(document).encode(), "application/json")
    response = client.post(reverse("scripts:import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported: 1 problem." in html
    assert "The start node “nowhere” does not exist." in html
    assert ScriptVersion.objects.count() == 1


def test_importing_a_good_file_opens_the_new_draft(client, supervisor, published):
    client.force_login(supervisor)
    document = json.dumps(script_service.export_version(published)).encode()
    upload = SimpleUploadedFile("s.json", document, "application/json")
    response = client.post(reverse("scripts:import"), {"file": upload})
    draft = ScriptVersion.objects.get(number=2)
    assert response.status_code == 302
    assert response.url == reverse("scripts:edit", args=[draft.pk])
    assert draft.graph == published.graph


def test_creating_a_script_opens_its_first_draft(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("scripts:create"),
        {"name": "术后回访", "code": "post-op", "case_kind": "discharge", "description": ""},
    )
    version = ScriptVersion.objects.get(script__code="post-op")
    assert response.status_code == 302
    assert response.url == reverse("scripts:edit", args=[version.pk])
    assert (version.number, version.status) == (1, "draft")


def test_a_new_draft_from_the_list_copies_the_published_version(client, supervisor, published):
    client.force_login(supervisor)
    response = client.post(reverse("scripts:new_draft", args=["discharge"]))
    draft = ScriptVersion.objects.get(number=2)
    assert response.url == reverse("scripts:edit", args=[draft.pk])
    assert draft.graph == published.graph


def test_the_preview_hides_a_medical_node_from_a_sensitive_patient(client, supervisor, draft):
    graph = minimal_graph()
    # A draft mistake: a relative answering would come to the medical question.
    node_in(graph, "identity")["options"][1]["next"] = "q1"
    script_service.save_draft(version=draft, graph=graph, actor=supervisor)
    client.force_login(supervisor)
    url = reverse("scripts:preview", args=[draft.pk])
    steps = {"step": ["greet", "identity:family"], "sensitive": "1"}
    # The walk alone (htmx), without the graph beside it.
    html = client.get(url, steps, **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="walk"')
    assert "Medical: hidden until the identity is confirmed." in html
    assert "恢复得怎么样？" not in html
    html = client.get(url, {"step": ["greet", "identity:yes"], "sensitive": "1"}, **HTMX)
    html = html.content.decode()
    assert "恢复得怎么样？" in html


def test_the_editor_shows_a_draft_with_malformed_nodes(client, supervisor, draft):
    graph = minimal_graph()
    graph["nodes"] += [{"id": "odd", "kind": ["list"], "text": 3, "options": "x"}, {"id": "a/b"}]
    script_service.save_draft(version=draft, graph=graph, actor=supervisor)
    client.force_login(supervisor)
    response = client.get(reverse("scripts:edit", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Unknown node kind [&#x27;list&#x27;]." in response.content.decode()


def test_the_never_call_again_box_of_an_ending_handler_is_ticked_and_unticked(
    client, supervisor, draft
):
    client.force_login(supervisor)
    url = reverse("scripts:objection_update", args=[draft.pk, "busy"])  # ends the call

    ticked = client.post(url, {"field": "do_not_call", "do_not_call": "on"}, **HTMX)
    draft.refresh_from_db()
    assert draft.graph["objections"][0]["do_not_call"] is True
    assert re.search(r'id="o-busy-dnc" name="do_not_call" checked', ticked.content.decode())

    client.post(url, {"field": "do_not_call"}, **HTMX)  # an unticked box posts nothing
    draft.refresh_from_db()
    assert "do_not_call" not in draft.graph["objections"][0]
