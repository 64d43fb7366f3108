"""The filters of the supervisor's pages (django-filter), and the period form of reports."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followups.forms import PersonChoiceField
from followups.models import (
    CallAttempt,
    CaseKind,
    Department,
    Disposition,
    Escalation,
    EscalationCategory,
    EscalationSeverity,
    Satisfaction,
)
from followups.person_forms import DateInput
from followups.reports.escalations import STATUS_CHOICES
from followups.reports.scope import ReportScope, departments_seen_by
from followups.roles import REVIEW_OUTCOMES
from followups.scheduling import FIRST_PLAUSIBLE_DAY, plausible_day
from followups.selectors.people_search import person_q
from followups.services.escalation_workflow import UNRESOLVED
from followups.services.reviews import queue_agents, users_holding
from scripts.models import ScriptVersion

MAX_REPORT_DAYS = 366
PERSON_SEARCH_LABEL = _("Name, phone or case number")
YES_NO = [("true", _("Yes")), ("false", _("No"))]


def _style(form: forms.Form) -> forms.Form:
    """Bootstrap classes on every widget, so a template can lay the fields out in a row."""
    for field in form.fields.values():
        widget = field.widget
        css = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )
        widget.attrs.setdefault("class", css)
    return form


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _department_choices(departments: frozenset[int] | None = None) -> QuerySet[Department]:
    """The departments a filter offers: `departments` (a department head's, from
    reports.scope.departments_seen_by), or every one (None)."""
    choices = Department.objects.select_related("hospital").order_by("name")
    return choices if departments is None else choices.filter(pk__in=departments)


def _seen_departments(request) -> QuerySet[Department]:
    """The departments the visitor reads (every one without a request: a supervisor's)."""
    user = getattr(request, "user", None)
    return _department_choices(None if user is None else departments_seen_by(user))


class PersonFilter(django_filters.ModelChoiceFilter):
    """A choice of user, named as the tables name people."""

    field_class = PersonChoiceField


class OutcomeFilter(django_filters.FilterSet):
    """The outcome list: calls by day range, agent, department, case kind, disposition,
    satisfaction, script version and whether the call raised an escalation."""

    q = django_filters.CharFilter(label=PERSON_SEARCH_LABEL, method="filter_person")
    date_from = django_filters.DateFilter(label=_("From"), method="filter_from", widget=DateInput)
    date_to = django_filters.DateFilter(label=_("To"), method="filter_to", widget=DateInput)
    agent = PersonFilter(label=_("Agent"), queryset=lambda request: queue_agents())
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="task__case__patient__department",
        queryset=_seen_departments,
    )
    case_kind = django_filters.ChoiceFilter(
        label=_("Case kind"), field_name="task__case__kind", choices=CaseKind.choices
    )
    disposition = django_filters.ChoiceFilter(label=_("Disposition"), choices=Disposition.choices)
    satisfaction = django_filters.ChoiceFilter(
        label=_("Satisfaction"), choices=Satisfaction.choices
    )
    script_version = django_filters.ModelChoiceFilter(
        label=_("Script version"),
        queryset=lambda request: ScriptVersion.objects.select_related("script"),
    )
    has_escalation = django_filters.ChoiceFilter(
        label=_("Escalation"), choices=YES_NO, method="filter_has_escalation"
    )

    class Meta:
        model = CallAttempt
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self.form)

    def filter_person(self, queryset, name, value):
        return queryset.filter(person_q(value, customer="task__case__customer__"))

    def filter_from(self, queryset, name, value):
        return queryset.filter(started_at__gte=_local_midnight(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(started_at__lt=_local_midnight(value + dt.timedelta(days=1)))

    def filter_has_escalation(self, queryset, name, value):
        raised = Exists(Escalation.objects.filter(attempt=OuterRef("pk")))
        return queryset.filter(raised) if value == "true" else queryset.filter(~raised)


class EscalationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=PERSON_SEARCH_LABEL, method="filter_person")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=EscalationCategory.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=EscalationSeverity.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES)
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=_seen_departments)
    owner = PersonFilter(label=_("Owner"), queryset=lambda request: users_holding(REVIEW_OUTCOMES))
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), choices=YES_NO, method="filter_overdue"
    )

    class Meta:
        model = Escalation
        fields: list[str] = []

    def __init__(self, *args, now: dt.datetime, **kwargs):
        self.now = now
        super().__init__(*args, **kwargs)
        _style(self.form)

    def filter_person(self, queryset, name, value):
        return queryset.filter(person_q(value, customer="case__customer__"))

    def filter_overdue(self, queryset, name, value):
        late = queryset.filter(status__in=UNRESOLVED, due_at__lt=self.now)
        return late if value == "true" else queryset.exclude(pk__in=late.values("pk"))


class ReportFilterForm(forms.Form):
    """The period (local days, both included) and the optional department and case kind."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    case_kind = forms.ChoiceField(
        label=_("Case kind"), choices=[("", "---------"), *CaseKind.choices], required=False
    )

    def __init__(
        self, data=None, *args, today: dt.date, departments: frozenset[int] | None = None, **kwargs
    ):
        """`departments`: the ones the department filter offers (a department head's),
        None for all."""
        self.today = today
        if data is not None:
            # Show the period the page covers, also when the visitor gave none.
            data = data.copy()
            if not data.get("date_to"):
                data["date_to"] = today.isoformat()
            if not data.get("date_from"):
                end = self._date(data["date_to"]) or today
                data["date_from"] = (end - dt.timedelta(days=29)).isoformat()
        super().__init__(data, *args, **kwargs)
        self.fields["department"].queryset = _department_choices(departments)
        _style(self)

    @staticmethod
    def _date(text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None

    def clean(self):
        data = super().clean()
        end = data.get("date_to") or self.today
        start = data.get("date_from") or end - dt.timedelta(days=29)
        if not (plausible_day(start, today=self.today) and plausible_day(end, today=self.today)):
            raise forms.ValidationError(
                _("Choose dates from %(first)s to a year from today.")
                % {"first": FIRST_PLAUSIBLE_DAY.isoformat()}
            )
        if start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (end - start).days >= MAX_REPORT_DAYS:
            raise forms.ValidationError(
                _("A report covers at most %(days)s days.") % {"days": MAX_REPORT_DAYS}
            )
        data["date_from"], data["date_to"] = start, end
        return data

    def scope(self) -> ReportScope:
        """The scope asked for; the last 30 days when the form is empty or invalid."""
        if not self.is_valid():
            return ReportScope.last_days(today=self.today)
        data = self.cleaned_data
        department = data.get("department")
        return ReportScope(
            start=data["date_from"],
            end=data["date_to"],
            department_id=department.pk if department else None,
            case_kind=data.get("case_kind") or "",
        )
