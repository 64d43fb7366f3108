"""The configuration pages refuse bad input beside its field and name recurring steps as
recurring: a misspelt timezone, a window ending before it starts, a cadence
of 0 days, one empty case kind per saved rule, an import the worker never picks up."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import (
    CallingPolicy,
    CallingWindow,
    FollowUpPlan,
    ImportJob,
    ImportJobStatus,
    PlanRule,
)
from tests.config.test_plans_and_policies import plan_data, post_new_policy, step
from tests.factories import CallingPolicyFactory, FollowUpPlanFactory, HospitalFactory
from tests.forms import formset

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def policy():
    return CallingPolicyFactory(name="默认", is_default=True)


def saved_policy_data(policy, **fields):
    return {
        "name": policy.name,
        "timezone": policy.timezone,
        "weekdays": list("0123456"),
        "holiday_rule": "skip_holidays",
        "quiet_before": "08:00",
        "quiet_after": "21:00",
        **fields,
        **formset("windows", []),
    }


@pytest.mark.parametrize("zone", ["Asia/Shanghia", "Mars/Olympus"])
def test_a_misspelt_timezone_is_refused_beside_it_and_the_preview_stays(
    client, admin_user, policy, zone
):
    client.force_login(admin_user)
    url = reverse("config:policy", args=[policy.pk])
    response = client.post(url, saved_policy_data(policy, timezone=zone), **EN)
    assert response.status_code == 200
    assert response.context["form"].errors["timezone"] == [
        "Unknown timezone: use a name like Asia/Shanghai."
    ]
    assert len(response.context["preview"]["days"]) == 7  # the saved policy's coming days
    policy.refresh_from_db()
    assert policy.timezone == "Asia/Shanghai"


def test_a_window_ending_before_it_starts_says_so_beside_its_end(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "14:00-13:00")
    assert response.status_code == 200
    assert response.context["windows"].forms[0].errors == {
        "ends_at": ["This window ends (13:00) before it starts (14:00): set an end after 14:00."]
    }
    assert "This window ends (13:00) before it starts (14:00)" in response.content.decode()
    assert not CallingWindow.objects.exists()


def test_a_new_window_across_midnight_leaves_its_start_without_a_raw_error(client, admin_user):
    client.force_login(admin_user)
    response = post_new_policy(client, "22:00-01:00")
    errors = response.context["windows"].forms[0].errors
    assert list(errors) == ["ends_at"]
    assert "cannot be null" not in response.content.decode()


def test_a_saved_window_moved_to_end_before_its_start_is_refused_once(client, admin_user):
    client.force_login(admin_user)
    assert post_new_policy(client, "09:00-11:00").status_code == 302
    policy, window = CallingPolicy.objects.get(), CallingWindow.objects.get()
    data = {
        **saved_policy_data(policy),
        **formset(
            "windows",
            [{"id": window.pk, "policy": policy.pk, "starts_at": "14:00", "ends_at": "13:00"}],
            initial=1,
        ),
    }
    response = client.post(reverse("config:policy", args=[policy.pk]), data, **EN)
    assert response.context["windows"].forms[0].errors == {
        "ends_at": ["This window ends (13:00) before it starts (14:00): set an end after 14:00."]
    }
    window.refresh_from_db()
    assert str(window) == "09:00–11:00"


@pytest.mark.parametrize("field", ["intent_a_days", "intent_b_days"])
def test_a_cadence_of_zero_days_is_refused(client, admin_user, policy, field):
    client.force_login(admin_user)
    data = {**plan_data(policy, [step(3)]), field: 0}
    response = client.post(reverse("config:plan_new"), data, **EN)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        "Give at least 1 day between two calls of the same case."
    ]
    assert not FollowUpPlan.objects.exists()


def test_a_follow_up_window_of_zero_days_is_kept_as_the_due_day_alone(client, admin_user, policy):
    """0 is a window too: the step is called on its due day only (a reminder the day
    before an appointment, say). It is not a cadence of 0 days."""
    client.force_login(admin_user)
    response = client.post(
        reverse("config:plan_new"), plan_data(policy, [step(3, window_days=0)]), **EN
    )
    assert response.status_code == 302
    assert FollowUpPlan.objects.get().steps.get().window_days == 0


def test_a_saved_rule_offers_one_empty_kind_any_kind(client, admin_user, policy):
    plan = FollowUpPlanFactory(calling_policy=policy, offsets=[3])
    PlanRule.objects.create(plan=plan, department=None, case_kind="")
    client.force_login(admin_user)
    rules = client.get(reverse("config:plan", args=[plan.pk]), **EN).context["rules"]
    saved, new = (dict(form.fields["case_kind"].choices) for form in rules.forms)
    assert "" not in saved and saved["any"] == "any kind"
    assert rules.forms[0]["case_kind"].value() == "any"
    # The row for a new rule starts blank: left so, it adds nothing.
    assert "" in new


def test_the_configuration_home_names_a_recurring_step_as_recurring(client, admin_user, policy):
    plan = FollowUpPlanFactory(calling_policy=policy, offsets=[7])
    plan.steps.create(offset_days=30, repeat_every=1, repeat_unit="months")
    plan.steps.create(offset_days=60, repeat_every=3, repeat_unit="months")
    plan.steps.create(offset_days=90, repeat_every=14, repeat_unit="days")
    client.force_login(admin_user)
    text = client.get(reverse("config:home"), **EN).content.decode()
    assert "day 7 ·" in text
    assert "day 30, then monthly" in text
    assert "day 60, then every 3 months" in text
    assert "day 90, then every 14 days" in text


def queued_job(admin_user, minutes: int) -> ImportJob:
    job = ImportJob.objects.create(
        file_name="出院名单.csv", hospital=HospitalFactory(), created_by=admin_user, dry_run=True
    )
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes)
    )
    return job


def test_an_import_no_worker_picks_up_says_so_after_two_minutes(client, admin_user):
    client.force_login(admin_user)
    fresh, stale = queued_job(admin_user, 0), queued_job(admin_user, 3)
    fresh_page = client.get(reverse("config:import_job", args=[fresh.pk]), **EN)
    assert 'id="import-unpicked"' not in fresh_page.content.decode()
    text = client.get(reverse("config:import_job_progress", args=[stale.pk]), **EN)
    text = text.content.decode()
    assert "The background worker has not picked this file up for 3 minutes" in text
    assert "Ask IT to check the background worker" in text and "kept 24 hours" in text
    # Once the worker has it, however long ago it was queued, there is nothing to say.
    ImportJob.objects.filter(pk=stale.pk).update(status=ImportJobStatus.RUNNING)
    running = client.get(reverse("config:import_job_progress", args=[stale.pk]), **EN)
    assert 'id="import-unpicked"' not in running.content.decode()


def test_the_import_form_has_the_only_hospital_chosen_and_no_blank(client, admin_user):
    hospital = HospitalFactory()
    client.force_login(admin_user)
    form = client.get(reverse("config:imports"), **EN).context["form"]
    assert [value for value, _ in form.fields["hospital"].choices] == [hospital.code]
    assert form["hospital"].value() == hospital.code


def test_the_user_form_calls_the_name_what_the_user_list_calls_it(client, admin_user):
    client.force_login(admin_user)
    form = client.get(reverse("config:user_new"), **EN).context["form"]
    assert form.fields["name"].label == "full name"
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    assert "姓名" in client.get(reverse("config:user_new"), **zh).content.decode()
    assert "姓名" in client.get(reverse("config:users"), **zh).content.decode()
