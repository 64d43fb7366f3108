"""What an idempotency key promises, whatever happened to the call since: a replay of the
same submit gets the first result; the same key with another body is refused, naming the
key; a call whose outcome is recorded takes no further outcome without a new claim."""

import pytest
import time_machine

from followups.models import CallAttempt, Escalation, QueueEntryStatus
from followups.services.claims import claim_next_call
from followups.services.leases import claim_token
from tests.api.monday import MONDAY, api_for, at
from tests.factories import (
    CallingPolicyFactory,
    CallListFactory,
    CaseFactory,
    FollowUpPlanFactory,
    FollowUpTaskFactory,
    QueueEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/outcomes/"


@pytest.fixture
def plan(db):
    return FollowUpPlanFactory(calling_policy=CallingPolicyFactory(is_default=True), offsets=[])


def listed_and_claimed(plan, agent, when):
    task = FollowUpTaskFactory(case=CaseFactory(plan=plan), due_date=MONDAY)
    listed = QueueEntryFactory(call_list=CallListFactory(day=MONDAY), task=task)
    claim = claim_next_call(agent=agent, now=when)
    assert claim.entry.pk == listed.pk
    listed.claim_token = claim_token(claim.entry, agent)
    return listed


@pytest.fixture
def entry(plan, agent):
    return listed_and_claimed(plan, agent, at(10, 40))


def body_of(entry, **fields):
    return {
        "entry": entry.pk,
        "idempotency_key": "call-1",
        # A relative answered: the person is tried again in the afternoon window.
        "disposition": "family",
        "started_at": "2026-11-23T10:40:00+08:00",
        "ended_at": "2026-11-23T10:41:00+08:00",
        "claim_token": entry.claim_token,
        **fields,
    }


def post(user, body, when):
    with time_machine.travel(when, tick=False):
        return api_for(user).post(URL, body, format="json")


def test_a_replay_after_the_call_went_back_on_the_list_gets_the_first_result(agent, entry):
    first = post(agent, body_of(entry), at(10, 42))
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.WAITING  # to be tried again this afternoon

    again = post(agent, body_of(entry), at(10, 43))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert CallAttempt.objects.count() == 1


def test_a_replay_after_a_colleague_took_the_call_again_gets_the_first_result(agent, entry):
    first = post(agent, body_of(entry), at(10, 42))
    colleague = UserFactory(username="colleague", role="agent")
    assert claim_next_call(agent=colleague, now=at(15, 5)).entry.pk == entry.pk

    again = post(agent, body_of(entry), at(15, 6))

    assert again.status_code == 200 and again.json() == first.json()
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.CLAIMED, colleague)


@pytest.mark.parametrize(
    "change",
    [
        {"disposition": "complete"},
        {"do_not_call": True, "disposition": "refused"},
        {"notes": "另一次通话"},
        {"ended_at": "2026-11-23T10:45:00+08:00"},
        {"escalation": {"category": "billing", "severity": "high", "description": "多收费"}},
    ],
    ids=["disposition", "do-not-call", "notes", "times", "escalation"],
)
def test_the_same_key_with_another_body_is_refused_naming_the_key(agent, entry, change):
    post(agent, body_of(entry), at(10, 42))

    response = post(agent, body_of(entry, **change), at(10, 43))

    assert response.status_code == 409
    assert list(response.json()) == ["idempotency_key"]
    assert CallAttempt.objects.count() == 1
    assert not Escalation.objects.exists()
    entry.customer.refresh_from_db()
    assert not entry.customer.do_not_call


def test_the_same_key_for_another_call_is_refused_and_that_call_stays_claimed(plan, agent, entry):
    post(agent, body_of(entry), at(10, 42))
    other = listed_and_claimed(plan, agent, at(10, 44))

    response = post(agent, body_of(other), at(10, 45))

    assert response.status_code == 409
    assert list(response.json()) == ["idempotency_key"]
    assert CallAttempt.objects.filter(queue_entry=other).count() == 0
    other.refresh_from_db()
    assert (other.status, other.claimed_by) == (QueueEntryStatus.CLAIMED, agent)


def test_a_recorded_call_takes_no_second_outcome_under_the_same_claim(agent, entry):
    post(agent, body_of(entry, disposition="complete"), at(10, 42))

    response = post(agent, body_of(entry, idempotency_key="call-2"), at(10, 43))

    assert response.status_code == 409
    assert "claim" in response.json()["detail"]
    assert CallAttempt.objects.count() == 1


def test_a_call_tried_again_is_recorded_again_under_its_new_claim(agent, entry):
    post(agent, body_of(entry), at(10, 42))  # a relative answered: again this afternoon
    claim = claim_next_call(agent=agent, now=at(15, 5))
    assert claim.entry.pk == entry.pk
    entry.claim_token = claim_token(claim.entry, agent)

    response = post(
        agent,
        body_of(
            entry,
            idempotency_key="call-2",
            started_at="2026-11-23T15:05:00+08:00",
            ended_at="2026-11-23T15:08:00+08:00",
            disposition="complete",
        ),
        at(15, 9),
    )

    assert response.status_code == 201
    assert CallAttempt.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"started_at": "0001-01-01T00:00:00+00:00"}, "started_at"),
        ({"started_at": "2026-11-23T09:00:00+08:00"}, "started_at"),  # before the claim
        ({"ended_at": "2046-11-23T10:41:00+08:00"}, "ended_at"),  # twenty years on
        ({"ended_at": "9999-12-31T23:59:59+00:00"}, "ended_at"),
        (
            {"disposition": "callback", "callback_at": "9999-12-31T10:00:00+08:00"},
            "callback_at",
        ),
        (
            {"disposition": "callback", "callback_at": "2027-06-01T10:00:00+08:00"},
            "callback_at",
        ),
    ],
    ids=["year-1", "before-claim", "twenty-years", "year-9999", "callback-9999", "callback-far"],
)
def test_times_the_server_cannot_believe_are_a_400_naming_the_field(agent, entry, change, field):
    response = post(agent, body_of(entry, **change), at(10, 42))

    assert response.status_code == 400
    assert field in response.json()
    assert not CallAttempt.objects.exists()
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.CLAIMED


def test_deeply_nested_json_is_a_400(agent, entry):
    nested = "[" * 100_000 + "]" * 100_000
    body = f'{{"entry": {entry.pk}, "idempotency_key": "deep", "answers": {nested}}}'
    with time_machine.travel(at(10, 42), tick=False):
        response = api_for(agent).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert not CallAttempt.objects.exists()


def test_more_answers_than_any_script_has_are_a_400(agent, entry):
    answers = [{"node_id": f"n{n}", "value": "x"} for n in range(40_000)]

    response = post(agent, body_of(entry, answers=answers), at(10, 42))

    assert response.status_code == 400
    assert "answers" in response.json()
    assert not CallAttempt.objects.exists()
