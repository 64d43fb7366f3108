"""The admin's configuration pages: plans and steps, calling policies and windows with a
preview of the coming days, holiday overrides, teams and duty, users and roles, the daily
build time, and patient imports. Every page needs CONFIGURE_CENTER (imports: import_patients).
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from followups import clock, exports, forms, policy_forms, selectors
from followups.models import (
    CallingPolicy,
    DutyDay,
    FollowUpPlan,
    ImportJob,
    ImportJobStatus,
    Team,
)
from followups.reports.tables import Column, Kind, Table
from followups.roles import CONFIGURE_CENTER, Role
from followups.services import config, import_jobs, import_rows
from followups.services.imports import ImportFileError
from followups.views.access import page_for

IMPORT_PERMISSION = "followups.import_patients"


# Signed in and holding CONFIGURE_CENTER: every page of this module starts here.
configures = page_for(CONFIGURE_CENTER)
imports_patients = page_for(IMPORT_PERMISSION)


@configures
def home(request):
    context = selectors.configuration_overview(today=clock.today())
    return render(request, "followups/config/home.html", context)


def _with_rows(request, model, pk, form_class, formset_class, prefix: str):
    """The object `pk` (a new one without), its form and the formset of its rows, bound to
    what was posted."""
    instance = get_object_or_404(model, pk=pk) if pk else model()
    data = request.POST or None
    return (
        instance,
        form_class(data, instance=instance),
        formset_class(data, instance=instance, prefix=prefix),
    )


# --- Plans ------------------------------------------------------------------------------------


@configures
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk=None):
    plan, plan_form, steps = _with_rows(
        request, FollowUpPlan, pk, forms.PlanForm, forms.PlanStepFormSet, "steps"
    )
    rules = forms.PlanRuleFormSet(request.POST or None, instance=plan, prefix="rules")
    # Each formset validated (all errors shown at once); the rules after the plan's form,
    # whose "active" they are checked with.
    valid = [plan_form.is_valid(), steps.is_valid(), rules.is_valid()]
    if request.method == "POST" and all(valid):
        try:
            plan = config.save_plan(
                plan_form=plan_form, steps_formset=steps, rules_formset=rules, actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Plan saved; its open cases follow the new steps."))
            return redirect("config:plan", pk=plan.pk)
    return render(
        request,
        "followups/config/plan.html",
        {"plan": plan, "form": plan_form, "steps": steps, "rules": rules},
    )


# --- Calling policies -------------------------------------------------------------------------


@configures
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk=None):
    policy, policy_form, windows = _with_rows(
        request,
        CallingPolicy,
        pk,
        policy_forms.CallingPolicyForm,
        policy_forms.CallingWindowFormSet,
        "windows",
    )
    if request.method == "POST" and policy_form.is_valid() and windows.is_valid():
        policy = config.save_policy(
            policy_form=policy_form, windows_formset=windows, actor=request.user
        )
        messages.success(request, _("Calling policy saved."))
        return redirect("config:policy", pk=policy.pk)
    context = {"policy": policy, "form": policy_form, "windows": windows}
    if policy.pk:
        # The form refused what was posted but wrote it onto `policy` (a misspelt timezone,
        # windows in the wrong order): the preview shows the policy as saved.
        saved = CallingPolicy.objects.get(pk=policy.pk) if policy_form.is_bound else policy
        context["preview"] = config.policy_preview(policy=saved, start=_preview_start(request))
        context["preview_start"] = _preview_start(request)
    return render(request, "followups/config/policy.html", context)


def _preview_start(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return clock.today()


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
        start = clock.today()
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
            departments=form.cleaned_data["departments"],
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
        "departments": list(person.headed_departments.all()),
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
    # The crontab keeps text ("7", "0"): the page reads 7:00, not 7:.
    at = {"hour": int(task.crontab.hour), "minute": f"{int(task.crontab.minute):02d}"}
    return render(request, "followups/config/schedule.html", {"form": form, "task": task, "at": at})


# --- Patient imports --------------------------------------------------------------------------


RECENT_IMPORTS = 20  # the import jobs the imports page lists


@imports_patients
@require_http_methods(["GET", "POST"])
def imports(request):
    """Upload → a check (a dry run in the worker, services/import_jobs.py) whose page shows
    its progress, then its report; the recent imports below the form."""
    form = forms.PatientImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.start_check(
                upload=form.cleaned_data["file"],
                hospital=form.cleaned_data["hospital"],
                plan=form.cleaned_data["plan"],
                actor=request.user,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("config:import_job", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by", "hospital")[:RECENT_IMPORTS]
    return render(request, "followups/config/imports.html", {"form": form, "jobs": jobs})


@imports_patients
def import_template(request, fmt):
    """An empty discharge list with the columns the import reads, to fill in and upload."""
    if fmt not in exports.FORMATS:
        raise Http404
    columns = [Column(header, header, Kind.TEXT) for header in import_rows.HEADERS]
    table = Table(key="patients", title="", columns=columns)
    content = exports.table_csv(table) if fmt == "csv" else exports.table_xlsx(table)
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="huifang-discharge-list.{fmt}"'
    return response


def _job_context(request, pk) -> dict:
    job = get_object_or_404(ImportJob.objects.select_related("created_by", "hospital"), pk=pk)
    # A clean check whose file waits: its admin may confirm it.
    waiting = (
        job.confirmable
        and job.status == ImportJobStatus.DONE
        and not job.refused
        and bool(job.staged_file)
    )
    unpicked = job.unpicked_for(timezone.now())
    return {
        "job": job,
        "unpicked_minutes": int(unpicked.total_seconds() // 60) if unpicked else None,
        "waiting": waiting,
        "can_confirm": waiting and job.created_by_id == request.user.pk,
        "confirmed_by": job.confirmed_by.order_by("-pk").first() if job.confirmable else None,
    }


@imports_patients
def import_job(request, pk):
    """An import job: its progress while it runs (polled, import_job_progress), then its
    report, and for a clean check the confirmation."""
    return render(request, "followups/config/import_job.html", _job_context(request, pk))


@imports_patients
def import_job_progress(request, pk):
    """The job's part of its page, for htmx to swap in until the job is finished."""
    return render(request, "followups/config/_partials/import_job.html", _job_context(request, pk))


@imports_patients
@require_POST
def import_job_confirm(request, pk):
    check = get_object_or_404(ImportJob, pk=pk)
    try:
        job = import_jobs.confirm(job=check, actor=request.user)
    except import_jobs.StagedImportGone:
        messages.error(request, _("No checked file is waiting: upload it again."))
        return redirect("config:imports")
    except import_jobs.ImportNotConfirmable as error:
        messages.error(request, str(error))
        return redirect("config:import_job", pk=check.pk)
    return redirect("config:import_job", pk=job.pk)
