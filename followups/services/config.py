"""The verbs behind the admin's configuration pages: plans, policies, holidays, teams and duty,
users and roles, and the time the daily lists are built. Each one audits what it changed.

The pages validate with their forms and formsets; these functions write them in one
transaction and say what follows (tasks resynced, the audit trail).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from followups.models import (
    AuditAction,
    CallingPolicy,
    DutyDay,
    FollowUpPlan,
    Team,
)
from followups.roles import Role
from followups.scheduling import SATURDAY, calendar_warnings, day_status, windows_on
from followups.services import audit
from followups.services.plan_rules import check_plan_rules
from followups.services.plans import plan_changed, policy_changed, policy_state
from followups.services.policies import calling_rules

BUILD_TASK_NAME = "Build the daily call lists"  # made by migration 0003
# followups.scheduling.day_status's reasons, as the preview says them.
DAY_REASONS = {
    "workday": _("Working day"),
    "make_up_workday": _("Make-up working day"),
    "extra_working_day": _("Working day (override)"),
    "closed_override": _("Closed (override)"),
    "holiday": _("Public holiday"),
    "weekend": _("Weekend"),
    "not_a_calling_weekday": _("Not a calling weekday"),
}
ROLE_GROUPS = tuple(role.value for role in Role)


# --- Plans and policies -----------------------------------------------------------------------


def _save_with_inlines(form, formset):
    """The form's object, then the formset's rows of it (a new object's too)."""
    saved = form.save()
    formset.instance = saved
    formset.save()
    return saved


@transaction.atomic
def save_plan(*, plan_form, steps_formset, actor, rules_formset=None) -> FollowUpPlan:
    """Save a plan, its steps and its rules; plan_changed audits it and moves its cases'
    untouched tasks. Rules that conflict with another active plan's are refused here too
    (ValidationError, nothing saved), should another admin have saved one meanwhile."""
    plan = _save_with_inlines(plan_form, steps_formset)
    if rules_formset is not None:
        rules_formset.instance = plan
        rules_formset.save()
        check_plan_rules(plan)
    plan_changed(plan=plan, actor=actor)
    return plan


@transaction.atomic
def save_policy(*, policy_form, windows_formset, actor) -> CallingPolicy:
    """Save a calling policy and its windows; policy_changed audits what changed."""
    pk = policy_form.instance.pk
    # As saved before: the bound form has already written the new values onto its instance.
    before = policy_state(CallingPolicy.objects.get(pk=pk)) if pk else None
    policy = _save_with_inlines(policy_form, windows_formset)
    policy_changed(policy=policy, actor=actor, before=before)
    return policy


@transaction.atomic
def save_holidays(*, policy: CallingPolicy, overrides_formset, actor) -> CallingPolicy:
    overrides_formset.save()
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_HOLIDAYS,
        target=policy,
        closed=sorted(
            str(day)
            for day in policy.holiday_overrides.filter(kind="closed").values_list("day", flat=True)
        ),
        working=sorted(
            str(day)
            for day in policy.holiday_overrides.filter(kind="working").values_list("day", flat=True)
        ),
    )
    return policy


@dataclass(frozen=True)
class PreviewDay:
    day: dt.date
    open: bool
    reason: str
    official: bool
    windows: list[tuple[dt.datetime, dt.datetime]]
    note: str

    @property
    def reason_label(self) -> str:
        if self.reason == "workday" and self.day.weekday() >= SATURDAY:
            # Called because the policy ticks the day, not because it is a working day.
            return str(_("Calling day (weekend)"))
        return DAY_REASONS.get(self.reason, self.reason)


def policy_preview(*, policy: CallingPolicy, start: dt.date, days: int = 7) -> dict:
    """The calling hours of `days` days from `start` under the policy, each closed day with its
    reason, and the years whose official holiday schedule is not loaded."""
    rules = calling_rules(policy)
    notes = {override.day: override.note for override in policy.holiday_overrides.all()}
    dates = [start + dt.timedelta(days=n) for n in range(days)]
    preview = []
    for day in dates:
        status = day_status(day, rules)
        preview.append(
            PreviewDay(
                day=day,
                open=status.open,
                reason=status.reason,
                official=status.official,
                windows=windows_on(day, rules) if rules.windows else [],
                note=notes.get(day, ""),
            )
        )
    return {"days": preview, "calendar_warnings": calendar_warnings(dates)}


# --- Teams and duty ---------------------------------------------------------------------------


@transaction.atomic
def save_team(*, team_form, actor) -> Team:
    team = team_form.save()
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_TEAM,
        target=team,
        members=sorted(team.members.values_list("pk", flat=True)),
        departments=sorted(team.departments.values_list("pk", flat=True)),
    )
    return team


@transaction.atomic
def set_duty(
    *, days: list[dt.date], agent_ids: list[int], on_duty: set[tuple[int, dt.date]], actor
) -> int:
    """Make the roster of `days` for the agents shown exactly `on_duty` (agent id, day);
    returns how many duty days those days now have."""
    rostered = DutyDay.objects.filter(day__in=days, agent_id__in=agent_ids)
    existing = set(rostered.values_list("agent_id", "day"))
    for agent, day in existing - on_duty:
        rostered.filter(agent_id=agent, day=day).delete()
    DutyDay.objects.bulk_create(
        [DutyDay(agent_id=agent, day=day) for agent, day in sorted(on_duty - existing)],
        ignore_conflicts=True,
    )
    count = DutyDay.objects.filter(day__in=days).count()
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_TEAM,
        duty_from=str(min(days)),
        duty_to=str(max(days)),
        duty_days=count,
    )
    return count


# --- Users and roles --------------------------------------------------------------------------


def _set_role(user, role: str, departments=()) -> None:
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS))
    user.groups.add(Group.objects.get(name=role))
    # Admins also open the data admin (Django admin), which wants is_staff.
    user.is_staff = role == Role.ADMIN
    # Only a department head is bound to departments (what they read, reports/scope.py).
    user.headed_departments.set(departments if role == Role.DEPARTMENT_HEAD else [])


def user_role(user) -> str | None:
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in reversed(ROLE_GROUPS) if role in names), None)


def _headed(user) -> dict:
    """The departments a department head heads, for the audit trail (nothing for others)."""
    headed = sorted(user.headed_departments.values_list("pk", flat=True))
    return {"departments": headed} if headed else {}


@transaction.atomic
def create_user(*, username: str, name: str, password: str, role: str, actor, departments=()):
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=name
    )
    _set_role(user, role, departments)
    user.save(update_fields=["is_staff"])
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_USER,
        target=user,
        created=True,
        role=role,
        **_headed(user),
    )
    return user


@transaction.atomic
def change_user(*, user, name: str, role: str, is_active: bool, actor, departments=()):
    before = {"role": user_role(user), "is_active": user.is_active, **_headed(user)}
    user.first_name = name
    user.is_active = is_active
    _set_role(user, role, departments)
    user.save(update_fields=["first_name", "is_active", "is_staff"])
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_USER,
        target=user,
        role_from=before["role"],
        role_to=role,
        active_from=before["is_active"],
        active_to=is_active,
        **{f"{key}_from": value for key, value in before.items() if key == "departments"},
        **{f"{key}_to": value for key, value in _headed(user).items()},
    )
    return user


# --- The daily build time ---------------------------------------------------------------------


def build_task() -> PeriodicTask:
    return PeriodicTask.objects.select_related("crontab").get(name=BUILD_TASK_NAME)


@transaction.atomic
def set_build_time(*, hour: int, minute: int, actor) -> PeriodicTask:
    """Move the daily list build to hour:minute (the center's timezone), every day."""
    task = PeriodicTask.objects.select_for_update().get(name=BUILD_TASK_NAME)
    before = (task.crontab.hour, task.crontab.minute) if task.crontab_id else None
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task.crontab = crontab
    task.save()  # django-celery-beat marks the schedule changed, so beat reloads it
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_SCHEDULE,
        target=task,
        before=f"{before[0]}:{before[1]}" if before else "",
        after=f"{hour}:{minute:02d}",
    )
    return task
