"""Patients through the API: an agent reads only the people of their own calls, and
nothing medical of a sensitive patient; supervisors and admins read all; every list of
people's data read is one audit event (ids and counts, nothing personal)."""

import pytest

from followups.models import AuditAction, AuditEvent
from tests.api.monday import token_client_for
from tests.factories import (
    CallAttemptFactory,
    CaseFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    PatientFactory,
    QueueEntryFactory,
)

pytestmark = pytest.mark.django_db

DIAGNOSIS = "重度抑郁发作"
MEDICAL = ("diagnosis", "attending_doctor", "responsible_nurse")


def patient(*, sensitive: bool, name: str):
    return PatientFactory(
        customer=CustomerFactory(name=name),
        sensitive=sensitive,
        diagnosis=DIAGNOSIS,
        attending_doctor="周医生",
        responsible_nurse="吴护士",
    )


@pytest.fixture
def people(agent, other_agent):
    """Patients of the agent's calls (on the agent's list, given to them, called by them)
    and one of a colleague's."""
    listed = patient(sensitive=True, name="李秀英")
    given = patient(sensitive=False, name="王芳")
    called = patient(sensitive=True, name="赵敏")
    colleagues = patient(sensitive=True, name="孙丽")
    QueueEntryFactory(
        task=FollowUpTaskFactory(case=CaseFactory(customer=listed.customer, patient=listed)),
        assigned_agent=agent,
    )
    FollowUpTaskFactory(case=CaseFactory(customer=given.customer, patient=given), agent=agent)
    CallAttemptFactory(
        task=FollowUpTaskFactory(case=CaseFactory(customer=called.customer, patient=called)),
        agent=agent,
    )
    QueueEntryFactory(
        task=FollowUpTaskFactory(
            case=CaseFactory(customer=colleagues.customer, patient=colleagues)
        ),
        assigned_agent=other_agent,
    )
    return {"listed": listed, "given": given, "called": called, "colleagues": colleagues}


def results(response):
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def test_an_agent_reads_no_diagnosis_of_a_sensitive_patient(agent, people):
    rows = results(token_client_for(agent).get("/api/v1/patients/", {"sensitive": "true"}))
    assert set(rows) == {people["listed"].pk, people["called"].pk}
    for row in rows.values():
        assert row["medical_withheld"] is True
        for field in MEDICAL:
            assert field not in row
    assert DIAGNOSIS not in str(rows)


def test_an_agent_reads_no_diagnosis_of_one_sensitive_patient_either(agent, people):
    response = token_client_for(agent).get(f"/api/v1/patients/{people['listed'].pk}/")
    assert response.status_code == 200
    assert "diagnosis" not in response.json()
    assert DIAGNOSIS not in response.content.decode()


def test_an_agent_reads_a_patient_who_is_not_sensitive_in_full(agent, people):
    response = token_client_for(agent).get(f"/api/v1/patients/{people['given'].pk}/")
    row = response.json()
    assert row["diagnosis"] == DIAGNOSIS
    assert row["medical_withheld"] is False


def test_an_agent_reads_the_patients_of_their_own_calls_only(agent, people):
    client = token_client_for(agent)
    rows = results(client.get("/api/v1/patients/"))
    assert set(rows) == {people["listed"].pk, people["given"].pk, people["called"].pk}
    assert client.get(f"/api/v1/patients/{people['colleagues'].pk}/").status_code == 404
    customers = results(client.get("/api/v1/customers/"))
    assert people["called"].customer_id in customers
    assert people["colleagues"].customer_id not in customers


@pytest.mark.parametrize("role", ["supervisor", "admin_user"])
def test_supervisors_and_admins_read_every_patient_in_full(request, role, people):
    client = token_client_for(request.getfixturevalue(role))
    rows = results(client.get("/api/v1/patients/", {"sensitive": "true"}))
    assert len(rows) == 3
    for row in rows.values():
        assert row["diagnosis"] == DIAGNOSIS
        assert row["medical_withheld"] is False


@pytest.mark.parametrize("resource", ["patients", "customers", "cases"])
@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_a_list_of_peoples_data_read_is_one_audit_event(request, role, resource, people):
    user = request.getfixturevalue(role)
    rows = results(token_client_for(user).get(f"/api/v1/{resource}/", {"ordering": "id"}))
    event = AuditEvent.objects.get(action=AuditAction.READ_LIST)
    assert event.actor == user
    assert event.detail["resource"] == resource
    assert event.detail["rows"] == len(rows)
    assert event.detail["total"] == len(rows)
    assert sorted(event.detail["ids"]) == sorted(rows)
    assert event.detail["parameters"] == ["ordering"]
    text = str(event.detail)
    for person in people.values():
        assert person.customer.name not in text
    assert DIAGNOSIS not in text


def test_the_audit_event_names_the_filters_never_their_values(supervisor, people):
    client = token_client_for(supervisor)
    results(client.get("/api/v1/customers/", {"name": "李秀英"}))
    event = AuditEvent.objects.get(action=AuditAction.READ_LIST)
    assert event.detail["parameters"] == ["name"]
    assert "李秀英" not in str(event.detail)


def test_reading_one_record_or_another_list_writes_no_list_event(supervisor, people):
    client = token_client_for(supervisor)
    client.get(f"/api/v1/patients/{people['listed'].pk}/")
    client.get("/api/v1/departments/")
    client.get("/api/v1/tasks/")
    assert not AuditEvent.objects.filter(action=AuditAction.READ_LIST).exists()


def test_a_refused_list_writes_no_event(agent):
    client = token_client_for(agent)
    assert client.get("/api/v1/call-lists/").status_code == 403
    response = client.get("/api/v1/patients/", {"discharged_from": "x"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.READ_LIST).exists()
