"""/config/audit/: the audit trail for admins, filtered, paged and exported (audited)."""

import pytest
from django.urls import reverse

from followups.models import AuditAction, AuditEvent
from followups.services import audit
from tests.clock import MONDAY
from tests.factories import CustomerFactory, FollowUpTaskFactory, on_list

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(english_pages):
    """Pages in English."""


def test_it_filters_by_who_action_and_person(client, admin_user, supervisor, agent):
    person, other = CustomerFactory(), CustomerFactory()
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=person)
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=other)
    audit.record(actor=agent, action=AuditAction.EXPORT, report="reach")
    client.force_login(admin_user)
    url = reverse("config:audit")
    assert "3 events" in client.get(url).content.decode()
    assert "1 event" in client.get(url, {"actor": agent.pk}).content.decode()
    assert "2 events" in client.get(url, {"action": "do_not_call"}).content.decode()
    by_person = client.get(url, {"person": person.pk}).content.decode()
    assert "1 event" in by_person and reverse("people:detail", args=[person.pk]) in by_person


def test_the_export_is_a_csv_and_is_audited(client, admin_user, supervisor):
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=CustomerFactory())
    client.force_login(admin_user)
    response = client.get(reverse("config:audit"), {"action": "do_not_call", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and "supervisor-a" in lines[1]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.detail["report"] == "audit" and export.detail["rows"] == 1


def test_agents_and_supervisors_get_403(client, agent, supervisor):
    for user in (agent, supervisor):
        client.force_login(user)
        assert client.get(reverse("config:audit")).status_code == 403


def test_each_event_names_the_person_its_object_is_about(client, admin_user, supervisor):
    entry = on_list(FollowUpTaskFactory(case__customer__name="王小明"), MONDAY)
    audit.record(actor=supervisor, action=AuditAction.REVEAL_PHONE, target=entry)
    client.force_login(admin_user)
    row = client.get(reverse("config:audit")).content.decode()
    assert reverse("people:detail", args=[entry.customer_id]) in row and "王小明" in row
    assert f"queue entry #{entry.pk}" in row
