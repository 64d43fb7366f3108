"""The admin's plan and policy pages: every rule refused beside its field, changes audited,
and the 7-day preview of calling hours."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from followups.models import (
    AuditAction,
    AuditEvent,
    CallingPolicy,
    CallingWindow,
    CaseKind,
    FollowUpTask,
    HolidayOverride,
    PlanStep,
)
from followups.services.cases import open_case
from tests.factories import CallingPolicyFactory, CustomerFactory, FollowUpPlanFactory
from tests.forms import formset

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def policy():
    return CallingPolicyFactory(name="默认", is_default=True)


def plan_data(policy, steps, initial=0, name="出院回访计划"):
    return {
        "name": name,
        "description": "",
        "calling_policy": policy.pk,
        "intent_a_days": 3,
        "intent_b_days": 7,
        "intent_c_days": 21,
        "is_active": "on",
        **formset("steps", steps, initial),
        **formset("rules", []),
    }


def step(offset, **extra):
    return {
        "offset_days": offset,
        "script": "",
        "max_attempts": 3,
        "window_days": 7,
        "deadline_days": "",
        **extra,
    }


def test_a_new_plan_is_saved_with_its_steps_and_audited(client, admin_user, policy):
    client.force_login(admin_user)
    response = client.post(reverse("config:plan_new"), plan_data(policy, [step(3), step(7)]))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_PLAN)
    assert event.detail == {"steps": [3, 7], "policy": policy.pk, "rules": []}
    assert sorted(PlanStep.objects.values_list("offset_days", flat=True)) == [3, 7]


def test_an_offset_below_zero_is_refused_beside_the_field(client, admin_user, policy):
    client.force_login(admin_user)
    response = client.post(reverse("config:plan_new"), plan_data(policy, [step(-1)]), **EN)
    assert response.status_code == 200
    assert "An offset cannot be below zero: a call comes on or after the event." in (
        response.content.decode()
    )
    assert response.context["steps"].forms[0].errors["offset_days"] == [
        "An offset cannot be below zero: a call comes on or after the event."
    ]
    assert not AuditEvent.objects.exists()


def test_duplicate_offsets_are_refused_beside_the_second(client, admin_user, policy):
    client.force_login(admin_user)
    response = client.post(reverse("config:plan_new"), plan_data(policy, [step(3), step(3)]), **EN)
    forms = response.context["steps"].forms
    assert forms[0].errors == {}
    assert forms[1].errors["offset_days"] == [
        "Another step already calls on day 3: each offset once."
    ]
    assert PlanStep.objects.count() == 0


def discharged_on_the_20th(policy):
    """A plan with a day-3 step and an open discharge case of 20 November on it."""
    plan = FollowUpPlanFactory(calling_policy=policy, offsets=[3])
    case = open_case(
        customer=CustomerFactory(),
        kind=CaseKind.DISCHARGE,
        anchor_date=dt.date(2026, 11, 20),
        plan=plan,
    )
    return plan, case


def test_changing_a_step_moves_the_untouched_tasks_of_open_cases(
    client, admin_user, policy, django_capture_on_commit_callbacks
):
    plan, case = discharged_on_the_20th(policy)
    existing = plan.steps.get()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("config:plan", args=[plan.pk]),
            plan_data(policy, [step(2, id=existing.pk, plan=plan.pk)], initial=1, name=plan.name),
        )
    assert response.status_code == 302
    assert FollowUpTask.objects.get(case=case).due_date == dt.date(2026, 11, 22)


def test_a_step_with_calls_cannot_be_removed(client, admin_user, policy):
    plan = FollowUpPlanFactory(calling_policy=policy, offsets=[3])
    open_case(
        customer=CustomerFactory(),
        kind=CaseKind.DISCHARGE,
        anchor_date=dt.date(2026, 11, 20),
        plan=plan,
    )
    existing = plan.steps.get()
    client.force_login(admin_user)
    response = client.post(
        reverse("config:plan", args=[plan.pk]),
        plan_data(
            policy, [step(3, id=existing.pk, plan=plan.pk, DELETE="on")], initial=1, name=plan.name
        ),
        **EN,
    )
    assert response.status_code == 200
    assert "cannot be removed" in response.content.decode()
    assert plan.steps.count() == 1


def policy_data(windows, initial=0, **fields):
    return {
        "name": "门诊呼叫时段",
        "timezone": "Asia/Shanghai",
        "weekdays": list("0123456"),  # the ticked boxes of the weekday picker
        "holiday_rule": "skip_holidays",
        "quiet_before": "08:00",
        "quiet_after": "21:00",
        **fields,
        **formset("windows", windows, initial),
    }


def post_new_policy(client, *windows: str, headers=EN, **fields):
    """The new policy form, sent with these windows ("10:30-11:30") and `fields`."""
    spans = [dict(zip(("starts_at", "ends_at"), span.split("-"), strict=True)) for span in windows]
    return client.post(reverse("config:policy_new"), policy_data(spans, **fields), **headers)


def test_a_window_that_ends_before_it_starts_is_refused_as_crossing_midnight(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "22:00-01:00")
    assert response.status_code == 200
    assert response.context["windows"].forms[0].errors["ends_at"] == [
        "A window cannot cross midnight: quiet hours stop calls at 21:00 and allow them "
        "again at 08:00. End the window by 21:00."
    ]
    assert CallingWindow.objects.count() == 0


def test_a_saved_window_moved_across_midnight_is_refused_once(client, admin_user):
    client.force_login(admin_user)
    assert post_new_policy(client, "09:00-11:00").status_code == 302
    policy, window = CallingPolicy.objects.get(), CallingWindow.objects.get()
    data = policy_data(
        [{"id": window.pk, "policy": policy.pk, "starts_at": "22:00", "ends_at": "01:00"}],
        initial=1,
    )
    response = client.post(reverse("config:policy", args=[policy.pk]), data, **EN)
    assert response.context["windows"].forms[0].errors == {
        "ends_at": [
            "A window cannot cross midnight: quiet hours stop calls at 21:00 and allow them "
            "again at 08:00. End the window by 21:00."
        ]
    }
    window.refresh_from_db()
    assert str(window) == "09:00–11:00"


def test_a_window_of_no_time_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "10:30-10:30")
    assert response.context["windows"].forms[0].errors["ends_at"] == [
        "A window must end after it starts."
    ]
    assert CallingWindow.objects.count() == 0


def test_a_window_in_quiet_hours_is_refused_instead_of_vanishing(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "10:30-11:30", "21:30-22:30")
    assert response.status_code == 200
    assert response.context["windows"].forms[1].errors["starts_at"] == [
        "This window lies in quiet hours (no calls before 08:00 or from 21:00), so it would "
        "never be called: move it between 08:00 and 21:00."
    ]
    assert not CallingPolicy.objects.exists()


def test_a_window_reaching_into_quiet_hours_is_refused_beside_the_time_outside(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "07:00-09:00", quiet_before="08:00")
    assert response.context["windows"].forms[0].errors["starts_at"] == [
        "This window reaches into quiet hours: calls are made from 08:00 to 21:00 only. "
        "Keep the window between those times."
    ]
    # Quiet hours are read as posted: an earlier start of the calling day lets it in.
    response = post_new_policy(client, "07:00-09:00", quiet_before="07:00")
    assert response.status_code == 302
    assert [str(window) for window in CallingWindow.objects.all()] == ["07:00–09:00"]


def test_the_calling_days_are_ticked_weekdays_stored_as_digits(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "09:00-11:00", weekdays=["0", "2", "4"])
    assert response.status_code == 302
    assert CallingPolicy.objects.get().weekdays == "024"
    page = client.get(response["Location"], **EN).content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*name="weekdays" value="(\d)"[^>]*>', page)
    assert boxes == list("0123456")
    ticked = re.findall(r'name="weekdays" value="(\d)"[^>]*checked', page)
    assert ticked == ["0", "2", "4"]
    labels = re.findall(r'for="id_weekdays_\d"[^>]*>\s*(\w+)', page)
    assert labels == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def test_no_calling_day_ticked_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "09:00-11:00", weekdays=[])
    assert response.context["form"].errors["weekdays"] == ["Tick at least one day of the week."]


def test_overlapping_windows_are_refused_beside_the_later_one(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "10:30-11:30", "11:00-12:00")
    assert response.context["windows"].forms[1].errors["starts_at"] == [
        "This window overlaps the window 10:30–11:30."
    ]
    assert "This window overlaps the window 10:30–11:30." in response.content.decode()


def test_quiet_hours_in_the_wrong_order_are_refused(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, quiet_before="21:00", quiet_after="08:00")
    assert response.context["form"].errors["quiet_after"] == [
        "Quiet hours must start after the calling day begins."
    ]


def test_a_saved_policy_is_audited_with_its_windows(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "09:00-11:00", "14:00-16:00", headers={})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_POLICY)
    assert event.detail == {
        "name": "门诊呼叫时段",
        "windows": ["09:00-11:00", "14:00-16:00"],
        "weekdays": "0123456",
        "holiday_rule": "skip_holidays",
        "quiet_before": "08:00",
        "quiet_after": "21:00",
        "timezone": "Asia/Shanghai",
        "is_default": False,
    }


def test_the_preview_shows_seven_days_with_closed_days_and_the_2027_warning(
    client, admin_user, policy
):
    HolidayOverride.objects.create(
        policy=policy, day=dt.date(2026, 12, 30), kind="closed", note="院庆"
    )
    client.force_login(admin_user)
    response = client.get(
        reverse("config:policy_preview", args=[policy.pk]) + "?start=2026-12-29", **EN
    )
    html = response.content.decode()
    days = response.context["preview"]["days"]
    assert [(d.day.isoformat(), d.open, d.reason) for d in days] == [
        ("2026-12-29", True, "workday"),
        ("2026-12-30", False, "closed_override"),
        ("2026-12-31", True, "workday"),
        ("2027-01-01", False, "holiday"),
        ("2027-01-02", True, "workday"),
        ("2027-01-03", True, "workday"),
        ("2027-01-04", True, "workday"),
    ]
    assert 'id="calendar-warning-2027"' in html
    assert "The official holiday schedule of 2027 is not loaded" in html
    row_29 = html.split('id="preview-2026-12-29"')[1].split("</tr>")[0]
    assert "10:30–11:30" in row_29 and "15:00–17:30" in row_29
    row_30 = html.split('id="preview-2026-12-30"')[1].split("</tr>")[0]
    assert "Closed (override)" in row_30 and "院庆" in row_30
    assert "Public holiday" in html.split('id="preview-2027-01-01"')[1].split("</tr>")[0]
    # A Saturday the policy calls on is a calling day, not a "working day".
    row_saturday = html.split('id="preview-2027-01-02"')[1].split("</tr>")[0]
    assert "Calling day (weekend)" in row_saturday and "Working day" not in row_saturday
    assert "Working day" in row_29


def test_the_policy_page_has_no_warning_inside_a_known_year(client, admin_user, policy):
    client.force_login(admin_user)
    html = client.get(reverse("config:policy", args=[policy.pk]) + "?start=2026-06-01").content
    assert b"calendar-warning" not in html
    assert b'id="preview-2026-06-07"' in html


def post_overrides(client, policy, *overrides, **headers):
    """The holiday overrides of the policy, each (day, kind, note), as the admin saves them."""
    rows = [{"day": day, "kind": kind, "note": note} for day, kind, note in overrides]
    url = reverse("config:holidays", args=[policy.pk])
    return client.post(url, formset("overrides", rows), **headers)


def test_holiday_overrides_are_saved_and_audited(client, admin_user, policy):
    client.force_login(admin_user)
    response = post_overrides(
        client, policy, ("2027-02-06", "working", "调休"), ("2027-02-11", "closed", "春节")
    )
    assert response.status_code == 302
    assert HolidayOverride.objects.filter(policy=policy).count() == 2
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_HOLIDAYS)
    assert event.detail == {"closed": ["2027-02-11"], "working": ["2027-02-06"]}


def test_the_same_day_twice_is_refused(client, admin_user, policy):
    client.force_login(admin_user)
    response = post_overrides(
        client, policy, ("2027-02-06", "working", ""), ("2027-02-06", "closed", ""), **EN
    )
    assert response.context["overrides"].forms[1].errors["day"] == [
        "This day already has an override."
    ]
    assert HolidayOverride.objects.count() == 0


def test_the_admin_sets_each_steps_window_and_attempt_budget_and_untouched_calls_follow(
    client, admin_user, policy, django_capture_on_commit_callbacks
):
    plan, case = discharged_on_the_20th(policy)
    task = FollowUpTask.objects.get(case=case)
    assert (task.window_ends_on, task.max_attempts) == (dt.date(2026, 11, 30), 6)
    existing = plan.steps.get()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("config:plan", args=[plan.pk]),
            plan_data(
                policy,
                [step(3, id=existing.pk, plan=plan.pk, window_days=10, max_attempts=8)],
                initial=1,
                name=plan.name,
            ),
        )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert (existing.window_days, existing.max_attempts) == (10, 8)
    task.refresh_from_db()
    assert (task.due_date, task.window_ends_on, task.max_attempts) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 12, 3),
        8,
    )


def test_a_window_longer_than_sixty_days_is_refused_beside_the_field(client, admin_user, policy):
    client.force_login(admin_user)
    data = plan_data(policy, [step(3, window_days=90)])
    response = client.post(reverse("config:plan_new"), data, **EN)
    assert response.status_code == 200
    assert response.context["steps"].forms[0].errors["window_days"] == [
        "A follow-up window is at most 60 days: give a number from 0 to 60."
    ]
    assert PlanStep.objects.count() == 0
