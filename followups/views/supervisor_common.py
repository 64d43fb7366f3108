"""What the supervisor's pages share (views/supervisor.py, supervisor_queue.py,
supervisor_reports.py): the permission decorators, the page size, the styling of their forms
and the outcome filter that both the outcome list and its export read."""

from django import forms
from django.db.models import QuerySet

from followups.filters import EscalationFilter, OutcomeFilter
from followups.reports.outcomes import outcome_calls
from followups.reports.scope import departments_seen_by, within_departments
from followups.roles import READ_OUTCOMES, REVIEW_OUTCOMES
from followups.selectors.people_search import is_phone_query
from followups.services import audit
from followups.views import kept_search
from followups.views.access import page_for, page_for_any

EXPORT_DATA = "followups.export_data"
PAGE_SIZE = 50


review_required = page_for(REVIEW_OUTCOMES)
# The pages that only read (outcomes, a call, escalations, reports): department heads too,
# each seeing only their departments' rows (`seen`). Every write needs review_required.
read_required = page_for_any(READ_OUTCOMES, REVIEW_OUTCOMES)
export_required = page_for(REVIEW_OUTCOMES, EXPORT_DATA)


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-control")
    return form


# Where each row kind's department is, for `seen`.
CALL_DEPARTMENT = "task__case__patient__department_id"
ESCALATION_DEPARTMENT = "case__patient__department_id"


def seen(request, queryset: QuerySet, department: str) -> QuerySet:
    """The rows of `queryset` the user may read: all for supervisors and admins, a
    department head's departments' only (`department`: where a row's department id is).
    Every supervisor page that lists or opens calls or escalations reads through here."""
    return within_departments(queryset, departments_seen_by(request.user), department)


def audit_phone_search(request, *, resource: str, page) -> None:
    """A list searched by a phone number finds people from their number: the page read is
    audited (the ids on it, never the number), as the people search does."""
    if not is_phone_query(kept_search.query(request)):
        return
    audit.record_list_read(
        actor=request.user,
        resource=resource,
        ids=[row.pk for row in page],
        total=page.paginator.count,
        parameters=["phone"],
        page=page.number,
    )


def escalations_filter(request, listed: QuerySet, now) -> EscalationFilter:
    """The escalation list's filter: the search put back from the session, the department
    choices the visitor's own (the request says whose)."""
    return EscalationFilter(
        kept_search.searched(request) or None, queryset=listed, now=now, request=request
    )


def _outcomes_filter(request) -> OutcomeFilter:
    calls = seen(request, outcome_calls(), CALL_DEPARTMENT)
    return OutcomeFilter(kept_search.searched(request) or None, queryset=calls, request=request)
