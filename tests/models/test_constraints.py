"""Rules the database holds itself: a bug in a service cannot break them."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from followups import models as m
from scripts.models import CallScript, ScriptVersion
from tests.factories import (
    CallAttemptFactory,
    CallingPolicyFactory,
    CaseFactory,
    FollowUpPlanFactory,
    FollowUpTaskFactory,
    QueueEntryFactory,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_queue_entry_for_a_task_on_the_same_day():
    entry = QueueEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.QueueEntry.objects.create(call_list=entry.call_list, task=entry.task)
    assert m.QueueEntry.objects.filter(task=entry.task).count() == 1


def test_it_accepts_the_same_task_on_another_day():
    entry = QueueEntryFactory()
    tomorrow = m.CallList.objects.create(day=entry.call_list.day + dt.timedelta(days=1))
    m.QueueEntry.objects.create(call_list=tomorrow, task=entry.task)
    assert m.QueueEntry.objects.filter(task=entry.task).count() == 2


def test_it_refuses_a_second_task_for_the_same_case_and_step():
    plan = FollowUpPlanFactory(offsets=[3])
    step = plan.steps.get()
    task = FollowUpTaskFactory(case__plan=plan, step=step)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.FollowUpTask.objects.create(case=task.case, step=step, due_date=task.due_date)
    assert task.case.tasks.count() == 1


def test_it_allows_several_tasks_without_a_step_on_one_case():
    case = CaseFactory()
    m.FollowUpTask.objects.create(case=case, due_date=dt.date(2026, 12, 1))
    m.FollowUpTask.objects.create(case=case, due_date=dt.date(2026, 12, 8))
    assert case.tasks.count() == 2


def test_it_refuses_a_second_attempt_with_the_same_idempotency_key():
    first = CallAttemptFactory(idempotency_key="submit-42")
    with pytest.raises(IntegrityError), transaction.atomic():
        CallAttemptFactory(task=first.task, agent=first.agent, idempotency_key="submit-42")
    assert m.CallAttempt.objects.filter(idempotency_key="submit-42").count() == 1


def test_it_refuses_a_window_that_ends_before_it_starts():
    policy = CallingPolicyFactory(windows=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        m.CallingWindow.objects.create(
            policy=policy, starts_at=dt.time(17, 30), ends_at=dt.time(15, 0)
        )
    assert policy.windows.count() == 0


def test_it_refuses_an_empty_window():
    policy = CallingPolicyFactory(windows=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        m.CallingWindow.objects.create(policy=policy, starts_at=dt.time(9), ends_at=dt.time(9))


def test_it_refuses_a_negative_plan_offset():
    plan = FollowUpPlanFactory(offsets=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        m.PlanStep.objects.create(plan=plan, offset_days=-1)
    assert plan.steps.count() == 0


def test_it_refuses_quiet_hours_that_end_before_they_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        m.CallingPolicy.objects.create(
            name="upside down", quiet_before=dt.time(21), quiet_after=dt.time(8)
        )


def test_it_keeps_a_single_default_policy():
    m.CallingPolicy.objects.create(name="first", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.CallingPolicy.objects.create(name="second", is_default=True)


def test_it_refuses_a_second_patient_with_the_same_inpatient_number_in_a_hospital(db):
    from tests.factories import PatientFactory

    patient = PatientFactory(medical_record_number="ZY000123")
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(
            medical_record_number="ZY000123",
            department=patient.department,
            hospital=patient.hospital,
        )


def test_it_refuses_a_discharge_before_the_admission():
    from tests.factories import PatientFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(admitted_on=dt.date(2026, 11, 10), discharged_on=dt.date(2026, 11, 1))


def test_it_keeps_one_published_version_per_script():
    script = CallScript.objects.create(name="出院回访", code="discharge")
    ScriptVersion.objects.create(script=script, number=1, status="published")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScriptVersion.objects.create(script=script, number=2, status="published")


def test_a_published_version_cannot_be_edited():
    from django.core.exceptions import ValidationError

    script = CallScript.objects.create(name="出院回访", code="discharge")
    version = ScriptVersion.objects.create(
        script=script, number=1, status="published", graph={"start": "greet"}
    )
    version.graph = {"start": "changed"}
    with pytest.raises(ValidationError):
        version.save()
    version.refresh_from_db()
    assert version.graph == {"start": "greet"}


def test_a_customer_with_cases_cannot_be_deleted_by_accident():
    from django.db.models import ProtectedError

    case = CaseFactory()
    with pytest.raises(ProtectedError):
        case.customer.delete()
    assert m.Case.objects.filter(pk=case.pk).exists()
