"""An admin changes a plan or a window in Django admin; the next list follows, audited."""

import datetime as dt

import pytest
from django.urls import reverse

from followups.models import AuditEvent, CaseKind, FollowUpTask, QueueEntry
from followups.services.call_lists import build_call_lists
from followups.services.cases import open_case
from tests.factories import CustomerFactory, default_plan
from tests.forms import formset

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2026, 11, 20)  # a Friday


@pytest.fixture
def plan():
    return default_plan([3], name="出院回访计划")


def plan_form(plan, offset_days):
    step = plan.steps.get()
    return {
        "name": plan.name,
        "description": "",
        "calling_policy": plan.calling_policy_id,
        "intent_a_days": 3,
        "intent_b_days": 7,
        "intent_c_days": 21,
        "is_active": "on",
        **formset(
            "steps",
            [
                {
                    "id": step.pk,
                    "plan": plan.pk,
                    "offset_days": offset_days,
                    "script": "",
                    "max_attempts": 3,
                    "window_days": 7,
                    "deadline_days": "",
                }
            ],
            initial=1,
        ),
    }


def window_form(window) -> dict:
    return {
        "id": window.pk,
        "policy": window.policy_id,
        "starts_at": window.starts_at.strftime("%H:%M"),
        "ends_at": window.ends_at.strftime("%H:%M"),
    }


def test_changing_a_step_moves_untouched_tasks_and_the_next_list_follows(
    client, admin_user, plan, django_capture_on_commit_callbacks
):
    case = open_case(
        customer=CustomerFactory(), kind=CaseKind.DISCHARGE, anchor_date=ANCHOR, plan=plan
    )
    client.force_login(admin_user)
    url = reverse("admin:followups_followupplan_change", args=[plan.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, plan_form(plan, offset_days=2))
    assert response.status_code == 302, response.content.decode()[:2000]
    task = FollowUpTask.objects.get(case=case)
    assert task.due_date == dt.date(2026, 11, 22)
    assert build_call_lists(day=dt.date(2026, 11, 22)).added == 1
    assert QueueEntry.objects.get().task == task
    event = AuditEvent.objects.get(action="change_plan")
    assert (event.actor, event.target_id, event.detail["steps"]) == (admin_user, str(plan.pk), [2])


def test_a_negative_offset_is_refused_with_a_message(client, admin_user, plan):
    client.force_login(admin_user)
    url = reverse("admin:followups_followupplan_change", args=[plan.pk])
    response = client.post(url, plan_form(plan, offset_days=-1), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert plan.steps.get().offset_days == 3


def test_a_window_ending_before_it_starts_is_refused(client, admin_user, plan):
    policy = plan.calling_policy
    windows = list(policy.windows.all())
    client.force_login(admin_user)
    data = {
        "name": policy.name,
        "timezone": "Asia/Shanghai",
        "weekdays": "0123456",
        "holiday_rule": "skip_holidays",
        "quiet_before": "08:00",
        "quiet_after": "21:00",
        "is_default": "on",
        **formset("windows", [window_form(window) for window in windows], initial=2),
        **formset("holiday_overrides", []),
    }
    data["windows-1-ends_at"] = "14:00"  # 15:00 → 14:00
    response = client.post(
        reverse("admin:followups_callingpolicy_change", args=[policy.pk]),
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "A window must end after it starts." in response.content.decode()
    assert policy.windows.get(starts_at=dt.time(15)).ends_at == dt.time(17, 30)
    assert not AuditEvent.objects.exists()


def test_a_policy_change_is_audited(client, admin_user, plan):
    policy = plan.calling_policy
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:followups_callingpolicy_change", args=[policy.pk]),
        {
            "name": policy.name,
            "timezone": "Asia/Shanghai",
            "weekdays": "01234",
            "holiday_rule": "working_days",
            "quiet_before": "08:00",
            "quiet_after": "21:00",
            **formset("windows", []),
            **formset("holiday_overrides", []),
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="change_policy")
    # What changed, before → after, as the configuration page records it.
    assert event.detail["weekdays"] == {"from": "0123456", "to": "01234"}
    assert event.detail["holiday_rule"] == {"from": "skip_holidays", "to": "working_days"}
    assert "quiet_after" not in event.detail and "windows" not in event.detail


def test_an_agent_cannot_change_a_plan(client, agent, plan):
    client.force_login(agent)
    url = reverse("admin:followups_followupplan_change", args=[plan.pk])
    response = client.post(url, plan_form(plan, offset_days=1))
    assert response.status_code == 302
    assert "login" in response.url
    assert plan.steps.get().offset_days == 3
