"""The admin gives a plan its rules and a monthly step in the browser; a rule another active
plan has is refused beside it, in Chinese."""

from pathlib import Path

import pytest
from django.utils import translation

from followups.models import CaseKind, PlanRule, PlanStep
from tests.factories import PASSWORD, DepartmentFactory, FollowUpPlanFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/h3")  # noqa: S108 (where the reviewers look)


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_the_admin_sets_rules_and_a_monthly_step(migration_data, page, live_server, log_in):
    UserFactory(username="admin1", role="admin", is_staff=True)
    cardiology = DepartmentFactory(name="心内科", code="cardiology")
    general = FollowUpPlanFactory(name="出院回访计划", offsets=[3, 7, 30])
    PlanRule.objects.create(plan=general, case_kind=CaseKind.DISCHARGE)
    heart = FollowUpPlanFactory(name="心内科出院随访", offsets=[7])
    PlanRule.objects.create(plan=heart, department=cardiology, case_kind=CaseKind.DISCHARGE)
    chronic = FollowUpPlanFactory(name="心内科慢病随访计划", offsets=[7, 30])

    log_in("admin1", PASSWORD)
    page.goto(f"{live_server.url}/config/plans/{chronic.pk}/")
    page.select_option("select[name=steps-1-repeat_unit]", "months")
    page.fill("input[name=steps-1-repeat_every]", "1")
    page.select_option("select[name=rules-0-department]", str(cardiology.pk))
    page.select_option("select[name=rules-0-case_kind]", "discharge")
    page.click("#save-plan")
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "plan-rules-conflict.png"), full_page=True)
    # The same rule as 心内科出院随访's: refused beside the rule, nothing saved.
    assert "心内科出院随访" in page.locator("#plan-rules ~ table").inner_text()
    assert not chronic.rules.exists()

    # The other plan made inactive, the rule is the chronic plan's.
    heart.is_active = False
    heart.save()
    page.click("#save-plan")
    page.wait_for_load_state("networkidle")
    assert chinese("Plan saved; its open cases follow the new steps.") in page.content()
    page.screenshot(path=str(SHOTS / "plan-rules-saved.png"), full_page=True)
    rule = chronic.rules.get()
    assert (rule.department, rule.case_kind) == (cardiology, "discharge")
    monthly = PlanStep.objects.get(plan=chronic, offset_days=30)
    assert (monthly.repeat_every, monthly.repeat_unit) == (1, "months")
