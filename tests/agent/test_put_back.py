"""Putting a call back: the agent holding a call gives it back to the list with a reason
(audited); the next claim hands out someone else."""

import pytest
from django.urls import reverse

from followups.models import AuditAction, AuditEvent, QueueEntryStatus
from followups.services.claims import claim_next_call
from tests.agent.conftest import at, listed_entry, when

pytestmark = pytest.mark.django_db


def put_back(client, entry, moment=None, **data):
    with when(moment or at(10, 42)):
        return client.post(reverse("agent:put_back", args=[entry.pk]), data)


def test_it_gives_the_call_back_and_the_next_claim_is_someone_else(
    client, as_agent, agent, plan, held
):
    other = listed_entry(plan, agent, name="李梅", phone="+8613998765432")

    response = put_back(client, held, reason="colleague")

    assert response.status_code == 302 and response.url == reverse("agent:home")
    held.refresh_from_db()
    assert (held.status, held.claimed_by, held.lease_expires_at) == (
        QueueEntryStatus.WAITING,
        None,
        None,
    )
    event = AuditEvent.objects.get(action=AuditAction.PUT_BACK)
    assert (event.actor, event.target_id, event.detail["reason"]) == (
        agent,
        str(held.pk),
        "colleague",
    )
    assert claim_next_call(agent=agent, now=at(10, 43)).entry.pk == other.pk


def test_the_person_put_back_is_not_handed_out_again_at_once(client, as_agent, agent, held):
    put_back(client, held, reason="line")

    assert claim_next_call(agent=agent, now=at(10, 43)).entry is None
    assert claim_next_call(agent=agent, now=at(11, 13)).entry.pk == held.pk


def test_it_needs_a_reason(client, as_agent, held):
    response = put_back(client, held, reason="")

    assert response.url == reverse("agent:call", args=[held.pk])
    held.refresh_from_db()
    assert held.status == QueueEntryStatus.CLAIMED
    assert not AuditEvent.objects.filter(action=AuditAction.PUT_BACK).exists()


def test_only_the_agent_holding_the_call_may_put_it_back(client, other_agent, held):
    client.force_login(other_agent)

    put_back(client, held, reason="other")

    held.refresh_from_db()
    assert held.claimed_by_id != other_agent.pk and held.status == QueueEntryStatus.CLAIMED
    assert not AuditEvent.objects.filter(action=AuditAction.PUT_BACK).exists()


def test_the_call_screen_offers_it(client, as_agent, held):
    with when(at(10, 41)):
        html = client.get(reverse("agent:call", args=[held.pk])).content.decode()

    assert f'action="{reverse("agent:put_back", args=[held.pk])}"' in html
    assert "A colleague should make this call (language, department)" in html
