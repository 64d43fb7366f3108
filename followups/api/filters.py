"""django-filter filter sets of the resource API: what each list can be narrowed by."""

import django_filters as filters

from followups import models


def date_range(field_name: str) -> tuple[filters.DateFilter, filters.DateFilter]:
    """The `…_from` and `…_to` parameters of a date range, both ends included."""
    return (
        filters.DateFilter(field_name=field_name, lookup_expr="gte"),
        filters.DateFilter(field_name=field_name, lookup_expr="lte"),
    )


class DepartmentFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = models.Department
        fields = ["hospital", "code", "name"]


class CustomerFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = models.Customer
        fields = ["name", "gender", "do_not_call", "preferred_slot"]


class PatientFilter(filters.FilterSet):
    discharged_from, discharged_to = date_range("discharged_on")

    class Meta:
        model = models.Patient
        fields = ["hospital", "department", "medical_record_number", "sensitive"]


class CaseFilter(filters.FilterSet):
    anchor_from, anchor_to = date_range("anchor_date")

    class Meta:
        model = models.Case
        fields = ["kind", "status", "intent_class", "plan", "agent", "customer", "patient"]


class FollowUpTaskFilter(filters.FilterSet):
    due_from, due_to = date_range("due_date")

    class Meta:
        model = models.FollowUpTask
        fields = ["status", "kind", "case", "agent", "needs_number_fix"]


class CallListFilter(filters.FilterSet):
    day_from, day_to = date_range("day")

    class Meta:
        model = models.CallList
        fields = ["day"]


class QueueEntryFilter(filters.FilterSet):
    class Meta:
        model = models.QueueEntry
        fields = ["status", "assigned_agent", "claimed_by"]


class EscalationFilter(filters.FilterSet):
    class Meta:
        model = models.Escalation
        fields = ["status", "severity", "category", "department", "owner", "case"]
