"""The queue endpoints: claim the next call (200 masked, or 204 with the reason), renew its
lease, reveal its number to the holder (audited); only for roles that work the queue."""

from urllib.parse import unquote

import pytest
import time_machine
from rest_framework.test import APIClient

from followups.models import AuditAction, AuditEvent, QueueEntry, QueueEntryStatus
from followups.services.leases import Handed, handed
from scripts.models import ScriptVersion
from tests.api.monday import api_for, at, token_client_for
from tests.factories import (
    DepartmentFactory,
    PatientFactory,
    listed,
    plan_with_script,
    published_version,
)

pytestmark = pytest.mark.django_db

NEXT = "/api/v1/queue/next/"


@pytest.fixture
def plan():
    plan = plan_with_script("出院回访", "discharge")
    ScriptVersion.objects.create(script=plan.steps.get().script, number=1, status="retired")
    return plan


@pytest.fixture
def published(plan):
    return published_version(plan.steps.get().script, {"nodes": []}, number=2)


@pytest.fixture
def entry(plan):
    patient = PatientFactory(
        department=DepartmentFactory(name="心内科"),
        customer__name="张三",
        customer__phone="+8613812345678",
    )
    return listed(plan, patient=patient, priority=42, step=plan.steps.get())


def claim(client, when=None):
    with time_machine.travel(when or at(10, 40), tick=False):
        return client.post(NEXT)


def post(client, entry, action: str, when):
    """POST /api/v1/queue/<entry>/<action>/ at `when`."""
    with time_machine.travel(when, tick=False):
        return client.post(f"/api/v1/queue/{entry.pk}/{action}/")


@pytest.fixture
def holder(agent, entry):
    """agent-a's client, holding the entry: it claimed it at 10:40."""
    client = api_for(agent)
    claim(client)
    return client


def test_it_says_whose_list_a_call_taken_from_the_pool_was_on(agent, other_agent, entry):
    entry.assigned_agent = other_agent
    entry.save()

    body = claim(api_for(agent)).json()

    assert (body["id"], body["assigned_agent"], body["from_colleague"]) == (
        entry.pk,
        other_agent.pk,
        other_agent.pk,
    )


def test_it_hands_out_the_next_call_with_the_number_masked(agent, entry, published):
    response = claim(api_for(agent))

    assert response.status_code == 200
    body = response.json()
    # The proof of this claim: this entry, handed to this agent at 10:40.
    assert handed(entry, agent, body.pop("claim_token")) == Handed(entry.pk, agent.pk, at(10, 40))
    assert body == {
        "id": entry.pk,
        "task": entry.task_id,
        "case": entry.task.case_id,
        "case_kind": "discharge",
        "task_kind": "scheduled",
        "customer_honorific": "张先生",
        "masked_phone": "138****5678",
        "department": "心内科",
        "due_date": "2026-11-23",
        "callback_at": None,
        "assigned_agent": None,
        "from_colleague": None,
        "priority": 42,
        "claimed_at": "2026-11-23T10:40:00+08:00",
        "lease_expires_at": "2026-11-23T10:55:00+08:00",
        "script_version": published.pk,
        # The call covers the person's one follow-up due: the same as above.
        "tasks": [
            {
                "task": entry.task_id,
                "case": entry.task.case_id,
                "case_kind": "discharge",
                "task_kind": "scheduled",
                "step": {"id": entry.task.step_id, "offset_days": 3, "label": "Day 3"},
                "due_date": "2026-11-23",
                "callback_at": None,
                "attempts": 0,
                "budget_left": 6,
                "script_version": published.pk,
            }
        ],
    }
    assert b"12345678" not in response.content
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.CLAIMED, agent)


def test_a_call_without_a_department_or_published_script_says_null(agent, plan):
    entry = listed(plan)  # no patient, and the plan's step has no published version
    body = claim(api_for(agent)).json()
    assert (body["id"], body["department"], body["script_version"]) == (entry.pk, None, None)


def test_with_nothing_to_call_it_answers_204_with_the_reason_and_next_window(agent, entry):
    response = claim(api_for(agent), at(12, 0))

    assert response.status_code == 204
    assert response["X-Queue-Reason"] == "outside_window"
    assert response["X-Next-Possible-At"] == "2026-11-23T15:00:00+08:00"
    message = "Not in calling hours now. The next calls may be made from 15:00."
    assert unquote(response["X-Queue-Message"]) == message
    assert response.content == b""  # HTTP forbids a body on 204: the headers say it all
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.WAITING


def test_without_a_list_it_answers_204_no_list_and_no_next_moment(agent):
    response = claim(api_for(agent))
    assert response.status_code == 204
    assert response["X-Queue-Reason"] == "no_list"
    assert "X-Next-Possible-At" not in response


def test_the_message_header_carries_chinese_too(agent, entry):
    client = api_for(agent)
    with time_machine.travel(at(12, 0), tick=False):
        response = client.post(NEXT, HTTP_ACCEPT_LANGUAGE="zh-hans")
    message = unquote(response["X-Queue-Message"])
    assert message == "当前不在呼叫时间内。下一批电话可从 15:00 开始拨打。"
    assert response["X-Queue-Message"].isascii()


def test_a_token_works_as_well_as_a_session(agent, entry):
    assert claim(token_client_for(agent)).status_code == 200


def test_the_holder_renews_the_lease(holder, entry):
    response = post(holder, entry, "renew", at(10, 50))

    assert response.status_code == 200
    assert response.json() == {"id": entry.pk, "lease_expires_at": "2026-11-23T11:05:00+08:00"}
    entry.refresh_from_db()
    assert entry.lease_expires_at == at(11, 5)


def test_another_agent_cannot_renew_it(agent, other_agent, entry):
    claim(api_for(agent))
    response = post(api_for(other_agent), entry, "renew", at(10, 50))
    assert response.status_code == 409
    assert response.json() == {"detail": "This call is no longer yours."}
    entry.refresh_from_db()
    assert entry.lease_expires_at == at(10, 55)


def test_renewing_an_unknown_entry_is_404(agent):
    assert api_for(agent).post("/api/v1/queue/999999/renew/").status_code == 404


def test_the_holder_sees_the_number_and_it_is_audited(agent, holder, entry):
    response = post(holder, entry, "reveal-phone", at(10, 41))

    assert response.status_code == 200
    assert response.json() == {"phone": "+8613812345678"}
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id, event.detail) == (
        agent,
        AuditAction.REVEAL_PHONE,
        str(entry.pk),
        {"entry": entry.pk, "task": entry.task_id},
    )


@pytest.mark.parametrize("who", ["colleague", "holder after the lease"])
def test_nobody_else_sees_the_number(agent, other_agent, entry, who):
    claim(api_for(agent))
    asker, when = (other_agent, at(10, 41)) if who == "colleague" else (agent, at(10, 56))

    response = post(api_for(asker), entry, "reveal-phone", when)

    assert response.status_code == 403
    assert b"12345678" not in response.content
    assert not AuditEvent.objects.exists()


ENDPOINTS = [
    ("post", NEXT),
    ("post", "/api/v1/queue/1/renew/"),
    ("post", "/api/v1/queue/1/reveal-phone/"),
    ("post", "/api/v1/outcomes/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_supervisor_without_the_queue_right_gets_403(supervisor, method, url):
    response = getattr(api_for(supervisor), method)(url, {}, format="json")
    assert response.status_code == 403
    assert QueueEntry.objects.count() == 0


@pytest.mark.parametrize(("method", "url"), [*ENDPOINTS, ("get", "/api/v1/ping/")])
def test_anonymous_callers_are_refused(method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")
    assert response.status_code in {401, 403}


def test_an_admin_holds_every_right_and_may_work_the_queue(admin_user, entry):
    assert claim(api_for(admin_user)).status_code == 200


def test_ping_answers_any_signed_in_user(supervisor):
    response = api_for(supervisor).get("/api/v1/ping/")
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_the_schema_documents_both_answers_of_next(admin_user):
    client = APIClient()
    client.force_login(admin_user)
    schema = client.get("/api/schema/?format=json").json()
    responses = schema["paths"]["/api/v1/queue/next/"]["post"]["responses"]
    assert set(responses) == {"200", "204"}
    assert set(responses["204"]["headers"]) == {
        "X-Queue-Reason",
        "X-Queue-Message",
        "X-Next-Possible-At",
    }
    assert "/api/v1/ping/" in schema["paths"]
