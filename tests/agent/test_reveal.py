"""Showing the number: to the agent holding the call only, with an audit event that names
the call and never the number."""

import json

import pytest

from followups.models import AuditAction, AuditEvent
from tests.agent.conftest import at, html_of, htmx_post

pytestmark = pytest.mark.django_db


def test_the_holder_sees_the_number_and_the_reveal_is_audited(client, as_agent, agent, held):
    response = htmx_post(client, "agent:reveal", held, at(10, 42))

    html = html_of(response)
    assert 'href="tel:+8613812345678" id="phone-number">138 1234 5678</a>' in html
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (
        agent,
        AuditAction.REVEAL_PHONE,
        str(held.pk),
    )
    assert "12345678" not in json.dumps(event.detail)


def test_another_agent_is_refused_and_nothing_is_audited(client, other_agent, held):
    client.force_login(other_agent)

    response = htmx_post(client, "agent:reveal", held, at(10, 42))

    assert response.status_code == 403
    assert response["X-Agent-Fragment"] == "1"
    html = response.content.decode()
    assert "Only the agent holding this call may see the number." in html
    assert "12345678" not in html
    assert "138****5678" in html
    assert AuditEvent.objects.count() == 0


def test_the_holder_whose_lease_ran_out_is_refused(client, as_agent, held):
    response = htmx_post(client, "agent:reveal", held, at(10, 56))

    assert response.status_code == 403
    assert "12345678" not in response.content.decode()
    assert AuditEvent.objects.count() == 0
