"""The plan page's rules and recurring steps: saved with the plan, a rule another active plan
has refused beside it, nothing saved."""

import pytest
from django.urls import reverse

from followups.models import AuditAction, AuditEvent, CaseKind, FollowUpPlan, PlanRule, PlanStep
from tests.config.test_plans_and_policies import plan_data, step
from tests.factories import CallingPolicyFactory, DepartmentFactory, FollowUpPlanFactory
from tests.forms import formset

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def policy():
    return CallingPolicyFactory(name="默认", is_default=True)


@pytest.fixture
def cardiology():
    return DepartmentFactory(name="心内科", code="cardiology")


def with_rules(data: dict, rules: list[dict]) -> dict:
    return {**data, **formset("rules", rules)}


def test_a_plan_is_saved_with_its_rules_and_a_monthly_step(client, admin_user, policy, cardiology):
    client.force_login(admin_user)
    data = with_rules(
        plan_data(policy, [step(30, repeat_every=1, repeat_unit="months")], name="慢病随访"),
        [
            {"department": cardiology.pk, "case_kind": "discharge"},
            {"department": "", "case_kind": "any"},
        ],
    )
    response = client.post(reverse("config:plan_new"), data)
    assert response.status_code == 302
    plan = FollowUpPlan.objects.get(name="慢病随访")
    assert {(rule.department_id, rule.case_kind) for rule in plan.rules.all()} == {
        (cardiology.pk, "discharge"),
        (None, ""),
    }
    saved = PlanStep.objects.get(plan=plan)
    assert (saved.repeat_every, saved.repeat_unit) == (1, "months")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_PLAN)
    assert sorted(event.detail["rules"], key=str) == [[cardiology.pk, "discharge"], [None, ""]]


def test_a_rule_another_active_plan_has_is_refused_beside_it(
    client, admin_user, policy, cardiology
):
    other = FollowUpPlanFactory(name="心内科出院随访", offsets=[3])
    PlanRule.objects.create(plan=other, department=cardiology, case_kind=CaseKind.DISCHARGE)
    client.force_login(admin_user)
    data = with_rules(
        plan_data(policy, [step(3)], name="另一个计划"),
        [{"department": cardiology.pk, "case_kind": "discharge"}],
    )
    response = client.post(reverse("config:plan_new"), data, **EN)
    assert response.status_code == 200
    assert (
        "The rule 心内科 · Discharge follow-up is already the active plan 心内科出院随访&#x27;s"
        in response.content.decode()
    )
    assert not FollowUpPlan.objects.filter(name="另一个计划").exists()


def test_the_same_rule_twice_is_refused(client, admin_user, policy):
    client.force_login(admin_user)
    data = with_rules(
        plan_data(policy, [step(3)]),
        [{"department": "", "case_kind": "policy"}, {"department": "", "case_kind": "policy"}],
    )
    response = client.post(reverse("config:plan_new"), data, **EN)
    assert response.status_code == 200
    assert "The rule any department · Insurance policy verification is given twice." in (
        response.content.decode()
    )
    assert PlanRule.objects.count() == 0


def test_a_repeat_without_its_unit_is_refused(client, admin_user, policy):
    client.force_login(admin_user)
    data = with_rules(plan_data(policy, [step(30, repeat_every=3, repeat_unit="")]), [])
    response = client.post(reverse("config:plan_new"), data, **EN)
    assert response.status_code == 200
    assert "Give both how often the step repeats and its unit, or neither." in (
        response.content.decode()
    )
    assert not FollowUpPlan.objects.exists()


def test_a_blank_rule_row_is_left_out(client, admin_user, policy):
    client.force_login(admin_user)
    data = with_rules(plan_data(policy, [step(3)]), [{"department": "", "case_kind": ""}])
    assert client.post(reverse("config:plan_new"), data).status_code == 302
    assert PlanRule.objects.count() == 0
