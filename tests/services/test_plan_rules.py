"""Plans chosen by rule: the most specific rule matching a new case's department and kind
wins (department and kind > department > kind > default); the case says which rule chose
its plan; rules that would tie are refused when saved."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from followups.models import CaseKind, PlanChoice, PlanRule
from followups.services import plan_rules
from followups.services.cases import change_case, open_case
from tests.factories import CustomerFactory, DepartmentFactory, FollowUpPlanFactory, PatientFactory

CARDIOLOGY, ORTHOPEDICS = 1, 2


def rule(pk, department_id=None, case_kind=""):
    return SimpleNamespace(pk=pk, plan_id=pk, department_id=department_id, case_kind=case_kind)


RULES = [
    rule(1),  # default
    rule(2, case_kind=CaseKind.DISCHARGE),
    rule(3, department_id=CARDIOLOGY),
    rule(4, department_id=CARDIOLOGY, case_kind=CaseKind.DISCHARGE),
]


@pytest.mark.parametrize(
    ("department_id", "kind", "chosen"),
    [
        (CARDIOLOGY, CaseKind.DISCHARGE, 4),  # department and kind
        (CARDIOLOGY, CaseKind.COMPLAINT, 3),  # department
        (ORTHOPEDICS, CaseKind.DISCHARGE, 2),  # kind
        (ORTHOPEDICS, CaseKind.COMPLAINT, 1),  # default
        (None, CaseKind.PURCHASE, 1),  # a case without a patient
    ],
)
def test_the_most_specific_matching_rule_wins(department_id, kind, chosen):
    # The order the rules are read in does not matter.
    for rules in (RULES, list(reversed(RULES))):
        found = plan_rules.best_rule(rules, department_id=department_id, case_kind=kind)
        assert found.pk == chosen


def test_no_rule_matches_without_a_default():
    found = plan_rules.best_rule(RULES[1:], department_id=ORTHOPEDICS, case_kind=CaseKind.PURCHASE)
    assert found is None


def test_rules_of_the_same_department_and_kind_conflict():
    same = rule(5, department_id=CARDIOLOGY)
    assert plan_rules.conflicts([*RULES, same]) == [(RULES[2], same)]
    assert plan_rules.conflicts(RULES) == []


# --- With the database ------------------------------------------------------------------------


@pytest.fixture
def cardiology(db):
    return DepartmentFactory(name="心内科", code="cardiology")


@pytest.fixture
def plans(db, cardiology):
    general = FollowUpPlanFactory(name="出院回访计划", offsets=[3])
    heart = FollowUpPlanFactory(name="心内科出院随访", offsets=[3, 14])
    PlanRule.objects.create(plan=general, case_kind=CaseKind.DISCHARGE)
    PlanRule.objects.create(plan=heart, department=cardiology, case_kind=CaseKind.DISCHARGE)
    return {"general": general, "heart": heart}


def opened(patient=None, **fields):
    customer = patient.customer if patient else CustomerFactory()
    fields.setdefault("kind", CaseKind.DISCHARGE)
    return open_case(
        customer=customer, patient=patient, anchor_date=dt.date(2026, 11, 10), **fields
    )


def test_a_new_case_takes_its_departments_plan_and_says_which_rule(plans, cardiology, english):
    case = opened(PatientFactory(department=cardiology))
    case.refresh_from_db()
    assert case.plan == plans["heart"]
    assert case.plan_chosen_by == PlanChoice.RULE
    assert case.plan_reason == "Plan chosen by the rule: 心内科 · Discharge follow-up."
    assert sorted(case.tasks.values_list("due_date", flat=True)) == [
        dt.date(2026, 11, 13),
        dt.date(2026, 11, 24),
    ]


def test_another_departments_case_takes_the_kinds_plan(plans):
    case = opened(PatientFactory(department=DepartmentFactory(name="骨科")))
    assert (case.plan, case.plan_rule.department) == (plans["general"], None)


def test_a_plan_given_by_hand_overrides_the_rules(plans, cardiology, english):
    case = opened(PatientFactory(department=cardiology), plan=plans["general"])
    assert (case.plan, case.plan_rule, case.plan_chosen_by) == (
        plans["general"],
        None,
        PlanChoice.HAND,
    )
    assert case.plan_reason == "Plan chosen by hand."


def test_a_case_no_rule_matches_has_no_plan_and_no_calls(plans, english):
    case = opened(kind=CaseKind.PURCHASE)
    assert (case.plan, case.plan_chosen_by, case.tasks.count()) == (None, PlanChoice.NONE, 0)
    assert case.plan_reason == "No plan: no rule matched and none was chosen."


def test_rules_of_an_inactive_plan_choose_nothing(plans, cardiology):
    plans["heart"].is_active = False
    plans["heart"].save()
    assert opened(PatientFactory(department=cardiology)).plan == plans["general"]


def test_changing_the_plan_by_hand_forgets_the_rule(plans, cardiology):
    case = opened(PatientFactory(department=cardiology))
    change_case(case, plan=plans["general"])
    case.refresh_from_db()
    assert (case.plan_rule, case.plan_chosen_by) == (None, PlanChoice.HAND)


def test_a_rule_another_active_plan_has_is_refused_when_saved(plans, cardiology, english):
    PlanRule.objects.create(plan=plans["general"], department=cardiology, case_kind="discharge")
    with pytest.raises(ValidationError) as refused:
        plan_rules.check_plan_rules(plans["general"])
    assert refused.value.messages == [
        "The rule 心内科 · Discharge follow-up is already the active plan 心内科出院随访's: a "
        "case would match both. Remove it there first, or make this plan inactive."
    ]


def test_an_inactive_plan_may_hold_a_rule_an_active_one_has(plans, cardiology):
    spare = FollowUpPlanFactory(name="备用", is_active=False, offsets=[1])
    PlanRule.objects.create(plan=spare, department=cardiology, case_kind="discharge")
    plan_rules.check_plan_rules(spare)  # no error
    assert opened(PatientFactory(department=cardiology)).plan == plans["heart"]
