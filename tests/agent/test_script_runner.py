"""The script runner: one node at a time with the call's values, answers and objection
handlers that move it on, Back one step, the path carried by the page; what the answers
tell the outcome; medical text hidden from a sensitive patient until the identity check."""

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.urls import reverse

from followups.models import CallAttempt, ScriptAnswer
from followups.services.claims import claim_next_call
from scripts.models import ScriptVersion
from tests.agent.conftest import TICKET, TO_SATISFACTION, at, htmx, listed_entry, open_call, when

pytestmark = pytest.mark.django_db


def step(client, entry, ticket, path, **data):
    """One step of the runner of the entry's lead follow-up."""
    with when(at(10, 42)):
        return client.post(
            reverse("agent:script", args=[entry.pk]),
            {"ticket": ticket, "task": entry.task_id, f"path_{entry.task_id}": json.dumps(path)}
            | data,
            **htmx(),
        )


def runner(response) -> dict:
    raw = response.content.decode()
    node = re.search(r'data-node="([^"]*)">([^<]*)</p>', raw)
    path = re.search(r'id="call-path" [^>]*value="([^"]*)"', raw)[1]
    return {
        "path": json.loads(unescape(path)),
        "node": node[1] if node else None,
        "text": unescape(node[2]) if node else None,
        "prefill": json.loads(unescape(re.search(r'data-prefill="([^"]*)"', raw)[1])),
        "html": unescape(raw),
    }


def test_an_answer_moves_the_script_one_node_on(client, held, ticket):
    response = step(client, held, ticket, [], token="greet")

    assert response.status_code == 200
    shown = runner(response)
    assert shown["path"] == ["greet"]
    assert (shown["node"], shown["text"]) == (
        "identity",
        "为了保护您的隐私，先跟您确认一下：请问您是张三本人吗？",
    )
    assert 'value="identity:yes" hx-post' in shown["html"]
    assert 'data-answer-key="3"><kbd class="me-2">3</kbd>不是</button>' in shown["html"]


def test_the_call_values_fill_the_text(client, held, ticket):
    shown = runner(step(client, held, ticket, ["greet"], token="identity:yes"))

    assert shown["node"] == "s_purpose"
    assert shown["text"].startswith("您是11月10日从我们心内科出院的，周建国医生很关心")


def test_back_goes_one_step_back(client, held, ticket):
    shown = runner(step(client, held, ticket, ["greet", "identity:yes"], back="1"))

    assert shown["path"] == ["greet"]
    assert shown["node"] == "identity"


def test_the_path_panel_follows_the_runner(client, held, ticket):
    html = runner(step(client, held, ticket, ["greet"], token="identity:yes"))["html"]

    panel = html[html.index('id="path-so-far" hx-swap-oob="true"') :]
    assert "→ <strong>是本人</strong>" in panel


def test_an_answer_that_does_not_fit_is_ignored(client, held, ticket):
    shown = runner(step(client, held, ticket, ["greet"], token="q_recovery:good"))

    assert shown["path"] == ["greet"]
    assert shown["node"] == "identity"


def test_a_returning_objection_is_said_and_the_call_stays_where_it_was(client, held, ticket):
    shown = runner(step(client, held, ticket, ["greet"], token="!how_number"))

    assert shown["path"] == ["greet", "!how_number"]
    assert shown["node"] == "identity"
    said = shown["html"][shown["html"].index('id="objection-said"') :]
    assert "您的电话是住院登记时留下的" in said


def test_a_jumping_objection_goes_on_at_its_target(client, held, ticket):
    shown = runner(step(client, held, ticket, ["greet", "identity:yes"], token="!complained"))

    assert shown["path"] == ["greet", "identity:yes", "!complained"]
    assert shown["node"] == "s_complaint"


def test_an_ending_objection_ends_the_script_and_preselects_its_disposition(client, held, ticket):
    shown = runner(step(client, held, ticket, ["greet"], token="!dnc"))

    assert shown["node"] is None
    assert 'id="script-ended"' in shown["html"]
    assert "“Refused” is preselected in the outcome." in shown["html"]
    # The demo's "never call me again" handler ticks the do-not-call box too.
    assert shown["prefill"] == {"disposition": "refused", "do_not_call": "on"}
    assert 'id="objections"' not in shown["html"]


def test_a_rating_prefills_the_satisfaction(client, held, ticket):
    shown = runner(step(client, held, ticket, TO_SATISFACTION, token="q_satisfaction:neutral"))

    assert shown["node"] == "q_note"
    assert shown["prefill"] == {"satisfaction": "neutral"}


def test_a_red_flag_prefills_an_urgent_medical_escalation(client, held, ticket):
    path = ["greet", "identity:yes", "s_purpose", "q_recovery:fair"]

    shown = runner(step(client, held, ticket, path, token="q_symptom:yes"))

    assert shown["node"] == "s_urgent"
    assert shown["prefill"] == {
        "escalation_category": "medical",
        "escalation_severity": "urgent",
        "escalation_description": "有，需要医生看看",
    }


def test_a_typed_answer_is_noted_and_the_closing_preselects_its_disposition(client, held, ticket):
    path = [*TO_SATISFACTION, "q_satisfaction:satisfied"]

    shown = runner(step(client, held, ticket, path, node="q_note", answer=" 希望停车方便些 "))

    assert shown["path"] == [*path, "q_note:希望停车方便些"]
    assert shown["node"] is None
    assert "谢谢您的耐心配合！祝您早日康复" in shown["html"]
    assert shown["prefill"] == {"satisfaction": "satisfied", "disposition": "complete"}


def test_an_empty_typed_answer_keeps_the_step_and_says_why(client, held, ticket):
    path = [*TO_SATISFACTION, "q_satisfaction:satisfied"]

    shown = runner(step(client, held, ticket, path, node="q_note", answer="  "))

    assert shown["path"] == path
    assert shown["node"] == "q_note"
    said = 'id="runner-unanswered" role="alert">Nothing was noted: type the answer first'
    assert said in shown["html"]
    # A step answered says nothing of the kind.
    shown = runner(step(client, held, ticket, path, node="q_note", answer="好"))
    assert "runner-unanswered" not in shown["html"]


ASKED_EMPTY = {
    "schema": 1,
    "start": "greet",
    "nodes": [
        {"id": "greet", "kind": "greeting", "text": "{customer.honorific}您好！", "next": "q_day"},
        {
            "id": "q_day",
            "kind": "question",
            "answer_type": "date",
            "text": "哪天去复查？",
            "next": "q_where",
        },
        {
            "id": "q_where",
            "kind": "question",
            "answer_type": "multiple",
            "text": "哪里不舒服？",
            "options": [{"value": "head", "label": "头"}, {"value": "back", "label": "背"}],
            "next": "close",
        },
        {"id": "close", "kind": "closing", "text": "再见！", "disposition": "complete"},
    ],
    "objections": [],
}


@pytest.fixture
def asked_empty(client, agent, plan, version):
    """A call on a script asking for a date, then for answers to tick; its ticket."""
    version.status = "retired"
    version.save()
    ScriptVersion.objects.create(
        script=version.script, number=2, status="published", graph=ASKED_EMPTY
    )
    entry = listed_entry(plan, agent)
    claim_next_call(agent=agent, now=at(10, 40))
    client.force_login(agent)
    return entry, open_call(client, entry)


def test_an_empty_date_keeps_the_step_and_says_why(client, asked_empty):
    entry, ticket = asked_empty

    shown = runner(step(client, entry, ticket, ["greet"], node="q_day", answer=""))

    assert (shown["path"], shown["node"]) == (["greet"], "q_day")
    said = 'id="runner-unanswered" role="alert">Nothing was noted: pick the date first'
    assert said in shown["html"]
    shown = runner(step(client, entry, ticket, ["greet"], node="q_day", answer="2026-12-01"))
    assert (shown["path"], shown["node"]) == (["greet", "q_day:2026-12-01"], "q_where")
    assert "runner-unanswered" not in shown["html"]


def test_nothing_ticked_keeps_the_step_and_says_why(client, asked_empty):
    entry, ticket = asked_empty
    path = ["greet", "q_day:2026-12-01"]

    # The tick-boxes' form sends the node and no answer when none is ticked.
    shown = runner(step(client, entry, ticket, path, node="q_where"))

    assert (shown["path"], shown["node"]) == (path, "q_where")
    said = 'id="runner-unanswered" role="alert">Nothing was noted: tick the answers first'
    assert said in shown["html"]
    shown = runner(step(client, entry, ticket, path, node="q_where", answer=["head", "back"]))
    assert shown["path"] == [*path, "q_where:head,back"]
    assert "runner-unanswered" not in shown["html"]


def test_it_refuses_a_step_without_a_valid_ticket(client, held, ticket):
    response = step(client, held, ticket[:-2] + "xx", [], token="greet")

    assert response.status_code == 403
    assert response["X-Agent-Fragment"] == "1"
    assert "This call screen is out of date: open the call again." in unescape(
        response.content.decode()
    )


def test_it_refuses_the_ticket_of_another_agent(client, held, ticket, other_agent):
    client.force_login(other_agent)

    response = step(client, held, ticket, [], token="greet")

    assert response.status_code == 403
    assert "张三" not in response.content.decode()


MEDICAL_FIRST = {
    "schema": 1,
    "start": "greet",
    "nodes": [
        {"id": "greet", "kind": "greeting", "text": "{customer.honorific}您好！", "next": "s_med"},
        {
            "id": "s_med",
            "kind": "statement",
            "text": "您在{patient.department}的复查结果出来了。",
            "next": "close",
        },
        {"id": "close", "kind": "closing", "text": "再见！", "disposition": "complete"},
    ],
    "objections": [],
}


@pytest.fixture
def medical_first(plan, version):
    version.status = "retired"
    version.save()
    return ScriptVersion.objects.create(
        script=version.script, number=2, status="published", graph=MEDICAL_FIRST
    )


@pytest.mark.parametrize(("sensitive", "shown"), [(True, False), (False, True)])
def test_medical_text_waits_for_the_identity_check_of_a_sensitive_patient(
    client, as_agent, agent, plan, medical_first, sensitive, shown
):
    entry = listed_entry(plan, agent, sensitive=sensitive)
    claim_next_call(agent=agent, now=at(10, 40))
    ticket = open_call(client, entry)

    html = runner(step(client, entry, ticket, [], token="greet"))["html"]

    assert ("您在心内科的复查结果出来了。" in html) is shown
    assert ('id="medical-hidden"' in html) is not shown
    assert ('value="s_med" hx-post' in html) is shown
    assert ('id="identity-state"' in html) is sensitive


def earlier_call(entry, agent, version, *, notes="说过伤口有点红"):
    """Yesterday's call of the same case: recovery fair (medical), satisfied (not)."""
    attempt = CallAttempt.objects.create(
        task=entry.task,
        agent=agent,
        started_at=at(15, 0) - dt.timedelta(days=1),
        ended_at=at(15, 5) - dt.timedelta(days=1),
        disposition="complete",
        script_version=version,
        notes=notes,
        idempotency_key=f"earlier-{entry.pk}",
    )
    for position, (node, value) in enumerate(
        [("q_recovery", "fair"), ("q_satisfaction", "satisfied")], start=1
    ):
        ScriptAnswer.objects.create(attempt=attempt, position=position, node_id=node, value=value)


def history_panel(html: str) -> str:
    """From the panel on (the graph's Chinese labels appear nowhere after it)."""
    return unescape(html[html.index('id="history"') :])


@pytest.mark.parametrize("sensitive", [True, False])
def test_earlier_medical_answers_wait_for_the_identity_check_of_a_sensitive_patient(
    client, as_agent, agent, plan, version, sensitive
):
    entry = listed_entry(plan, agent, sensitive=sensitive)
    earlier_call(entry, agent, version)
    claim_next_call(agent=agent, now=at(10, 40))
    with when(at(10, 41)):
        page = client.get(reverse("agent:call", args=[entry.pk])).content.decode()
    ticket = TICKET.search(page).group(1)

    opened = history_panel(page)
    assert ("还有点不舒服" in opened) is not sensitive  # q_recovery: "fair"
    assert ("说过伤口有点红" in opened) is not sensitive
    assert ("Medical answer withheld" in opened) is sensitive
    assert "满意" in opened  # satisfaction is not medical: always shown

    confirmed = step(client, entry, ticket, ["greet"], token="identity:yes").content.decode()
    if sensitive:
        panel = history_panel(confirmed)
        assert 'hx-swap-oob="true"' in panel
        assert "还有点不舒服" in panel and "说过伤口有点红" in panel
        back = step(client, entry, ticket, ["greet", "identity:yes"], back="1").content.decode()
        assert "还有点不舒服" not in history_panel(back)
    else:
        assert 'id="history"' not in confirmed  # nothing to update out of band
