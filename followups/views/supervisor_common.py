"""What the supervisor's pages share (views/supervisor.py, supervisor_queue.py,
supervisor_reports.py): the permission decorators, the page size, the styling of their forms
and the outcome filter that both the outcome list and its export read."""

from django import forms

from followups.filters import OutcomeFilter
from followups.reports.outcomes import outcome_calls
from followups.roles import REVIEW_OUTCOMES
from followups.views.access import page_for

EXPORT_DATA = "followups.export_data"
PAGE_SIZE = 50


review_required = page_for(REVIEW_OUTCOMES)
export_required = page_for(REVIEW_OUTCOMES, EXPORT_DATA)


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
