"""The admin's configuration pages: plans and steps, calling policies and windows with a
preview of the coming days, holiday overrides, teams and duty, users and roles, the daily
build time, and patient imports. Every page needs CONFIGURE_CENTER (imports: import_patients).
"""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from followups import forms, selectors
from followups.models import CallingPolicy, DutyDay, FollowUpPlan, Team
from followups.roles import CONFIGURE_CENTER, Role
from followups.services import config, import_staging
from followups.services.imports import ImportFileError

IMPORT_PERMISSION = "followups.import_patients"


def configures(view):
    """Signed in and holding CONFIGURE_CENTER; every page of this module starts here."""

    @login_required
    @permission_required(CONFIGURE_CENTER, raise_exception=True)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapper


def imports_patients(view):
    @login_required
    @permission_required(IMPORT_PERMISSION, raise_exception=True)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapper


@configures
def home(request):
    context = selectors.configuration_overview(today=timezone.localdate())
    return render(request, "followups/config/home.html", context)


# --- Plans ------------------------------------------------------------------------------------


@configures
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk=None):
    plan = get_object_or_404(FollowUpPlan, pk=pk) if pk else FollowUpPlan()
    plan_form = forms.PlanForm(request.POST or None, instance=plan)
    steps = forms.PlanStepFormSet(request.POST or None, instance=plan, prefix="steps")
    if request.method == "POST" and plan_form.is_valid() and steps.is_valid():
        plan = config.save_plan(plan_form=plan_form, steps_formset=steps, actor=request.user)
        messages.success(request, _("Plan saved; its open cases follow the new steps."))
        return redirect("config:plan", pk=plan.pk)
    return render(
        request, "followups/config/plan.html", {"plan": plan, "form": plan_form, "steps": steps}
    )


# --- Calling policies -------------------------------------------------------------------------


@configures
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk=None):
    policy = get_object_or_404(CallingPolicy, pk=pk) if pk else CallingPolicy()
    policy_form = forms.CallingPolicyForm(request.POST or None, instance=policy)
    windows = forms.CallingWindowFormSet(request.POST or None, instance=policy, prefix="windows")
    if request.method == "POST" and policy_form.is_valid() and windows.is_valid():
        policy = config.save_policy(
            policy_form=policy_form, windows_formset=windows, actor=request.user
        )
        messages.success(request, _("Calling policy saved."))
        return redirect("config:policy", pk=policy.pk)
    context = {"policy": policy, "form": policy_form, "windows": windows}
    if policy.pk:
        context["preview"] = config.policy_preview(policy=policy, start=_preview_start(request))
        context["preview_start"] = _preview_start(request)
    return render(request, "followups/config/policy.html", context)


def _preview_start(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return timezone.localdate()


@configures
def policy_preview(request, pk):
    """The 7-day preview alone, for htmx to swap in when the admin picks another start."""
    policy = get_object_or_404(CallingPolicy, pk=pk)
    start = _preview_start(request)
    return render(
        request,
        "followups/config/_partials/preview.html",
        {
            "policy": policy,
            "preview": config.policy_preview(policy=policy, start=start),
            "preview_start": start,
        },
    )


@configures
@require_http_methods(["GET", "POST"])
def holidays(request, pk):
    policy = get_object_or_404(CallingPolicy, pk=pk)
    overrides = forms.HolidayOverrideFormSet(
        request.POST or None, instance=policy, prefix="overrides"
    )
    if request.method == "POST" and overrides.is_valid():
        config.save_holidays(policy=policy, overrides_formset=overrides, actor=request.user)
        messages.success(request, _("Holiday overrides saved."))
        return redirect("config:holidays", pk=policy.pk)
    return render(
        request, "followups/config/holidays.html", {"policy": policy, "overrides": overrides}
    )


# --- Teams and duty ---------------------------------------------------------------------------


@configures
def teams(request):
    return render(
        request,
        "followups/config/teams.html",
        {"teams": Team.objects.prefetch_related("members", "departments")},
    )


@configures
@require_http_methods(["GET", "POST"])
def team_edit(request, pk=None):
    team = get_object_or_404(Team, pk=pk) if pk else Team()
    form = forms.TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        config.save_team(team_form=form, actor=request.user)
        messages.success(request, _("Team saved."))
        return redirect("config:teams")
    return render(request, "followups/config/team.html", {"team": team, "form": form})


def _agents():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.AGENT)
        .order_by("username")
    )


@configures
@require_http_methods(["GET", "POST"])
def duty(request):
    """Who is on duty, a week at a time: a grid of agents by days."""
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = timezone.localdate()
    days = [start + dt.timedelta(days=n) for n in range(7)]
    agents = list(_agents())
    if request.method == "POST":
        chosen = set(request.POST.getlist("duty"))
        on_duty = {
            (agent.pk, day)
            for agent in agents
            for day in days
            if f"{agent.pk}:{day.isoformat()}" in chosen
        }
        config.set_duty(
            days=days, agent_ids=[a.pk for a in agents], on_duty=on_duty, actor=request.user
        )
        messages.success(request, _("Duty roster saved."))
        return redirect(f"{request.path}?start={start.isoformat()}")
    rostered = set(DutyDay.objects.filter(day__in=days).values_list("agent_id", "day"))
    rows = [
        {
            "agent": agent,
            "cells": [
                {"key": f"{agent.pk}:{day.isoformat()}", "on": (agent.pk, day) in rostered}
                for day in days
            ],
        }
        for agent in agents
    ]
    return render(
        request,
        "followups/config/duty.html",
        {
            "days": days,
            "rows": rows,
            "start": start,
            "previous": start - dt.timedelta(days=7),
            "next": start + dt.timedelta(days=7),
            "roster_empty_days": [day for day in days if not any(d == day for _, d in rostered)],
        },
    )


# --- Users and roles --------------------------------------------------------------------------


@configures
def users(request):
    people = get_user_model().objects.prefetch_related("groups").order_by("username")
    return render(
        request,
        "followups/config/users.html",
        {"people": [(person, config.user_role(person)) for person in people]},
    )


@configures
@require_http_methods(["GET", "POST"])
def user_new(request):
    form = forms.NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        config.create_user(
            username=form.cleaned_data["username"],
            name=form.cleaned_data["name"],
            password=form.cleaned_data["password"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
        messages.success(request, _("User created."))
        return redirect("config:users")
    return render(request, "followups/config/user.html", {"form": form, "person": None})


@configures
@require_http_methods(["GET", "POST"])
def user_edit(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    initial = {
        "name": person.first_name,
        "role": config.user_role(person),
        "is_active": person.is_active,
    }
    form = forms.UserChangeForm(
        request.POST or None, initial=initial, user=person, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        config.change_user(user=person, actor=request.user, **form.cleaned_data)
        messages.success(request, _("User saved."))
        return redirect("config:users")
    return render(request, "followups/config/user.html", {"form": form, "person": person})


# --- The daily build time ---------------------------------------------------------------------


@configures
@require_http_methods(["GET", "POST"])
def schedule(request):
    task = config.build_task()
    initial = {"hour": task.crontab.hour, "minute": task.crontab.minute}
    form = forms.BuildTimeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        config.set_build_time(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The daily lists will be built at the new time."))
        return redirect("config:schedule")
    return render(request, "followups/config/schedule.html", {"form": form, "task": task})


# --- Patient imports --------------------------------------------------------------------------


PENDING_IMPORT = "pending_import"  # the session's key for the checked file waiting


@imports_patients
@require_http_methods(["GET", "POST"])
def imports(request):
    """Upload → dry-run report; the file waits (services/import_staging.py) for the
    confirmation, unless a row is refused."""
    form = forms.PatientImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = import_staging.check_upload(
                upload=upload,
                hospital=form.cleaned_data["hospital"],
                plan=form.cleaned_data["plan"],
                actor=request.user,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            _forget_pending(request)
            if checked.staged is not None:
                request.session[PENDING_IMPORT] = checked.staged.as_session()
            return render(
                request,
                "followups/config/import_report.html",
                {"report": checked.report, "upload_name": upload.name},
            )
    return render(request, "followups/config/imports.html", {"form": form})


def _forget_pending(request) -> None:
    """The session holds one checked file: the one it held before is not kept."""
    pending = request.session.pop(PENDING_IMPORT, None)
    if pending:
        import_staging.discard(import_staging.StagedImport.from_session(pending))


@imports_patients
@require_POST
def import_confirm(request):
    pending = request.session.pop(PENDING_IMPORT, None)
    if not pending:
        messages.error(request, _("No checked file is waiting: upload it again."))
        return redirect("config:imports")
    staged = import_staging.StagedImport.from_session(pending)
    try:
        report = import_staging.confirm_upload(staged=staged, actor=request.user)
    except import_staging.StagedImportGone:
        messages.error(request, _("No checked file is waiting: upload it again."))
        return redirect("config:imports")
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("config:imports")
    if report.committed:
        messages.success(
            request,
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % report.counts,
        )
        return redirect("config:imports")
    return render(
        request,
        "followups/config/import_report.html",
        {"report": report, "upload_name": staged.name, "final": True},
    )


app_name = "config"
urlpatterns = [
    path("", home, name="home"),
    path("plans/new/", plan_edit, name="plan_new"),
    path("plans/<int:pk>/", plan_edit, name="plan"),
    path("policies/new/", policy_edit, name="policy_new"),
    path("policies/<int:pk>/", policy_edit, name="policy"),
    path("policies/<int:pk>/preview/", policy_preview, name="policy_preview"),
    path("policies/<int:pk>/holidays/", holidays, name="holidays"),
    path("teams/", teams, name="teams"),
    path("teams/new/", team_edit, name="team_new"),
    path("teams/<int:pk>/", team_edit, name="team"),
    path("duty/", duty, name="duty"),
    path("users/", users, name="users"),
    path("users/new/", user_new, name="user_new"),
    path("users/<int:pk>/", user_edit, name="user"),
    path("schedule/", schedule, name="schedule"),
    path("imports/", imports, name="imports"),
    path("imports/confirm/", import_confirm, name="import_confirm"),
]
