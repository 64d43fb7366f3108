"""What the supervisor's pages share (views/supervisor.py, supervisor_queue.py,
supervisor_reports.py): the permission decorators, the page size, the styling of their forms
and the outcome filter that both the outcome list and its export read."""

from django import forms
from django.contrib.auth.decorators import login_required, permission_required

from followups.filters import OutcomeFilter
from followups.reports.outcomes import outcome_calls
from followups.roles import REVIEW_OUTCOMES

EXPORT_DATA = "followups.export_data"
PAGE_SIZE = 50


def review_required(view):
    return login_required(permission_required(REVIEW_OUTCOMES, raise_exception=True)(view))


def export_required(view):
    return login_required(
        permission_required([REVIEW_OUTCOMES, EXPORT_DATA], raise_exception=True)(view)
    )


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-control")
    return form


def _outcomes_filter(request) -> OutcomeFilter:
    return OutcomeFilter(request.GET or None, queryset=outcome_calls(), request=request)
