"""The edits of the person pages: each a POST, checked as the import checks, audited."""

import datetime as dt

import pytest
from django.urls import reverse

from followups.models import (
    AuditAction,
    AuditEvent,
    Case,
    CaseStatus,
    Customer,
    FollowUpTask,
    TaskStatus,
)
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def new_person(client, user, **fields):
    client.force_login(user)
    department = fields.pop("department", None) or PatientFactory().department
    data = {
        "contact-name": "陈静",
        "contact-gender": "F",
        "contact-phone": "139 0000 1234",
        "contact-preferred_slot": "any",
        "stay-hospital": department.hospital_id,
        "stay-department": department.pk,
        "stay-medical_record_number": "ZY-NEW-1",
        "stay-admitted_on": "2026-11-01",
        "stay-discharged_on": "2026-11-10",
        "case-kind": "discharge",
        "case-anchor_date": "2026-11-10",
        **fields,
    }
    return client.post(reverse("people:new"), data)


def test_it_adds_a_person_with_their_stay_and_a_first_case(client, supervisor, plan):
    response = new_person(client, supervisor, **{"case-plan": plan.pk})
    person = Customer.objects.get(name="陈静")
    assert response.status_code == 302
    assert str(person.phone) == "+8613900001234"
    assert person.patient.medical_record_number == "ZY-NEW-1"
    case = person.cases.get()
    assert sorted(case.tasks.values_list("due_date", flat=True)) == [
        dt.date(2026, 11, 13),
        dt.date(2026, 12, 10),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.ADD_PERSON, actor=supervisor).count() == 1


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"contact-phone": "12345"}, "phone", "valid phone number"),
        ({"stay-discharged_on": "2026-10-01"}, "discharged_on", "before the admission"),
        ({"stay-admitted_on": "1899-01-01"}, "admitted_on", "to a year from today"),
    ],
)
def test_it_refuses_what_the_import_refuses(client, supervisor, fields, field, message):
    response = new_person(client, supervisor, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Customer.objects.filter(name="陈静").exists()


def test_an_inpatient_number_is_unique_per_hospital(client, supervisor, wang):
    patient = wang.patient
    response = new_person(
        client,
        supervisor,
        department=patient.department,
        **{"stay-medical_record_number": "ZY2026-001"},
    )
    assert response.status_code == 400
    assert "already on file at this hospital" in response.content.decode()


def test_a_new_number_resumes_the_follow_ups_held_for_a_wrong_one(client, supervisor, wang):
    FollowUpTask.objects.filter(case__customer=wang).update(
        status=TaskStatus.SUSPENDED, needs_number_fix=True
    )
    client.force_login(supervisor)
    response = client.post(
        reverse("people:contact", args=[wang.pk]),
        {"name": "王小明", "gender": "M", "phone": "13700007777", "preferred_slot": "any"},
    )
    wang.refresh_from_db()
    assert response.status_code == 302
    assert str(wang.phone) == "+8613700007777"
    assert set(wang.cases.get().tasks.values_list("status", flat=True)) == {TaskStatus.PENDING}
    assert AuditEvent.objects.filter(action=AuditAction.NUMBER_FIXED).get().detail == {"resumed": 2}


def test_an_empty_number_keeps_the_one_on_file(client, supervisor, wang):
    client.force_login(supervisor)
    client.post(
        reverse("people:contact", args=[wang.pk]),
        {"name": "王晓明", "gender": "M", "phone": "", "preferred_slot": "any"},
    )
    wang.refresh_from_db()
    assert (wang.name, str(wang.phone)) == ("王晓明", "+8613812345678")


def test_a_new_intent_class_reschedules_the_routine_call(client, supervisor, wang):
    case = wang.cases.get()
    client.force_login(supervisor)
    client.post(
        reverse("people:case_intent", args=[wang.pk, case.pk]),
        {f"intent-{case.pk}-intent_class": "A"},
    )
    routine = case.tasks.get(step__isnull=True, status=TaskStatus.PENDING)
    # The last call was on Friday 2026-11-20; class A calls every 3 days.
    assert routine.due_date == dt.date(2026, 11, 23)
    client.post(
        reverse("people:case_intent", args=[wang.pk, case.pk]),
        {f"intent-{case.pk}-intent_class": "B"},
    )
    routine.refresh_from_db()
    assert routine.due_date == dt.date(2026, 11, 27)


def test_closing_a_case_needs_a_reason_and_cancels_its_calls(client, supervisor, wang):
    case = wang.cases.get()
    client.force_login(supervisor)
    url = reverse("people:case_close", args=[wang.pk, case.pk])
    refused = client.post(url, {f"close-{case.pk}-reason": ""})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    client.post(url, {f"close-{case.pk}-reason": "家属要求停止随访"})
    case.refresh_from_db()
    assert (case.status, case.closed_reason) == (CaseStatus.CLOSED, "家属要求停止随访")
    assert set(case.tasks.values_list("status", flat=True)) == {TaskStatus.CANCELLED}
    assert AuditEvent.objects.get(action=AuditAction.CLOSE_CASE).detail["cancelled"] == 2


def test_a_death_stops_every_call(client, supervisor, wang):
    client.force_login(supervisor)
    client.post(
        reverse("people:deceased", args=[wang.pk]), {"died_on": "2026-11-21", "confirm": "on"}
    )
    wang.patient.refresh_from_db()
    assert wang.patient.died_on == dt.date(2026, 11, 21)
    assert not FollowUpTask.objects.filter(case__customer=wang, status=TaskStatus.PENDING).exists()
    assert Case.objects.get(customer=wang).status == CaseStatus.CLOSED
    assert AuditEvent.objects.get(action=AuditAction.DECEASED).actor == supervisor


def test_an_agent_may_not_edit(client, agent, wang):
    client.force_login(agent)
    response = client.post(
        reverse("people:deceased", args=[wang.pk]), {"died_on": "2026-11-21", "confirm": "on"}
    )
    assert response.status_code == 403
    assert wang.cases.get().status == CaseStatus.OPEN
