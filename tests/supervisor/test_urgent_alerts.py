"""The in-app alert of urgent escalations: a fragment every supervisor page polls."""

import pytest
from django.urls import reverse

from followups.models import EscalationStatus

pytestmark = pytest.mark.django_db


def test_every_page_of_a_supervisor_polls_the_alert(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("supervisor:home")).content.decode()
    alerts = reverse("supervisor:urgent_alerts")
    assert f'hx-get="{alerts}" hx-trigger="load, every 10s"' in html


def test_an_agent_page_does_not_poll_it(client, agent):
    client.force_login(agent)
    html = client.get(reverse("agent:home")).content.decode()
    assert reverse("supervisor:urgent_alerts") not in html


def test_the_fragment_lists_the_urgent_escalations_not_yet_acknowledged(client, supervisor, urgent):
    client.force_login(supervisor)
    response = client.get(reverse("supervisor:urgent_alerts"))
    html = response.content.decode()
    assert "1 urgent escalation waiting for a supervisor" in html
    assert "患者诉伤口红肿流液" in html
    assert reverse("supervisor:escalation_detail", args=[urgent.pk]) in html


def test_the_fragment_is_empty_once_acknowledged_from_the_alert(client, supervisor, urgent):
    client.force_login(supervisor)
    response = client.post(
        reverse("supervisor:escalation_step", args=[urgent.pk, "acknowledge"]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().strip() == ""
    # The escalation list and its counts, when open on the page, reload on this event.
    assert response["HX-Trigger"] == "escalations-changed"
    urgent.refresh_from_db()
    assert (urgent.status, urgent.owner) == (EscalationStatus.ACKNOWLEDGED, supervisor)


def test_a_poll_after_the_session_ended_changes_nothing_on_the_page(client, urgent):
    response = client.get(reverse("supervisor:urgent_alerts"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response.content == b""
