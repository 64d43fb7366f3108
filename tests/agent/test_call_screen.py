"""The call screen: only for the agent holding the call, who sees the customer with the
number masked, the case, the script's first node with the call's values, and the case's
earlier calls; opening it keeps the call held."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.models import CallAttempt, QueueEntryStatus, ScriptAnswer
from followups.services.claims import claim_next_call
from followups.views.person_call import TICKET_MAX_AGE
from scripts.models import ScriptVersion
from tests.agent.conftest import at, hold_on, html_of, listed_entry, when

pytestmark = pytest.mark.django_db


def open_screen(client, entry, moment):
    with when(moment):
        return client.get(reverse("agent:call", args=[entry.pk]))


def test_the_holder_sees_the_call_with_the_number_masked(client, as_agent, held):
    response = open_screen(client, held, at(10, 41))

    html = html_of(response)
    header = html[html.index('id="customer-name"') :].split("</h1>")[0]
    assert '张三 <span class="text-muted fs-6">张先生</span>' in header
    assert '<span class="phone-masked fs-5">138****5678</span>' in html
    assert "12345678" not in html
    for fact in ["Discharge follow-up", "心内科", "周建国", "2026-11-10", "call 1"]:
        assert fact in html
    # The attempt budget counts only calls nobody answers: all six are left on the first.
    assert "6 unanswered calls left" in html
    assert '<dd id="best-time">No best time known yet.</dd>' in html
    assert 'data-node="greet">张先生您好！我是示例医院客户服务中心的回访专员' in html
    assert '出院回访 <span class="text-muted small">v1</span>' in html


def test_opening_the_screen_keeps_the_call_held(client, as_agent, held):
    response = open_screen(client, held, at(10, 50))

    assert "Held for you until 11:05" in response.content.decode()
    held.refresh_from_db()
    assert held.lease_expires_at == at(11, 5)


def test_another_agent_is_told_the_call_is_not_theirs(client, other_agent, held, agent):
    client.force_login(other_agent)

    response = open_screen(client, held, at(10, 41))

    html = html_of(response, 403)
    assert "This call is no longer yours" in html
    assert "张三" not in html
    assert hold_on(held) == (agent, at(10, 55))


def test_a_finished_call_is_no_longer_the_agents(client, as_agent, held):
    held.status = QueueEntryStatus.DONE
    held.save()

    response = open_screen(client, held, at(10, 41))

    assert response.status_code == 403
    assert "This call is no longer yours" in response.content.decode()


def test_the_earlier_calls_of_the_case_are_beside_the_script(
    client, as_agent, agent, held, version
):
    earlier = CallAttempt.objects.create(
        task=held.task,
        agent=agent,
        started_at=at(15, 10, held.call_list.day - dt.timedelta(days=1)),
        ended_at=at(15, 14, held.call_list.day - dt.timedelta(days=1)),
        disposition="partial",
        script_version=version,
        notes="说下午再聊",
        idempotency_key="earlier-call",
    )
    ScriptAnswer.objects.bulk_create(
        [
            ScriptAnswer(attempt=earlier, position=1, node_id="greet", value=""),
            ScriptAnswer(attempt=earlier, position=2, node_id="identity", value="yes"),
            ScriptAnswer(attempt=earlier, position=3, node_id="busy", is_objection=True),
        ]
    )

    response = open_screen(client, held, at(10, 41))

    html = response.content.decode()
    panel = html[html.index('id="history"') :]
    assert "Reached: partial" in panel
    assert "2026-11-22 15:10" in panel
    assert '<span class="fw-semibold">是本人</span>' in panel
    assert "现在没空" in panel
    assert "说下午再聊" in panel


def test_a_call_without_a_published_script_still_takes_an_outcome(client, as_agent, agent, plan):
    entry = listed_entry(plan, agent)
    claim_next_call(agent=agent, now=at(10, 40))

    response = open_screen(client, entry, at(10, 41))

    html = response.content.decode()
    assert 'id="no-script"' in html
    assert 'id="outcome-form"' in html


def test_the_screen_costs_the_same_queries_however_long_the_history(client, as_agent, agent, held):
    def earlier_calls(count: int) -> None:
        for number in range(count):
            attempt = CallAttempt.objects.create(
                task=held.task,
                agent=agent,
                started_at=at(15, number, held.call_list.day - dt.timedelta(days=1)),
                ended_at=at(15, number + 1, held.call_list.day - dt.timedelta(days=1)),
                disposition="no_answer",
                idempotency_key=f"earlier-{CallAttempt.objects.count()}",
            )
            ScriptAnswer.objects.create(attempt=attempt, position=1, node_id="greet")

    open_screen(client, held, at(10, 41))  # the agent's rights are read once, then cached
    counts = []
    for count in (1, 6):
        earlier_calls(count)
        with CaptureQueriesContext(connection) as queries:
            open_screen(client, held, at(10, 41))
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_version_published_during_the_call_waits_for_the_next_call(
    client, as_agent, held, version
):
    version.status = "retired"
    version.save()
    newer = ScriptVersion.objects.create(
        script=version.script,
        number=2,
        status="published",
        graph=version.graph,
        published_at=at(10, 41),
    )

    html = open_screen(client, held, at(10, 42)).content.decode()

    assert '出院回访 <span class="text-muted small">v1</span>' in html
    assert f"v{newer.number}</span>" not in html


def test_a_call_taken_from_a_colleagues_list_names_the_colleague(client, as_agent, held):
    from tests.factories import UserFactory

    held.assigned_agent = UserFactory(username="agent-b", first_name="刘洋", role="agent")
    held.save()

    html = open_screen(client, held, at(10, 41)).content.decode()

    assert '<dd id="from-colleague">刘洋</dd>' in html


def test_an_own_call_names_no_colleague(client, as_agent, agent, held):
    held.assigned_agent = agent
    held.save()

    html = open_screen(client, held, at(10, 41)).content.decode()

    assert 'id="from-colleague"' not in html


def test_the_screen_names_its_draft_by_agent_call_and_claim(client, as_agent, agent, held):
    """call_screen.js keeps what the agent enters under this name: another claim of the
    call (or another agent) never finds it."""
    html = html_of(open_screen(client, held, at(10, 41)))

    stamp = int(held.claimed_at.timestamp())
    assert f'id="call-header" data-entry="{held.pk}" data-draft="{agent.pk}-{held.pk}-{stamp}"' in (
        html
    )
    # Kept as long as the screen's ticket stays good, in seconds.
    seconds = int(TICKET_MAX_AGE.total_seconds())
    assert f'data-draft="{agent.pk}-{held.pk}-{stamp}" data-draft-max-age="{seconds}">' in html
    assert 'id="draft-restored" role="status" hidden' in html


def test_a_record_sent_after_the_session_ended_leads_to_the_login_and_back(client, held):
    call = reverse("agent:call", args=[held.pk])

    with when(at(10, 44)):
        response = client.post(
            reverse("agent:outcome", args=[held.pk]),
            {"ticket": "t", "disposition": "complete", "notes": "kept in the tab"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL=f"http://testserver{call}",
        )

    # htmx takes the whole page to the login, which comes back to the held call after it.
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('login')}?next={call}"
    assert not CallAttempt.objects.exists()
    login = client.get(response["HX-Redirect"]).content.decode()
    assert 'id="draft-kept" role="status" hidden' in login
    assert "What you entered on the call (outcome, notes, script progress) is kept" in login
    assert "js/call_screen" in login
