"""django-filter filter sets of the resource API: what each list can be narrowed by."""

import django_filters as filters

from followups.models import (
    CallList,
    Case,
    Customer,
    Department,
    Escalation,
    FollowUpTask,
    Patient,
    QueueEntry,
)


class DepartmentFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Department
        fields = ["hospital", "code", "name"]


class CustomerFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Customer
        fields = ["name", "gender", "do_not_call", "preferred_slot"]


class PatientFilter(filters.FilterSet):
    discharged_from = filters.DateFilter(field_name="discharged_on", lookup_expr="gte")
    discharged_to = filters.DateFilter(field_name="discharged_on", lookup_expr="lte")

    class Meta:
        model = Patient
        fields = ["hospital", "department", "medical_record_number", "sensitive"]


class CaseFilter(filters.FilterSet):
    anchor_from = filters.DateFilter(field_name="anchor_date", lookup_expr="gte")
    anchor_to = filters.DateFilter(field_name="anchor_date", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ["kind", "status", "intent_class", "plan", "agent", "customer", "patient"]


class FollowUpTaskFilter(filters.FilterSet):
    due_from = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_to = filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = FollowUpTask
        fields = ["status", "kind", "case", "agent", "needs_number_fix"]


class CallListFilter(filters.FilterSet):
    day_from = filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = CallList
        fields = ["day"]


class QueueEntryFilter(filters.FilterSet):
    class Meta:
        model = QueueEntry
        fields = ["status", "assigned_agent", "claimed_by"]


class EscalationFilter(filters.FilterSet):
    class Meta:
        model = Escalation
        fields = ["status", "severity", "category", "department", "owner", "case"]
