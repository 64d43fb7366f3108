"""The supervisor's report pages (reach, the discharge follow-up indicator, funnel, AAPOR,
satisfaction, scripts, agents),
the charts beside their tables, and the exports of reports, outcome calls and escalations."""

from dataclasses import replace

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from followups import clock
from followups.exports import FORMATS, export_table
from followups.filters import ReportFilterForm
from followups.models import Satisfaction
from followups.reports import aapor, agents, discharge, funnel, reach, satisfaction, scripts
from followups.reports.escalations import escalation_list, escalation_table
from followups.reports.outcomes import outcome_table
from followups.reports.scope import ReportScope, departments_seen_by
from followups.reports.tables import Kind, Table, display
from followups.selectors.people_search import is_phone_query
from followups.views import kept_search
from followups.views.supervisor_common import (
    ESCALATION_DEPARTMENT,
    EXPORT_DATA,
    _outcomes_filter,
    escalations_filter,
    export_required,
    read_required,
    seen,
)

# --- Charts: the same figures as the table beside them ----------------------------------------

PALETTE = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14"]
SATISFACTION_COLOURS = ["#198754", "#0dcaf0", "#ffc107", "#dc3545"]


def chart(chart_id: str, kind: str, labels: list, datasets: list[dict], **options) -> dict:
    for index, dataset in enumerate(datasets):
        dataset.setdefault("backgroundColor", PALETTE[index % len(PALETTE)])
        if kind == "line":  # a line is drawn in its series' colour
            dataset.setdefault("borderColor", dataset["backgroundColor"])
    return {
        "id": chart_id,
        "type": kind,
        "data": {"labels": labels, "datasets": datasets},
        **options,
    }


def series_chart(chart_id: str, kind: str, labels: list, label, data: list, **options) -> dict:
    """A chart of one series: `data` named `label`, a value a label."""
    return chart(chart_id, kind, labels, [{"label": label, "data": data}], **options)


def percentages(shares: list) -> list:
    return [round(value * 100, 1) if value is not None else None for value in shares]


def reasons_chart(chart_id: str, reach: funnel.Funnel) -> dict:
    """Why the due tasks not reached were not: a bar a reason."""
    labels = funnel.reason_labels()
    names = [str(labels[reason]) for reason in reach.unreached]
    data = list(reach.unreached.values())
    return series_chart(chart_id, "bar", names, _("Tasks"), data, horizontal=True)


def column_chart(
    chart_id: str, table: Table, key: str, label: str, *, kind: str = "bar", percent: bool = False
) -> dict:
    """A table's column `key` as one series, a value a row, named by the row's first cell."""
    labels = [str(name) for name in table.column(table.columns[0].key)]
    data = table.column(key)
    if percent:
        return series_chart(chart_id, kind, labels, label, percentages(data), percent=True)
    return series_chart(chart_id, kind, labels, label, data)


def rate_chart(chart_id: str, table: Table, label: str, kind: str = "bar") -> dict:
    return column_chart(chart_id, table, "rate", label, kind=kind, percent=True)


# --- Reports ----------------------------------------------------------------------------------


def _scripts_report(request, scope, **kwargs):
    versions = list(scripts.script_versions())
    by_pk = {str(version.pk): version for version in versions}
    chosen = [by_pk[pk] for pk in (request.GET.get("a"), request.GET.get("b")) if pk in by_pk]
    if not chosen and versions:
        chosen = [scripts.opening_version(versions, scope)]
    report = scripts.compare_versions(versions=chosen, scope=scope)
    report.versions = versions
    report.chosen = [str(version.pk) for version in chosen]
    return report


REPORTS = {
    "reach": lambda request, scope, **kwargs: reach.follow_up_rate(scope=scope),
    "discharge-follow-up": lambda request, scope, **kwargs: discharge.discharge_follow_up(
        scope=scope
    ),
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
    if name == "discharge-follow-up":
        return [
            rate_chart("chart-month", report.by_month, _("Follow-up share"), kind="line"),
            rate_chart("chart-department", report.by_department, _("Follow-up share")),
        ]
    if name == "funnel":
        return [
            column_chart("chart-stages", report.stages, "tasks", _("Tasks")),
            reasons_chart("chart-reasons", report),
        ]
    if name == "aapor":
        return [
            series_chart(
                "chart-rates",
                "bar",
                aapor.RATE_NAMES,
                _("Rate"),
                percentages([report.rates[n] for n in aapor.RATE_NAMES]),
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
    if name == "discharge-follow-up":
        return {"rate_text": display(report.rate, Kind.SHARE)}
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


# The periods the dashboard and the report pages offer at one click, in days up to today;
# the first is the dashboard's default.
PERIODS = (30, 90, 365)


def quick_periods(request, scope, *, today) -> list[dict]:
    """The last 30, 90 and 365 days, the page's other filters kept; the one shown marked."""
    periods = []
    for days in PERIODS:
        period = ReportScope.last_days(today=today, days=days)
        query = request.GET.copy()
        query["date_from"], query["date_to"] = period.start.isoformat(), period.end.isoformat()
        shown = (scope.start, scope.end) == (period.start, period.end)
        periods.append({"days": days, "query": query.urlencode(), "shown": shown})
    return periods


@read_required
def report(request, name):
    if name not in REPORTS:
        raise Http404
    today = clock.today()
    # A department head's reports cover their departments only, and offer only those.
    departments = departments_seen_by(request.user)
    form = ReportFilterForm(request.GET, today=today, departments=departments)
    scope = replace(form.scope(), departments=departments)
    result = REPORTS[name](request, scope)
    return render(
        request,
        f"followups/supervisor/reports/{name}.html",
        {
            "report": result,
            "report_name": name,
            "form": form,
            "scope": scope,
            "periods": quick_periods(request, scope, today=today),
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
    if kept_search.forgotten(request):
        # The list's search is gone (another session, an old tab): never everything instead.
        messages.warning(request, kept_search.no_longer_kept())
        if name in ("calls", "escalations"):
            return redirect(f"supervisor:{name}")
        return redirect("supervisor:report", name)
    if moved := kept_search.moved(request):
        return moved
    # The audit names what the list was narrowed by, never the name or number searched for.
    filters = {key: value for key, value in kept_search.searched(request).items() if value}
    if "q" in filters:
        filters["q"] = "phone" if is_phone_query(filters["q"]) else "text"
    if name == "calls":
        found = _outcomes_filter(request).qs
        tables = [outcome_table(found)]
    elif name == "escalations":
        now = timezone.now()
        listed = seen(request, escalation_list(now=now), ESCALATION_DEPARTMENT)
        tables = [escalation_table(escalations_filter(request, listed, now).qs)]
    elif name in REPORTS:
        departments = departments_seen_by(request.user)
        form = ReportFilterForm(request.GET, today=clock.today(), departments=departments)
        scope = replace(form.scope(), departments=departments)
        # Exports carry whole lists, not the page's latest few.
        tables = REPORTS[name](request, scope, list_length=None).tables
    else:
        raise Http404
    chosen = next((t for t in tables if t.key == table), None)
    if chosen is None:
        raise Http404
    return export_table(table=chosen, fmt=fmt, report=name, user=request.user, filters=filters)
