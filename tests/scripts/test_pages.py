"""The script list, the comparison and the navigation link."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.models import PlanStep
from scripts import services as script_service
from scripts.models import CallScript, ScriptVersion
from tests.factories import CallAttemptFactory, FollowUpPlanFactory, UserFactory

from .conftest import demo_graph

pytestmark = pytest.mark.django_db


def test_the_list_shows_versions_plans_and_calls(client, supervisor, draft, published):
    plan = FollowUpPlanFactory(name="出院回访计划", offsets=[3, 7])
    plan.steps.update(script=published.script)
    CallAttemptFactory.create_batch(3, script_version=published)
    client.force_login(supervisor)
    rows = script_service.script_overview()
    assert [(row.version.number, row.calls) for row in rows[0].versions] == [(2, 0), (1, 3)]
    assert rows[0].plans == ["出院回访计划"]
    html = client.get(reverse("scripts:list")).content.decode()
    assert "出院回访计划" in html
    assert reverse("scripts:edit", args=[draft.pk]) in html


def test_the_list_costs_the_same_queries_for_one_script_or_many(client, supervisor, published):
    client.force_login(supervisor)
    client.get(reverse("scripts:list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("scripts:list"))
    for number in range(3):
        script = CallScript.objects.create(name=f"话术{number}", code=f"s{number}")
        version = ScriptVersion.objects.create(
            script=script, number=1, status="published", graph=demo_graph()
        )
        CallAttemptFactory(script_version=version)
        plan = FollowUpPlanFactory(offsets=[1])
        PlanStep.objects.filter(plan=plan).update(script=script)
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("scripts:list"))
    assert len(four.captured_queries) == len(one.captured_queries)


def test_an_agent_sees_only_published_scripts_in_the_list(client, agent, draft, published):
    CallScript.objects.create(name="未发布的", code="unpublished")
    client.force_login(agent)
    html = client.get(reverse("scripts:list")).content.decode()
    assert reverse("scripts:read", args=["discharge"]) in html
    assert "未发布的" not in html
    assert reverse("scripts:edit", args=[draft.pk]) not in html
    assert reverse("scripts:create") not in html


def test_the_list_names_each_script_first_its_code_small_and_muted(client, agent, published):
    client.force_login(agent)
    html = client.get(reverse("scripts:list")).content.decode()

    name = html.index(f">{published.script.name}</span>")
    code = html.index(f">{published.script.code}</small>")
    assert name < code
    assert 'class="text-muted font-monospace script-code"' in html[html.rindex("<", 0, code) :]


def comparison(client, supervisor) -> str:
    """The comparison page of the discharge script's versions 1 and 2, in English."""
    client.force_login(supervisor)
    response = client.get(
        reverse("scripts:compare", args=["discharge"]),
        {"old": 1, "new": 2},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_comparison_shows_both_versions_side_by_side(client, supervisor, draft, published):
    script_service.update_node(
        version=draft,
        node_id="q_note",
        changes={"text": "您还有别的建议吗？"},
        actor=supervisor,
    )
    script_service.remove_node(version=draft, node_id="close_urgent", actor=supervisor)
    html = comparison(client, supervisor)
    assert "1 node removed" in html
    # s_urgent still names close_urgent: its own fields did not change.
    assert "1 node changed" in html
    assert '<span class="diff-del">' in html
    assert '<span class="diff-ins">' in html


def test_the_comparison_names_the_changed_fields_in_the_editors_words(client, supervisor, draft):
    script_service.add_option(
        version=draft, node_id="q_recovery", value="", label="说不好", actor=supervisor
    )
    html = comparison(client, supervisor)
    assert "Answers: " in html and "Answers:</span>" in html
    assert "options:" not in html
    # One node changed, none added or removed: only the badge that counts something.
    assert "1 node changed" in html
    assert "0 nodes removed" not in html and "0 nodes added" not in html


def test_a_comparison_without_a_change_says_so(client, supervisor, published, draft):
    html = comparison(client, supervisor)
    assert 'id="no-node-change"' in html
    assert "nodes removed" not in html and "node removed" not in html


def test_the_full_size_graph_is_the_svg_itself(client, supervisor, published):
    client.force_login(supervisor)
    page = client.get(reverse("scripts:preview", args=[published.pk])).content.decode()
    graph_url = reverse("scripts:graph", args=[published.pk])
    assert f'href="{graph_url}" target="_blank"' in page
    response = client.get(graph_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response.content.decode().startswith("<svg")


@pytest.mark.parametrize(("role", "shown"), [("agent", True), ("supervisor", True), ("", False)])
def test_the_navigation_links_to_the_scripts_for_those_who_may_read_them(client, role, shown):
    user = UserFactory(username=f"nav-{role or 'none'}", role=role or None)
    client.force_login(user)
    html = client.get(reverse("no_role"), follow=True).content.decode()
    assert (f'href="{reverse("scripts:list")}"' in html) is shown
