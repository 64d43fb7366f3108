"""POST /api/v1/outcomes/: 201 on the first submit, 200 with the same body on a replay,
400 with errors by field on bad input (never a 500), 403 for roles that do not call."""

import pytest
import time_machine

from followups.models import CallAttempt, Escalation, QueueEntryStatus, TaskStatus
from followups.services.claims import claim_next_call
from followups.services.leases import claim_token
from scripts.models import CallScript, ScriptVersion
from tests.api.monday import api_for, at
from tests.calls import handed
from tests.factories import UserFactory, default_plan, listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/outcomes/"


@pytest.fixture
def entry(agent):
    on_the_list = listed(default_plan())
    # What queue/next told the agent with the call.
    on_the_list.claim_token = claim_token(handed(agent, at(10, 40)), agent)
    return on_the_list


@pytest.fixture
def version():
    script = CallScript.objects.create(name="出院回访", code="discharge")
    return ScriptVersion.objects.create(
        script=script,
        number=1,
        status="published",
        graph={"nodes": [{"id": "greet"}, {"id": "close_ok"}], "objections": [{"id": "busy"}]},
    )


def payload(listed, **fields):
    """An outcome of the call, sent with the claim token of its claim (claim_token=None:
    sent without one)."""
    body = {
        "entry": listed.pk,
        "idempotency_key": "3f0c-call-1",
        "disposition": "complete",
        "started_at": "2026-11-23T10:40:00+08:00",
        "ended_at": "2026-11-23T10:43:30+08:00",
        "claim_token": listed.claim_token,
        **fields,
    }
    if body["claim_token"] is None:
        del body["claim_token"]
    return body


def post(client, body, when=None, **headers):
    with time_machine.travel(when or at(10, 44), tick=False):
        return client.post(URL, body, format="json", **headers)


def test_the_first_submit_is_created_and_says_what_follows(agent, entry, version):
    body = payload(
        entry,
        disposition="no_answer",
        script_version=version.pk,
        answers=[{"node_id": "greet", "value": ""}],
    )

    response = post(api_for(agent), body)

    assert response.status_code == 201
    attempt = CallAttempt.objects.get()
    assert response.json() == {
        "attempt": attempt.pk,
        "idempotency_key": "3f0c-call-1",
        "entry": entry.pk,
        "task": entry.task_id,
        "disposition": "no_answer",
        "started_at": "2026-11-23T10:40:00+08:00",
        "ended_at": "2026-11-23T10:43:30+08:00",
        "script_version": version.pk,
        "after_lease_lost": False,
        # No answer in the morning window: six calls nobody answers are spread over the
        # week, the next three windows on, on Tuesday afternoon.
        "follow_up": {
            "action": "retry",
            "earliest": "2026-11-24T15:00:00+08:00",
            "reason": "no_answer",
        },
        "escalation": None,
        # The person had one follow-up due: the call settled it alone.
        "settled": [
            {
                "attempt": attempt.pk,
                "task": entry.task_id,
                "disposition": "no_answer",
                "script_version": version.pk,
                "follow_up": {
                    "action": "retry",
                    "earliest": "2026-11-24T15:00:00+08:00",
                    "reason": "no_answer",
                },
            }
        ],
        "kept_open": [],
    }
    assert list(attempt.answers.values_list("node_id", flat=True)) == ["greet"]
    entry.task.refresh_from_db()
    assert (entry.task.status, entry.task.attempts) == (TaskStatus.PENDING, 1)


def test_a_replay_answers_200_with_the_same_body_and_writes_nothing(agent, entry):
    client = api_for(agent)
    first = post(client, payload(entry))

    again = post(client, payload(entry), when=at(10, 50))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert CallAttempt.objects.count() == 1
    entry.task.refresh_from_db()
    assert entry.task.attempts == 1


def test_the_key_may_come_in_the_idempotency_key_header(agent, entry):
    body = payload(entry)
    del body["idempotency_key"]

    response = post(api_for(agent), body, HTTP_IDEMPOTENCY_KEY="from-header")

    assert response.status_code == 201
    assert CallAttempt.objects.get().idempotency_key == "from-header"


def test_a_key_in_both_places_must_agree(agent, entry):
    response = post(api_for(agent), payload(entry), HTTP_IDEMPOTENCY_KEY="something-else")
    assert response.status_code == 400
    assert list(response.json()) == ["idempotency_key"]
    assert not CallAttempt.objects.exists()


def test_without_a_key_nothing_is_recorded(agent, entry):
    body = payload(entry)
    del body["idempotency_key"]
    response = post(api_for(agent), body)
    assert response.status_code == 400
    assert response.json() == {"idempotency_key": ["An idempotency key is required."]}
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"disposition": "hung_up"}, "disposition"),
        ({"disposition": "callback"}, "callback_at"),
        ({"ended_at": "2026-11-23T10:39:00+08:00"}, "ended_at"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"entry": 999999}, "entry"),
        ({"script_version": 999999}, "script_version"),
        ({"answers": "greet"}, "answers"),
        ({"answers": [{"value": "x"}]}, "answers"),
        ({"escalation": {"category": "weather", "description": "x"}}, "escalation"),
        ({"satisfaction": "thrilled"}, "satisfaction"),
        ({"notes": "a\x00b"}, "notes"),
        ({"idempotency_key": "k" * 65}, "idempotency_key"),
        ({"callback_at": "9999-12-31T23:59:59-12:00", "disposition": "callback"}, "callback_at"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(agent, entry, fields, field):
    response = post(api_for(agent), payload(entry, **fields))
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not CallAttempt.objects.exists()


def test_answers_outside_the_script_version_are_refused(agent, entry, version):
    body = payload(entry, script_version=version.pk, answers=[{"node_id": "nowhere"}])

    response = post(api_for(agent), body)

    assert response.status_code == 400
    assert response.json() == {
        "answers": ["These nodes are not in script version 出院回访 v1: nowhere."]
    }


def test_malformed_json_is_a_400(agent, entry):
    with time_machine.travel(at(10, 44), tick=False):
        response = api_for(agent).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_a_late_submit_is_kept_and_flagged(agent, entry):
    colleague = UserFactory(username="colleague", role="agent")
    claim_next_call(agent=colleague, now=at(10, 56))

    response = post(api_for(agent), payload(entry), when=at(10, 58))

    assert response.status_code == 201
    assert response.json()["after_lease_lost"] is True
    assert CallAttempt.objects.get().after_lease_lost is True
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.CLAIMED, colleague)


def test_an_escalation_comes_back_with_its_due_time(agent, entry):
    body = payload(
        entry, escalation={"category": "billing", "severity": "high", "description": "多收费"}
    )

    response = post(api_for(agent), body)

    escalation = Escalation.objects.get()
    assert response.json()["escalation"] == {
        "id": escalation.pk,
        "category": "billing",
        "severity": "high",
        "due_at": "2026-11-24T10:44:00+08:00",
    }


def test_a_supervisor_cannot_record_calls(supervisor, entry):
    response = post(api_for(supervisor), payload(entry))
    assert response.status_code == 403
    assert not CallAttempt.objects.exists()


def test_a_late_submit_without_its_claim_token_is_refused(agent, entry):
    colleague = UserFactory(username="colleague", role="agent")
    claim_next_call(agent=colleague, now=at(10, 56))

    response = post(api_for(agent), payload(entry, claim_token=None), when=at(10, 58))

    assert response.status_code == 403
    assert "not handed to you" in response.json()["detail"]
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize("token", ["", "forged", "someone else's"])
def test_an_agent_cannot_record_a_call_never_handed_to_them(agent, entry, token):
    stranger = UserFactory(username="stranger", role="agent")
    if token == "someone else's":
        token = entry.claim_token  # the holder's token proves nothing for the stranger

    response = post(api_for(stranger), payload(entry, claim_token=token))

    assert response.status_code == 403
    assert not CallAttempt.objects.exists()
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.CLAIMED, agent)


def test_an_outcome_can_put_the_customer_on_do_not_call(agent, entry):
    response = post(api_for(agent), payload(entry, disposition="refused", do_not_call=True))

    assert response.status_code == 201
    customer = entry.task.case.customer
    customer.refresh_from_db()
    assert customer.do_not_call is True
