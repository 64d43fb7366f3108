"""The supervisor's pages: the dashboard, the outcome review, the queue, escalations (with
the urgent alert every page polls), the reports and their exports."""

import datetime as dt
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from followups import selectors
from followups.exports import FORMATS, export_table
from followups.filters import EscalationFilter, OutcomeFilter, ReportFilterForm
from followups.models import (
    CallAttempt,
    CallList,
    Case,
    Escalation,
    QueueEntry,
    QueueEntryStatus,
    Satisfaction,
)
from followups.phones import mask_phone
from followups.reports import aapor, agents, funnel, reach, satisfaction, scripts
from followups.reports.escalations import (
    escalation_counts,
    escalation_list,
    escalation_table,
    unacknowledged_urgent,
)
from followups.reports.outcomes import outcome_calls, outcome_table, script_path
from followups.reports.scope import ReportScope
from followups.reports.tables import Kind, Table, display, share
from followups.roles import REVIEW_OUTCOMES, WORK_QUEUE
from followups.selectors.person_calls import carried_counts
from followups.services import escalation_workflow, reviews

EXPORT_DATA = "followups.export_data"
PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 200


def review_required(view):
    return login_required(permission_required(REVIEW_OUTCOMES, raise_exception=True)(view))


def export_required(view):
    return login_required(
        permission_required([REVIEW_OUTCOMES, EXPORT_DATA], raise_exception=True)(view)
    )


# --- Forms of the supervisor's actions --------------------------------------------------------


class ReviewForm(forms.Form):
    score = forms.IntegerField(label=gettext_lazy("Score (0–100)"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SendBackForm(forms.Form):
    when = forms.ChoiceField(
        label=gettext_lazy("Call again"),
        choices=[("today", gettext_lazy("Today")), ("tomorrow", gettext_lazy("Tomorrow"))],
    )


class ReassignForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(queryset=QueueEntry.objects.none())
    to_agent = forms.ModelChoiceField(
        label=gettext_lazy("Give to"), queryset=reviews.users_holding(WORK_QUEUE)
    )

    def __init__(self, *args, day: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = QueueEntry.objects.filter(
            call_list__day=day, status=QueueEntryStatus.WAITING
        )


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"), queryset=reviews.users_holding(REVIEW_OUTCOMES)
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("Resolution"), widget=forms.Textarea(attrs={"rows": 3})
    )
    verification_call_on = forms.DateField(
        label=gettext_lazy("Verification call to the customer on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for no call. The call asks whether it is solved."),
    )


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-control")
    return form


# --- Charts: the same figures as the table beside them ----------------------------------------

PALETTE = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14"]
SATISFACTION_COLOURS = ["#198754", "#0dcaf0", "#ffc107", "#dc3545"]


def chart(chart_id: str, kind: str, labels: list, datasets: list[dict], **options) -> dict:
    for index, dataset in enumerate(datasets):
        dataset.setdefault("backgroundColor", PALETTE[index % len(PALETTE)])
    return {
        "id": chart_id,
        "type": kind,
        "data": {"labels": labels, "datasets": datasets},
        **options,
    }


def percentages(shares: list) -> list:
    return [round(value * 100, 1) if value is not None else None for value in shares]


def rate_chart(chart_id: str, table: Table, label: str) -> dict:
    labels = [str(name) for name in table.column(table.columns[0].key)]
    data = percentages(table.column("rate"))
    return chart(chart_id, "bar", labels, [{"label": label, "data": data}], percent=True)


# --- Dashboard and the urgent alert -----------------------------------------------------------


@review_required
def home(request):
    now = timezone.now()
    today = timezone.localdate(now)
    scope = ReportScope.last_days(today=today)
    overview = selectors.supervisor_overview(day=today, now=now)
    reached = funnel.reach_funnel(scope=scope)
    said = satisfaction.satisfaction_totals(scope=scope)
    labels = funnel.reason_labels()
    context = {
        "today": today,
        "scope": scope,
        **overview,
        "funnel": reached,
        "now": now,
        "rate_text": display(share(reached.reached, reached.due), Kind.SHARE),
        "satisfaction": [(level.label, said[level.value]) for level in Satisfaction],
        "agents": agents.agent_summary(scope=scope),
        "versions": scripts.version_summary(scope=scope),
        "charts": [
            chart(
                "chart-unreached",
                "bar",
                [str(labels[reason]) for reason in reached.unreached],
                [{"label": _("Tasks"), "data": list(reached.unreached.values())}],
                horizontal=True,
            ),
            chart(
                "chart-satisfaction",
                "doughnut",
                [str(dict(Satisfaction.choices)[level]) for level in said],
                [{"data": list(said.values()), "backgroundColor": SATISFACTION_COLOURS}],
            ),
        ],
    }
    return render(request, "followups/supervisor/home.html", context)


def quiet_when_logged_out(view):
    """A poll from a page whose session has ended gets 204, which htmx leaves alone,
    rather than the login page swapped into the alert area."""

    @wraps(view)
    def polled(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            return HttpResponse(status=204)
        return view(request, *args, **kwargs)

    return polled


@quiet_when_logged_out
@review_required
def urgent_alerts(request):
    """The fragment base.html polls: urgent escalations nobody has acknowledged yet."""
    urgent = unacknowledged_urgent().select_related("department")
    return render(
        request,
        "followups/supervisor/_partials/urgent_alerts.html",
        {"urgent": list(urgent.order_by("created_at", "pk")[:5]), "count": urgent.count()},
    )


# --- Outcome review ---------------------------------------------------------------------------


def _outcomes_filter(request) -> OutcomeFilter:
    return OutcomeFilter(request.GET or None, queryset=outcome_calls(), request=request)


@review_required
def outcome_list(request):
    outcomes = _outcomes_filter(request)
    page = Paginator(outcomes.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for call in page:
        call.masked_number = mask_phone(call.dialled_number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "followups/supervisor/calls.html",
        {"filter": outcomes, "page": page, "query": query.urlencode()},
    )


@review_required
def call_detail(request, pk):
    call = get_object_or_404(
        CallAttempt.objects.select_related(
            "agent",
            "task__case__customer",
            "task__case__patient__department",
            "script_version__script",
            "queue_entry",
        ).prefetch_related("answers"),
        pk=pk,
    )
    context = {
        "call": call,
        "case": call.task.case,
        "masked_number": mask_phone(call.dialled_number),
        "handle_seconds": call.handle_seconds,
        "path": script_path(call),
        "other_calls": call.task.attempts_made.select_related("agent").order_by("started_at"),
        "reviews": call.reviews.select_related("reviewer"),
        "escalations": call.escalations.select_related("owner"),
        "review_form": _styled(ReviewForm()),
        "send_back_form": _styled(SendBackForm()),
    }
    return render(request, "followups/supervisor/call_detail.html", context)


@review_required
@require_POST
def review_call(request, pk):
    call = get_object_or_404(CallAttempt, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        reviews.review_call(
            attempt=call,
            reviewer=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Review saved."))
    else:
        messages.error(request, _("The score is from 0 to 100."))
    return redirect("supervisor:call_detail", pk=call.pk)


@review_required
@require_POST
def send_case_back(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = SendBackForm(request.POST)
    back_to = request.POST.get("call") or ""
    if form.is_valid():
        today = timezone.localdate()
        due = today if form.cleaned_data["when"] == "today" else today + dt.timedelta(days=1)
        try:
            reviews.send_case_back(case=case, by=request.user, due_date=due, today=today)
            messages.success(request, _("The case is back on the list for %(day)s.") % {"day": due})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    if back_to.isdigit():
        return redirect("supervisor:call_detail", pk=int(back_to))
    return redirect("supervisor:calls")


# --- Today's queue: reassign waiting calls ----------------------------------------------------


NEEDING_NUMBER_SHOWN = 20

# The list build's counts (CallList.report), as the queue page names them.
BUILD_COUNTS = [
    ("added", gettext_lazy("Added")),
    ("riding_along", gettext_lazy("Follow-ups riding along on their person's call")),
    ("window_missed", gettext_lazy("Window missed")),
    ("flagged_needs_number", gettext_lazy("Newly flagged: number needs fixing")),
    ("closed_earlier", gettext_lazy("Left on earlier lists, closed")),
]
SKIP_REASONS = {
    "no_phone_number": gettext_lazy("No phone number"),
    "do_not_call": gettext_lazy("Do not call"),
    "deceased": gettext_lazy("Deceased"),
    "case_closed": gettext_lazy("Case closed"),
    "closed_day": gettext_lazy("Closed day"),
}


def _build_summary(call_list: CallList | None) -> list[tuple[str, int]]:
    """What the morning build added, ended and skipped (by reason), in a supervisor's words."""
    if call_list is None or not call_list.report:
        return []
    report = call_list.report
    rows = [(str(label), report.get(key, 0)) for key, label in BUILD_COUNTS]
    for reason, count in sorted(report.get("skipped", {}).items()):
        label = SKIP_REASONS.get(reason, reason)
        rows.append((_("Skipped: %(reason)s") % {"reason": label}, count))
    return rows


@review_required
def queue(request):
    today = timezone.localdate()
    if request.method == "POST":
        form = ReassignForm(request.POST, day=today)
        if form.is_valid():
            moved = reviews.reassign_entries(
                day=today,
                entry_ids=[entry.pk for entry in form.cleaned_data["entries"]],
                to_agent=form.cleaned_data["to_agent"],
                by=request.user,
            )
            messages.success(request, _("%(count)s calls reassigned.") % {"count": moved})
        else:
            messages.error(request, _("Choose the calls and the agent to give them to."))
        query = request.GET.urlencode()
        return redirect(reverse("supervisor:queue") + (f"?{query}" if query else ""))
    waiting = QueueEntry.objects.filter(call_list__day=today, status=QueueEntryStatus.WAITING)
    per_agent = (
        QueueEntry.objects.filter(call_list__day=today)
        .values("assigned_agent", "assigned_agent__username", "assigned_agent__first_name")
        .annotate(
            waiting=Count("pk", filter=Q(status=QueueEntryStatus.WAITING)),
            claimed=Count("pk", filter=Q(status=QueueEntryStatus.CLAIMED)),
            done=Count("pk", filter=Q(status=QueueEntryStatus.DONE)),
        )
        .order_by("assigned_agent__username")
    )
    shown_agent = request.GET.get("agent", "")
    if shown_agent == "none":
        waiting = waiting.filter(assigned_agent__isnull=True)
    elif shown_agent.isdigit():
        waiting = waiting.filter(assigned_agent_id=int(shown_agent))
    needing_number = selectors.tasks_needing_a_number()
    # One entry per person: its lead follow-up, and how many follow-ups its call covers.
    entries = Paginator(
        waiting.select_related(
            "assigned_agent", "call_list", "customer", "task__case__patient__department"
        ).order_by("priority", "pk"),
        QUEUE_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    listed = list(entries)
    covered = carried_counts(listed)
    for entry in listed:
        entry.follow_ups = covered[entry.pk]
    return render(
        request,
        "followups/supervisor/queue.html",
        {
            "today": today,
            "list_built": CallList.objects.filter(day=today).exists(),
            "build": _build_summary(CallList.objects.filter(day=today).first()),
            "needing_number": needing_number[:NEEDING_NUMBER_SHOWN],
            "needing_number_count": needing_number.count(),
            "per_agent": per_agent,
            "entries": entries,
            "shown_agent": shown_agent,
            "form": _styled(ReassignForm(day=today)),
        },
    )


# --- Escalations ------------------------------------------------------------------------------


@review_required
def escalations(request):
    now = timezone.now()
    found = EscalationFilter(request.GET or None, queryset=escalation_list(now=now), now=now)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "followups/supervisor/escalations.html",
        {
            "filter": found,
            "page": page,
            "query": query.urlencode(),
            "counts": escalation_counts(now=now),
        },
    )


@review_required
def escalation_detail(request, pk):
    now = timezone.now()
    escalation = get_object_or_404(
        escalation_list(now=now).select_related("case__patient__department"), pk=pk
    )
    return render(
        request,
        "followups/supervisor/escalation_detail.html",
        {
            "escalation": escalation,
            "owner_form": _styled(OwnerForm(initial={"owner": escalation.owner_id})),
            "resolve_form": _styled(ResolveForm()),
            "history": selectors.escalation_history(escalation=escalation),
        },
    )


@review_required
@require_POST
def escalation_step(request, pk, step):
    escalation = get_object_or_404(Escalation, pk=pk)
    now = timezone.now()
    try:
        if step == "acknowledge":
            escalation_workflow.acknowledge(escalation=escalation, by=request.user, now=now)
        elif step == "verify":
            escalation_workflow.verify(escalation=escalation, by=request.user, now=now)
        elif step == "owner":
            form = OwnerForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose a supervisor as the owner."))
            escalation_workflow.assign_owner(
                escalation=escalation, owner=form.cleaned_data["owner"], by=request.user
            )
        elif step == "resolve":
            form = ResolveForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say how the problem was solved."))
            escalation_workflow.resolve(
                escalation=escalation,
                by=request.user,
                resolution=form.cleaned_data["resolution"],
                now=now,
                verification_call_on=form.cleaned_data["verification_call_on"],
            )
        else:
            raise Http404
        if not request.htmx:
            messages.success(request, _("Escalation updated."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx and step == "acknowledge":
        return urgent_alerts(request)
    return redirect("supervisor:escalation_detail", pk=escalation.pk)


# --- Reports ----------------------------------------------------------------------------------


def _scripts_report(request, scope, **kwargs):
    versions = list(scripts.script_versions())
    by_pk = {str(version.pk): version for version in versions}
    chosen = [by_pk[pk] for pk in (request.GET.get("a"), request.GET.get("b")) if pk in by_pk]
    if not chosen and versions:
        published = [version for version in versions if version.is_published]
        chosen = (published or versions)[:1]
    report = scripts.compare_versions(versions=chosen, scope=scope)
    report.versions = versions
    report.chosen = [str(version.pk) for version in chosen]
    return report


REPORTS = {
    "reach": lambda request, scope, **kwargs: reach.follow_up_rate(scope=scope),
    "funnel": lambda request, scope, **kwargs: funnel.reach_funnel(scope=scope),
    "aapor": lambda request, scope, **kwargs: aapor.aapor_report(scope=scope),
    "satisfaction": lambda request, scope, **kwargs: satisfaction.satisfaction_report(
        scope=scope, **kwargs
    ),
    "scripts": _scripts_report,
    "agents": lambda request, scope, **kwargs: agents.agent_figures(scope=scope),
}


def _report_charts(name: str, report) -> list[dict]:
    if name == "reach":
        return [
            rate_chart("chart-day", report.by_day, _("Follow-up rate by due day")),
            rate_chart("chart-department", report.by_department, _("by department")),
        ]
    if name == "funnel":
        labels = funnel.reason_labels()
        return [
            chart(
                "chart-stages",
                "bar",
                [str(row[0]) for row in report.stages.rows],
                [{"label": _("Tasks"), "data": report.stages.column("tasks")}],
            ),
            chart(
                "chart-reasons",
                "bar",
                [str(labels[reason]) for reason in report.unreached],
                [{"label": _("Tasks"), "data": list(report.unreached.values())}],
                horizontal=True,
            ),
        ]
    if name == "aapor":
        return [
            chart(
                "chart-rates",
                "bar",
                aapor.RATE_NAMES,
                [
                    {
                        "label": _("Rate"),
                        "data": percentages([report.rates[n] for n in aapor.RATE_NAMES]),
                    }
                ],
                percent=True,
            )
        ]
    if name == "satisfaction":
        return [
            chart(
                "chart-satisfaction",
                "bar",
                report.by_department.column("department"),
                [
                    {
                        "label": str(label),
                        "data": report.by_department.column(level),
                        "backgroundColor": SATISFACTION_COLOURS[index],
                    }
                    for index, (level, label) in enumerate(Satisfaction.choices)
                ],
                stacked=True,
            )
        ]
    if name == "scripts":
        return [
            chart(
                "chart-nodes",
                "bar",
                report.nodes.column("node"),
                [
                    {
                        "label": str(funnel_.version),
                        "data": report.nodes.column(f"v{funnel_.version.number}_reached"),
                    }
                    for funnel_ in report.funnels
                ],
            )
        ]
    if name == "agents":
        return [
            chart(
                "chart-agents",
                "bar",
                report.table.column("agent"),
                [
                    {"label": _("Calls"), "data": report.table.column("calls")},
                    {
                        "label": _("Calls reaching the person"),
                        "data": report.table.column("reached"),
                    },
                ],
            )
        ]
    return []


def _report_extras(name: str, report) -> dict:
    """What a report page shows beside its tables: headline figures and definitions."""
    if name == "reach":
        return {
            "rate_text": display(report.rate, Kind.SHARE),
            "people_rate_text": display(report.people_rate, Kind.SHARE),
        }
    if name == "aapor":
        return {
            "definitions": aapor.rate_definitions(),
            "rates_text": [(n, display(report.rates[n], Kind.SHARE)) for n in aapor.RATE_NAMES],
        }
    if name == "satisfaction":
        return {
            "assessment_good": f"{report.assessment.good:.0%}",
            "assessment_poor": f"{report.assessment.poor:.0%}",
            "totals": [(level.label, report.totals[level.value]) for level in Satisfaction],
        }
    if name == "agents":
        return {"allowed_text": display(report.allowed_share, Kind.SHARE)}
    if name == "scripts":
        labels = {"a": _("Script version"), "b": _("Compare with")}
        chosen = dict(zip(["a", "b"], report.chosen, strict=False))
        return {
            "extra_fields": "followups/supervisor/reports/_version_fields.html",
            "version_selects": [
                {
                    "name": field,
                    "label": labels[field],
                    "options": [
                        (
                            version.pk,
                            f"{version} · {version.get_status_display()}",
                            chosen.get(field) == str(version.pk),
                        )
                        for version in report.versions
                    ],
                }
                for field in ["a", "b"]
            ],
        }
    return {}


@review_required
def report(request, name):
    if name not in REPORTS:
        raise Http404
    today = timezone.localdate()
    form = ReportFilterForm(request.GET, today=today)
    scope = form.scope()
    result = REPORTS[name](request, scope)
    return render(
        request,
        f"followups/supervisor/reports/{name}.html",
        {
            "report": result,
            "report_name": name,
            "form": form,
            "scope": scope,
            "query": request.GET.urlencode(),
            "charts": _report_charts(name, result),
            "can_export": request.user.has_perm(EXPORT_DATA),
            **_report_extras(name, result),
        },
    )


@export_required
def export(request, name, table, fmt):
    if fmt not in FORMATS:
        raise Http404
    filters = {key: value for key, value in request.GET.items() if value}
    if name == "calls":
        found = _outcomes_filter(request).qs
        tables = [outcome_table(found)]
    elif name == "escalations":
        now = timezone.now()
        found = EscalationFilter(request.GET or None, queryset=escalation_list(now=now), now=now)
        tables = [escalation_table(found.qs)]
    elif name in REPORTS:
        scope = ReportFilterForm(request.GET, today=timezone.localdate()).scope()
        # Exports carry whole lists, not the page's latest few.
        tables = REPORTS[name](request, scope, list_length=None).tables
    else:
        raise Http404
    chosen = next((t for t in tables if t.key == table), None)
    if chosen is None:
        raise Http404
    return export_table(table=chosen, fmt=fmt, report=name, user=request.user, filters=filters)


app_name = "supervisor"
urlpatterns = [
    path("", home, name="home"),
    path("alerts/", urgent_alerts, name="urgent_alerts"),
    path("calls/", outcome_list, name="calls"),
    path("calls/<int:pk>/", call_detail, name="call_detail"),
    path("calls/<int:pk>/review/", review_call, name="review_call"),
    path("cases/<int:pk>/send-back/", send_case_back, name="send_case_back"),
    path("queue/", queue, name="queue"),
    path("escalations/", escalations, name="escalations"),
    path("escalations/<int:pk>/", escalation_detail, name="escalation_detail"),
    path("escalations/<int:pk>/<slug:step>/", escalation_step, name="escalation_step"),
    path("reports/<slug:name>/", report, name="report"),
    path("export/<slug:name>/<slug:table>.<slug:fmt>", export, name="export"),
]
