"""Migration 0022 on a real database: what record_outcome and the review now keep for the
reports (each call's person and patient record, whether each task was ever reached, each
review's call start and agent) is filled in from the rows recorded before it.

The database is taken back to 0021, filled with the historical models of that state, and
migrated forward again (tests/models/migrating.py, shared by the migration tests, ends on
the latest migrations whatever happens)."""

import pytest

from tests.clock import MONDAY, at
from tests.models.migrating import migrate_to_latest, migrated_back, models_then

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("followups", "0021_audit_actions")]
TOUCHED = (  # what the test writes, children first
    ("followups", "CallReview"),
    ("followups", "CallAttempt"),
    ("followups", "FollowUpTask"),
    ("followups", "Case"),
    ("followups", "Patient"),
    ("followups", "Department"),
    ("followups", "Hospital"),
    ("followups", "Customer"),
    ("auth", "User"),
)


@pytest.fixture
def then(postgres_only):
    with migrated_back(BEFORE, TOUCHED) as apps_then:
        yield models_then(apps_then, TOUCHED)


def test_the_stored_report_facts_are_filled_from_the_calls_already_recorded(then):
    agent = then.User.objects.create(username="migrating-agent")
    reviewer = then.User.objects.create(username="migrating-reviewer")
    zhang = then.Customer.objects.create(name="张三", phone="+8613812345678")
    li = then.Customer.objects.create(name="李四", phone="+8613812345679")
    hospital = then.Hospital.objects.create(name="医院", code="h-mig")
    ward = then.Department.objects.create(name="心内科", code="d-mig", hospital=hospital)
    patient = then.Patient.objects.create(
        customer=zhang, department=ward, hospital=hospital, medical_record_number="ZY-MIG"
    )
    discharge = then.Case.objects.create(
        customer=zhang, patient=patient, kind="discharge", anchor_date=MONDAY
    )
    after_sales = then.Case.objects.create(customer=li, kind="after_sales", anchor_date=MONDAY)
    reached = then.FollowUpTask.objects.create(case=discharge, due_date=MONDAY)
    unreached = then.FollowUpTask.objects.create(case=after_sales, due_date=MONDAY)

    def attempt(task, disposition, minute):
        return then.CallAttempt.objects.create(
            task=task,
            agent=agent,
            started_at=at(10, minute),
            ended_at=at(10, minute + 3),
            disposition=disposition,
            idempotency_key=f"mig-{task.pk}-{minute}",
        )

    no_answer = attempt(reached, "no_answer", 30)
    complete = attempt(reached, "complete", 40)
    busy = attempt(unreached, "busy", 50)
    then.CallReview.objects.create(attempt=complete, reviewer=reviewer, score=90)

    migrate_to_latest()

    from followups.models import CallAttempt, CallReview, FollowUpTask

    kept = dict(CallAttempt.objects.values_list("pk", "customer_id").order_by("pk"))
    assert kept == {no_answer.pk: zhang.pk, complete.pk: zhang.pk, busy.pk: li.pk}
    patients = dict(CallAttempt.objects.values_list("pk", "patient_id").order_by("pk"))
    assert patients == {no_answer.pk: patient.pk, complete.pk: patient.pk, busy.pk: None}
    assert dict(FollowUpTask.objects.values_list("pk", "reached")) == {
        reached.pk: True,
        unreached.pk: False,
    }
    review = CallReview.objects.get()
    assert (review.call_started_at, review.call_agent_id) == (at(10, 40), agent.pk)
