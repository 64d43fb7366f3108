"""The hold on a call, renewed every five minutes while its screen is open; once lost the
screen says so, still takes the outcome, and stops asking."""

import pytest
from django.urls import reverse

from followups.models import QueueEntryStatus
from tests.agent.conftest import at, hold_on, html_of, htmx_post, when

pytestmark = pytest.mark.django_db


def test_it_renews_the_holders_lease(client, as_agent, held):
    response = htmx_post(client, "agent:renew", held, at(10, 50))

    html = html_of(response)
    assert "Held for you until 11:05" in html
    assert 'hx-trigger="every 5m"' in html
    held.refresh_from_db()
    assert held.lease_expires_at == at(11, 5)


def test_a_lost_call_says_so_and_stops_the_polling(client, as_agent, other_agent, held):
    held.status = QueueEntryStatus.CLAIMED
    held.claimed_by, held.lease_expires_at = other_agent, at(11, 20)
    held.save()

    response = htmx_post(client, "agent:renew", held, at(11, 10))

    html = html_of(response, 286)
    assert "Your hold on this call was lost" in html
    assert "hx-trigger" not in html
    assert hold_on(held) == (other_agent, at(11, 20))


def test_the_call_screen_polls_the_renewal(client, as_agent, held):
    with when(at(10, 41)):
        html = client.get(reverse("agent:call", args=[held.pk])).content.decode()

    renew_url = reverse("agent:renew", args=[held.pk])
    assert f'hx-post="{renew_url}" hx-trigger="every 5m"' in html
