"""The supervisor's pages: the dashboard, the outcome review, the queue, escalations (with
the urgent alert every page polls), the reports and their exports.

The pages of the dashboard, the outcome review and escalations are here, with the URL
patterns of all of them; the queue page is in supervisor_queue.py, the reports and
exports in supervisor_reports.py, what they share in supervisor_common.py."""

import datetime as dt
from dataclasses import replace
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from followups import clock, selectors
from followups.forms import PersonChoiceField
from followups.models import CallAttempt, Case, Escalation, Satisfaction, TaskStatus
from followups.phones import mask_phone
from followups.reports import agents, funnel, satisfaction, scripts
from followups.reports.escalations import (
    escalation_counts,
    escalation_list,
    unacknowledged_urgent,
    verification_call,
)
from followups.reports.outcomes import script_path
from followups.reports.scope import ReportScope
from followups.reports.tables import Kind, Table, display, share
from followups.roles import REVIEW_OUTCOMES
from followups.selectors.person_page import findable
from followups.services import escalation_workflow, reviews
from followups.views import kept_search
from followups.views.paging import query_without
from followups.views.supervisor_common import (
    CALL_DEPARTMENT,
    ESCALATION_DEPARTMENT,
    PAGE_SIZE,
    _outcomes_filter,
    _styled,
    audit_phone_search,
    escalations_filter,
    read_required,
    review_required,
    seen,
)
from followups.views.supervisor_reports import (
    PERIODS,
    SATISFACTION_COLOURS,
    chart,
    reasons_chart,
)

# --- Forms of the supervisor's actions --------------------------------------------------------


SCORE_RANGE = gettext_lazy("The score is from 0 to 100.")


class ReviewForm(forms.Form):
    score = forms.IntegerField(
        label=gettext_lazy("Score (0–100)"),
        min_value=0,
        max_value=100,
        error_messages={
            key: SCORE_RANGE for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SendBackForm(forms.Form):
    when = forms.ChoiceField(
        label=gettext_lazy("Call again"),
        choices=[("today", gettext_lazy("Today")), ("tomorrow", gettext_lazy("Tomorrow"))],
    )


class OwnerForm(forms.Form):
    owner = PersonChoiceField(
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


# --- Dashboard and the urgent alert -----------------------------------------------------------


def by_call(table: Table) -> Table:
    """The agents' table with its reached share named as counted, by call: beside the
    follow-up rate (by follow-up) the two figures differ and must not be confused."""
    table.columns = [
        replace(column, label=_("Reached share (by call)"))
        if column.key == "reach_share"
        else column
        for column in table.columns
    ]
    return table


@review_required
def home(request):
    now = timezone.now()
    today = clock.center_day(now)
    days = request.GET.get("days", "")
    days = int(days) if days in {str(n) for n in PERIODS} else PERIODS[0]
    scope = ReportScope.last_days(today=today, days=days)
    overview = selectors.supervisor_overview(day=today, now=now)
    reached = funnel.reach_funnel(scope=scope)
    said = satisfaction.satisfaction_totals(scope=scope)
    context = {
        "today": today,
        "scope": scope,
        "days": days,
        "periods": PERIODS,
        **overview,
        "funnel": reached,
        "now": now,
        "rate_text": display(share(reached.reached, reached.due), Kind.SHARE),
        "satisfaction": [(level.label, said[level.value]) for level in Satisfaction],
        "agents": by_call(agents.agent_summary(scope=scope)),
        "versions": scripts.version_summary(scope=scope),
        "charts": [
            reasons_chart("chart-unreached", reached),
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


@read_required
def outcome_list(request):
    if moved := kept_search.moved(request):
        return moved
    outcomes = _outcomes_filter(request)
    page = Paginator(outcomes.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_phone_search(request, resource="call_outcomes", page=page)
    for call in page:
        call.masked_number = mask_phone(call.dialled_number)
    return render(
        request,
        "followups/supervisor/calls.html",
        {"filter": outcomes, "page": page, "query": query_without(request)},
    )


def _call_page(request, call: CallAttempt, *, review_form: ReviewForm | None = None):
    """The call's page; `review_form`: a review refused, shown with what was typed and
    its error beside the field."""
    if review_form is None:
        review_form = ReviewForm()
    for name in review_form.errors:
        if name in review_form.fields:
            attrs = review_form.fields[name].widget.attrs
            attrs["class"] = "form-control is-invalid"
            attrs["autofocus"] = True
    case = call.task.case
    context = {
        "call": call,
        "case": case,
        "people_link": findable(request.user, case.customer_id),
        "masked_number": mask_phone(call.dialled_number),
        "handle_seconds": call.handle_seconds,
        "path": script_path(call),
        "other_calls": call.task.attempts_made.select_related("agent").order_by("started_at"),
        "reviews": call.reviews.select_related("reviewer"),
        "escalations": call.escalations.select_related("owner"),
        "review_form": _styled(review_form),
        "send_back_form": _styled(SendBackForm()),
    }
    return render(request, "followups/supervisor/call_detail.html", context)


def _calls_seen(request):
    return (
        seen(request, CallAttempt.objects.all(), CALL_DEPARTMENT)
        .select_related(
            "agent",
            "task__case__customer",
            "task__case__patient__department",
            "script_version__script",
            "queue_entry",
        )
        .prefetch_related("answers")
    )


@read_required
def call_detail(request, pk):
    return _call_page(request, get_object_or_404(_calls_seen(request), pk=pk))


@review_required
@require_POST
def review_call(request, pk):
    call = get_object_or_404(_calls_seen(request), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        # The page again, with what was typed kept and the error beside the score.
        messages.error(request, SCORE_RANGE)
        return _call_page(request, call, review_form=form)
    reviews.review_call(
        attempt=call,
        reviewer=request.user,
        score=form.cleaned_data["score"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, _("Review saved."))
    return redirect("supervisor:call_detail", pk=call.pk)


@review_required
@require_POST
def send_case_back(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = SendBackForm(request.POST)
    back_to = request.POST.get("call") or ""
    if form.is_valid():
        today = clock.today()
        due = today if form.cleaned_data["when"] == "today" else today + dt.timedelta(days=1)
        try:
            reviews.send_case_back(case=case, by=request.user, due_date=due, today=today)
            messages.success(request, _("The case is back on the list for %(day)s.") % {"day": due})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    if back_to.isdigit():
        return redirect("supervisor:call_detail", pk=int(back_to))
    return redirect("supervisor:calls")


# --- Escalations ------------------------------------------------------------------------------


@read_required
def escalations(request):
    if moved := kept_search.moved(request):
        return moved
    now = timezone.now()
    listed = seen(request, escalation_list(now=now), ESCALATION_DEPARTMENT)
    found = escalations_filter(request, listed, now)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_phone_search(request, resource="escalations", page=page)
    return render(
        request,
        "followups/supervisor/escalations.html",
        {
            "filter": found,
            "page": page,
            "query": query_without(request),
            "counts": escalation_counts(now=now, among=listed),
        },
    )


@read_required
def escalation_detail(request, pk):
    now = timezone.now()
    escalation = get_object_or_404(
        seen(request, escalation_list(now=now), ESCALATION_DEPARTMENT).select_related(
            "case__patient__department"
        ),
        pk=pk,
    )
    history = list(selectors.escalation_history(escalation=escalation))
    check = verification_call(history)
    return render(
        request,
        "followups/supervisor/escalation_detail.html",
        {
            "escalation": escalation,
            "people_link": findable(request.user, escalation.case.customer_id),
            "owner_form": _styled(OwnerForm(initial={"owner": escalation.owner_id})),
            "resolve_form": _styled(ResolveForm()),
            "history": history,
            "check": check,
            # The verification call planned and not made yet (or still being tried).
            "check_ahead": check is not None and check.status == TaskStatus.PENDING,
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
        # The banner comes back without the escalation; the escalation list and its
        # counts, if open on the page, reload on this event (escalations.html).
        response = urgent_alerts(request)
        response["HX-Trigger"] = "escalations-changed"
        return response
    return redirect("supervisor:escalation_detail", pk=escalation.pk)
