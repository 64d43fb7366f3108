"""The resource API: each role reads what it may, numbers are masked, filters and field
errors behave, and a case created through the API gets its tasks."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from followups.models import AuditAction, AuditEvent, Case, Customer, Escalation, TaskStatus
from tests.api.monday import token_client_for
from tests.factories import (
    CaseFactory,
    CustomerFactory,
    DepartmentFactory,
    FollowUpPlanFactory,
    FollowUpTaskFactory,
    HospitalFactory,
    PatientFactory,
    UserFactory,
    default_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent):
    """Two cases: one with a task assigned to the agent, one of somebody else."""
    plan = default_plan()
    mine = PatientFactory(customer=CustomerFactory(name="李秀英", phone="+8613812345678"))
    other = PatientFactory(customer=CustomerFactory(name="王伟", phone="+8613900001111"))
    my_case = CaseFactory(customer=mine.customer, patient=mine, plan=plan)
    other_case = CaseFactory(customer=other.customer, patient=other, plan=plan)
    my_task = FollowUpTaskFactory(case=my_case, agent=agent)
    other_task = FollowUpTaskFactory(case=other_case)
    return {
        "plan": plan,
        "mine": mine,
        "other": other,
        "my_case": my_case,
        "other_case": other_case,
        "my_task": my_task,
        "other_task": other_task,
    }


def ids(response):
    return sorted(item["id"] for item in response.json()["results"])


def test_an_agent_reads_only_the_tasks_given_to_them_and_their_cases(agent, world):
    client = token_client_for(agent)
    assert ids(client.get("/api/v1/tasks/")) == [world["my_task"].pk]
    assert ids(client.get("/api/v1/cases/")) == [world["my_case"].pk]
    assert ids(client.get("/api/v1/customers/")) == [world["mine"].customer_id]
    assert ids(client.get("/api/v1/patients/")) == [world["mine"].pk]
    assert client.get(f"/api/v1/cases/{world['other_case'].pk}/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/call-lists/",
        "/api/v1/escalations/",
        "/api/v1/reports/summary/?from=2026-11-01&to=2026-11-02",
    ],
)
def test_an_agent_cannot_read_the_supervisors_resources(agent, path):
    assert token_client_for(agent).get(path).status_code == 403


def test_a_supervisor_reads_everything_and_writes_no_case(supervisor, world):
    client = token_client_for(supervisor)
    assert ids(client.get("/api/v1/cases/")) == sorted(
        [world["my_case"].pk, world["other_case"].pk]
    )
    response = client.post(
        "/api/v1/cases/",
        {"customer": world["mine"].customer_id, "kind": "discharge", "anchor_date": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 403
    assert Case.objects.count() == 2


def test_an_agent_cannot_create_a_department(agent):
    response = token_client_for(agent).post(
        "/api/v1/departments/",
        {"hospital": HospitalFactory().pk, "name": "眼科", "code": "eye"},
        format="json",
    )
    assert response.status_code == 403


def test_anonymous_callers_are_refused(world):
    assert APIClient().get("/api/v1/cases/").status_code in {401, 403}


def test_phone_numbers_are_masked_in_every_response(admin_user, world):
    client = token_client_for(admin_user)
    customer = client.get(f"/api/v1/customers/{world['mine'].customer_id}/").json()
    patient = client.get(f"/api/v1/patients/{world['mine'].pk}/").json()
    case = client.get(f"/api/v1/cases/{world['my_case'].pk}/").json()
    assert customer["masked_phone"] == "138****5678"
    assert "phone" not in customer
    assert patient["masked_phone"] == "138****5678"
    assert case["masked_phone"] == "138****5678"
    for path in ["/api/v1/customers/", "/api/v1/patients/", "/api/v1/cases/"]:
        assert "13812345678" not in client.get(path).content.decode()


def test_an_admin_creates_a_customer_and_reads_the_number_back_masked(admin_user):
    response = token_client_for(admin_user).post(
        "/api/v1/customers/",
        {"name": "赵敏", "gender": "F", "phone": "13711112222"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["masked_phone"] == "137****2222"
    assert "13711112222" not in response.content.decode()
    assert str(Customer.objects.get(name="赵敏").phone) == "+8613711112222"


def test_bad_input_gets_400_with_field_errors(admin_user):
    response = token_client_for(admin_user).post(
        "/api/v1/customers/",
        {"name": "", "phone": "12345", "timezone": "Mars/Olympus"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "phone", "timezone"}
    assert response.json()["timezone"] == ["Unknown timezone: use a name like Asia/Shanghai."]


def test_a_patient_discharged_before_admission_is_refused(admin_user):
    department = DepartmentFactory()
    response = token_client_for(admin_user).post(
        "/api/v1/patients/",
        {
            "customer": CustomerFactory().pk,
            "hospital": department.hospital_id,
            "department": department.pk,
            "medical_record_number": "ZY1",
            "admitted_on": "2026-11-10",
            "discharged_on": "2026-11-01",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {
        "discharged_on": ["The discharge date is before the admission date."]
    }


def post_discharge_case(client, plan):
    """A new customer's discharge case on `plan`, anchored on 2026-11-20, through the API."""
    body = {
        "customer": CustomerFactory().pk,
        "kind": "discharge",
        "anchor_date": "2026-11-20",
        "plan": plan.pk,
    }
    return client.post("/api/v1/cases/", body, format="json")


def test_creating_a_case_through_the_api_makes_its_tasks(admin_user):
    response = post_discharge_case(token_client_for(admin_user), default_plan([3, 7, 30]))
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    assert list(case.tasks.order_by("due_date").values_list("due_date", flat=True)) == [
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 20),
    ]


def test_an_admin_changes_the_product_and_agent_of_a_case(admin_user, agent, world):
    response = token_client_for(admin_user).patch(
        f"/api/v1/cases/{world['other_case'].pk}/",
        {"product": "复查", "agent": agent.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["product"] == "复查"
    world["other_case"].refresh_from_db()
    assert world["other_case"].agent == agent


def test_filters_and_ordering_narrow_the_list(admin_user, world):
    client = token_client_for(admin_user)
    world["other_case"].anchor_date = dt.date(2026, 12, 1)
    world["other_case"].save()
    assert ids(client.get("/api/v1/cases/?anchor_from=2026-11-30")) == [world["other_case"].pk]
    ordered = client.get("/api/v1/cases/?ordering=anchor_date").json()["results"]
    assert [c["id"] for c in ordered] == [world["my_case"].pk, world["other_case"].pk]
    assert client.get("/api/v1/tasks/?due_from=not-a-date").status_code == 400


@pytest.fixture
def escalation(world):
    """An open medical escalation on the agent's case."""
    return Escalation.objects.create(
        case=world["my_case"],
        category="medical",
        description="切口红肿",
        due_at=dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC),
    )


def test_a_supervisor_moves_an_escalation_on_and_it_is_audited(supervisor, escalation):
    client = token_client_for(supervisor)
    refused = client.patch(
        f"/api/v1/escalations/{escalation.pk}/",
        {"status": "resolved"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert refused.json() == {"resolution": ["Say how the problem was solved."]}
    response = client.patch(
        f"/api/v1/escalations/{escalation.pk}/", {"status": "acknowledged"}, format="json"
    )
    assert response.status_code == 200
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged"
    assert escalation.acknowledged_at is not None
    event = AuditEvent.objects.get(action=AuditAction.ESCALATION)
    assert event.detail == {"step": "acknowledged"}
    assert escalation.owner == supervisor


def test_a_patch_is_the_workflows_steps_and_never_reopens(supervisor, escalation):
    other = UserFactory(username="supervisor-b", role="supervisor")
    client = token_client_for(supervisor)
    url = f"/api/v1/escalations/{escalation.pk}/"
    resolved = client.patch(
        url, {"status": "resolved", "owner": other.pk, "resolution": "已回电"}, format="json"
    )
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["owner"]) == ("resolved", other.pk)
    steps = AuditEvent.objects.filter(action=AuditAction.ESCALATION).order_by("pk")
    assert [event.detail["step"] for event in steps] == ["owner", "resolved"]

    reopened = client.patch(url, {"status": "open"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert reopened.status_code == 400
    assert reopened.json() == {"status": ["An escalation cannot go back to open."]}
    escalation.refresh_from_db()
    assert escalation.status == "resolved"


def test_an_agent_cannot_change_an_escalation(agent, escalation):
    response = token_client_for(agent).patch(
        f"/api/v1/escalations/{escalation.pk}/", {"status": "acknowledged"}, format="json"
    )
    assert response.status_code == 403


def test_a_new_anchor_date_or_plan_moves_only_the_calls_not_yet_made(admin_user):
    plan = default_plan([3, 7, 30])
    client = token_client_for(admin_user)
    created = post_discharge_case(client, plan).json()
    case = Case.objects.get(pk=created["id"])
    made = case.tasks.get(due_date=dt.date(2026, 11, 23))
    made.attempts = 1  # the 3-day call was tried: history, it stays
    made.save()

    response = client.patch(
        f"/api/v1/cases/{case.pk}/", {"anchor_date": "2026-11-22"}, format="json"
    )

    assert response.status_code == 200
    pending = case.tasks.filter(status="pending").order_by("due_date")
    assert list(pending.values_list("due_date", flat=True)) == [
        dt.date(2026, 11, 23),  # tried already: not moved
        dt.date(2026, 11, 29),
        dt.date(2026, 12, 22),
    ]
    shorter = FollowUpPlanFactory(calling_policy=plan.calling_policy, offsets=[3])
    client.patch(f"/api/v1/cases/{case.pk}/", {"plan": shorter.pk}, format="json")
    cancelled = case.tasks.filter(status="cancelled").values_list("due_date", flat=True)
    assert sorted(cancelled) == [dt.date(2026, 11, 29), dt.date(2026, 12, 22)]


def test_a_closed_case_keeps_its_anchor_date_and_plan(admin_user, world):
    case = world["other_case"]
    case.status = "closed"
    case.save()
    before = (case.anchor_date, case.plan_id, case.product)

    response = token_client_for(admin_user).patch(
        f"/api/v1/cases/{case.pk}/",
        {"anchor_date": "2026-12-01", "product": "复查"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {"anchor_date": ["A closed case keeps its anchor date and plan."]}
    case.refresh_from_db()
    assert (case.anchor_date, case.plan_id, case.product) == before  # nothing half-written


def test_a_new_number_through_the_api_resumes_the_calls_held_for_a_wrong_one(admin_user):
    task = FollowUpTaskFactory(
        due_date=dt.date(2026, 11, 23), status=TaskStatus.SUSPENDED, needs_number_fix=True
    )
    customer = task.case.customer

    with time_machine.travel("2026-11-24 12:05 +0800", tick=False):
        response = token_client_for(admin_user).patch(
            f"/api/v1/customers/{customer.pk}/", {"phone": "+8613900001111"}, format="json"
        )

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.status, task.needs_number_fix) == (TaskStatus.PENDING, False)
    assert task.earliest_at == dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)  # 15:00 there
    assert AuditEvent.objects.get(action=AuditAction.NUMBER_FIXED).actor == admin_user


def test_other_changes_to_a_customer_leave_held_calls_held(admin_user):
    task = FollowUpTaskFactory(status=TaskStatus.SUSPENDED, needs_number_fix=True)

    token_client_for(admin_user).patch(
        f"/api/v1/customers/{task.case.customer.pk}/", {"name": "王五"}, format="json"
    )

    task.refresh_from_db()
    assert (task.status, task.needs_number_fix) == (TaskStatus.SUSPENDED, True)
