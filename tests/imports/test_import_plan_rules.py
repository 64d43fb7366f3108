"""An import gives each department's discharge cases the plan its rule chooses (or the plan
the admin chose for the import); a row no rule covers is refused, and nothing is written."""

import datetime as dt

import pytest
import time_machine

from followups.models import Case, CaseKind, Department, PlanChoice, PlanRule, PlanStep
from followups.services.import_stream import import_file
from followups.services.imports import import_patients
from tests.clock import at
from tests.factories import FollowUpPlanFactory
from tests.imports.conftest import csv_file, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def heart_plan(hospital):
    """Cardiology's discharges: a call on day 7, then every 3 months."""
    plan = FollowUpPlanFactory(name="心内科慢病随访", offsets=[])
    PlanStep.objects.create(plan=plan, offset_days=7, repeat_every=3, repeat_unit="months")
    cardiology = Department.objects.get(hospital=hospital, code="cardiology")
    PlanRule.objects.create(plan=plan, department=cardiology, case_kind=CaseKind.DISCHARGE)
    return plan


ROWS = [row(mrn="ZY1"), row(mrn="ZY2", name="王建国", phones="13900001111", department="骨科")]


@pytest.mark.parametrize("importer", [import_patients, import_file], ids=["small", "streamed"])
def test_each_department_takes_the_plan_its_rule_chooses(
    importer, hospital, discharge_plan, heart_plan
):
    with time_machine.travel(at(9, 0, dt.date(2026, 11, 12)), tick=False):
        report = importer(
            file=csv_file(ROWS), filename="list.csv", actor=None, hospital=hospital, dry_run=False
        )
    assert report.committed is True
    heart = Case.objects.get(patient__medical_record_number="ZY1")
    bones = Case.objects.get(patient__medical_record_number="ZY2")
    assert (heart.plan, heart.plan_rule.department.code, heart.plan_chosen_by) == (
        heart_plan,
        "cardiology",
        PlanChoice.RULE,
    )
    assert (bones.plan, bones.plan_rule.department, bones.plan_chosen_by) == (
        discharge_plan,
        None,
        PlanChoice.RULE,
    )
    # Discharged 11-10: day 7 is 11-17; the next call, 2027-02-17, lies beyond 90 days of
    # the import (11-12), so the daily top-up makes it later.
    assert list(heart.tasks.values_list("occurrence", "due_date")) == [(1, dt.date(2026, 11, 17))]


def test_the_plan_the_admin_chose_overrides_the_rules(hospital, discharge_plan, heart_plan):
    import_patients(
        file=csv_file(ROWS),
        filename="list.csv",
        actor=None,
        hospital=hospital,
        dry_run=False,
        plan=discharge_plan,
    )
    assert set(Case.objects.values_list("plan", "plan_chosen_by")) == {
        (discharge_plan.pk, PlanChoice.HAND)
    }


@pytest.mark.parametrize("importer", [import_patients, import_file], ids=["small", "streamed"])
def test_a_department_no_rule_covers_is_refused_and_nothing_written(
    importer, hospital, heart_plan, english
):
    report = importer(
        file=csv_file(ROWS), filename="list.csv", actor=None, hospital=hospital, dry_run=False
    )
    assert report.committed is False
    refused = [result for result in report.rows if result.outcome == "refused"]
    assert [(result.row, result.reasons) for result in refused] == [
        (
            3,
            [
                "No plan rule covers discharge cases of 骨科: add a rule to a plan, or choose"
                " the plan for this import."
            ],
        )
    ]
    assert Case.objects.count() == 0
