"""A case made through the API takes the plan its rule chooses and says which; a plan given
overrides the rules."""

import pytest

from followups.models import Case, CaseKind, PlanChoice, PlanRule
from tests.api.monday import token_client_for
from tests.factories import DepartmentFactory, FollowUpPlanFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cardiology():
    return DepartmentFactory(name="心内科", code="cardiology")


@pytest.fixture
def heart_plan(cardiology):
    plan = FollowUpPlanFactory(name="心内科出院随访", offsets=[3])
    PlanRule.objects.create(plan=plan, department=cardiology, case_kind=CaseKind.DISCHARGE)
    return plan


def discharge_case_posted(user, patient, **fields):
    """POST /api/v1/cases/ as `user`: a discharge case of `patient` on 2026-11-20."""
    body = {
        "customer": patient.customer_id,
        "patient": patient.pk,
        "kind": "discharge",
        "anchor_date": "2026-11-20",
        **fields,
    }
    return token_client_for(user).post(
        "/api/v1/cases/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_a_case_made_without_a_plan_takes_its_rules_plan(admin_user, cardiology, heart_plan):
    patient = PatientFactory(department=cardiology)
    response = discharge_case_posted(admin_user, patient)
    assert response.status_code == 201
    body = response.json()
    rule = heart_plan.rules.get()
    assert (body["plan"], body["plan_rule"]) == (heart_plan.pk, rule.pk)
    assert body["plan_reason"] == "Plan chosen by the rule: 心内科 · Discharge follow-up."
    case = Case.objects.get(pk=body["id"])
    assert (case.plan_rule, case.plan_chosen_by, case.tasks.count()) == (rule, PlanChoice.RULE, 1)


def test_a_plan_given_in_the_request_overrides_the_rules(admin_user, cardiology, heart_plan):
    other = FollowUpPlanFactory(name="出院回访计划", offsets=[3, 7])
    patient = PatientFactory(department=cardiology)
    response = discharge_case_posted(admin_user, patient, plan=other.pk)
    assert response.status_code == 201
    assert (response.json()["plan_rule"], response.json()["plan_reason"]) == (
        None,
        "Plan chosen by hand.",
    )
    assert Case.objects.get().plan_chosen_by == PlanChoice.HAND
