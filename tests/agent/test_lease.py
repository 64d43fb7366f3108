"""The hold on a call, renewed every five minutes while its screen is open; once lost the
screen says so, still takes the outcome, and stops asking."""

import pytest
from django.urls import reverse

from followups.models import QueueEntryStatus
from tests.agent.conftest import at, htmx, when

pytestmark = pytest.mark.django_db


def renew(client, entry, moment):
    with when(moment):
        return client.post(reverse("agent:renew", args=[entry.pk]), **htmx())


def test_it_renews_the_holders_lease(client, agent, held):
    client.force_login(agent)

    response = renew(client, held, at(10, 50))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Held for you until 11:05" in html
    assert 'hx-trigger="every 5m"' in html
    held.refresh_from_db()
    assert held.lease_expires_at == at(11, 5)


def test_a_lost_call_says_so_and_stops_the_polling(client, agent, other_agent, held):
    held.status = QueueEntryStatus.CLAIMED
    held.claimed_by, held.lease_expires_at = other_agent, at(11, 20)
    held.save()
    client.force_login(agent)

    response = renew(client, held, at(11, 10))

    assert response.status_code == 286
    html = response.content.decode()
    assert "Your hold on this call was lost" in html
    assert "hx-trigger" not in html
    held.refresh_from_db()
    assert (held.claimed_by, held.lease_expires_at) == (other_agent, at(11, 20))


def test_the_call_screen_polls_the_renewal(client, agent, held):
    client.force_login(agent)
    with when(at(10, 41)):
        html = client.get(reverse("agent:call", args=[held.pk])).content.decode()

    renew_url = reverse("agent:renew", args=[held.pk])
    assert f'hx-post="{renew_url}" hx-trigger="every 5m"' in html
