"""Every page and endpoint of the console is for roles that work the queue: anonymous users
are sent to log in (pages) or refused (endpoints), supervisors get 403, and nothing moves."""

import pytest
from django.urls import reverse

from followups.models import AuditEvent, QueueEntryStatus
from tests.agent.conftest import at, when

pytestmark = pytest.mark.django_db

ENDPOINTS = ["agent:reveal", "agent:renew", "agent:script", "agent:callback_check", "agent:outcome"]


def url(name: str, entry) -> str:
    return reverse(name, args=[entry.pk]) if name != "agent:next" else reverse(name)


@pytest.mark.parametrize("name", ["agent:next", *ENDPOINTS])
@pytest.mark.parametrize("who", ["anonymous", "supervisor"])
def test_it_refuses_every_endpoint_to_anonymous_users_and_supervisors(
    client, supervisor, held, agent, who, name
):
    if who == "supervisor":
        client.force_login(supervisor)
    with when(at(10, 41)):
        response = client.post(url(name, held))

    assert response.status_code == 403
    held.refresh_from_db()
    assert (held.status, held.claimed_by) == (QueueEntryStatus.CLAIMED, agent)
    assert AuditEvent.objects.count() == 0


def test_a_supervisor_cannot_claim_a_call(client, supervisor, entry):
    client.force_login(supervisor)
    with when(at(10, 41)):
        response = client.post(reverse("agent:next"))

    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.WAITING, None)


@pytest.mark.parametrize("name", ["agent:home", "agent:call"])
def test_pages_send_anonymous_users_to_the_login_page(client, held, name):
    page = reverse(name) if name == "agent:home" else reverse(name, args=[held.pk])
    with when(at(10, 41)):
        response = client.get(page)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={page}"


@pytest.mark.parametrize("name", ["agent:home", "agent:call"])
def test_pages_refuse_a_supervisor(client, supervisor, held, name):
    client.force_login(supervisor)
    page = reverse(name) if name == "agent:home" else reverse(name, args=[held.pk])
    with when(at(10, 41)):
        response = client.get(page)

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["agent:next", *ENDPOINTS])
def test_endpoints_only_take_posts(client, as_agent, held, name):
    with when(at(10, 41)):
        response = client.get(url(name, held))

    assert response.status_code == 405
