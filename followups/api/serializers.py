"""DRF serializers of the resource API: they parse and present, the services decide.

Phone numbers go in as numbers and come out masked (138****5678), always.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from followups.models import (
    CallList,
    Case,
    Customer,
    Department,
    Escalation,
    FollowUpPlan,
    FollowUpTask,
    ImportJob,
    Patient,
    QueueEntry,
)
from followups.services.cases import change_case, open_case
from followups.services.person_records import STAY_FIELDS


def field_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A model's clean() error as DRF's field errors (400), never a 500."""
    if hasattr(error, "message_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "hospital", "name", "code"]


class CustomerSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField(region="CN", required=False, allow_blank=True, write_only=True)
    phone_secondary = PhoneNumberField(
        region="CN", required=False, allow_blank=True, write_only=True
    )
    masked_phone = serializers.CharField(read_only=True)
    masked_phone_secondary = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "gender",
            "phone",
            "phone_secondary",
            "masked_phone",
            "masked_phone_secondary",
            "timezone",
            "preferred_slot",
            "do_not_call",
            "do_not_call_reason",
            "recording_consent",
            "created_at",
            "updated_at",
        ]

    def validate_timezone(self, value: str) -> str:
        try:
            Customer(name="-", timezone=value).clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["timezone"]) from None
        return value


class PatientSerializer(serializers.ModelSerializer):
    """With `withhold_medical` in the context (an agent's read), a sensitive patient's
    medical fields are left out and `medical_withheld` says so."""

    # What a sensitive patient's identity check must come before (the diagnosis, and who
    # treated them, which names the specialty).
    MEDICAL_FIELDS = ("diagnosis", "attending_doctor", "responsible_nurse")

    name = serializers.CharField(source="customer.name", read_only=True)
    masked_phone = serializers.CharField(source="customer.masked_phone", read_only=True)
    medical_withheld = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "customer",
            "name",
            "masked_phone",
            *STAY_FIELDS,
            "died_on",
            "medical_withheld",
        ]

    def get_medical_withheld(self, patient: Patient) -> bool:
        return bool(self.context.get("withhold_medical") and patient.sensitive)

    def to_representation(self, patient: Patient) -> dict:
        data = super().to_representation(patient)
        if data["medical_withheld"]:
            for field in self.MEDICAL_FIELDS:
                data.pop(field, None)
        return data

    def validate(self, attrs: dict) -> dict:
        merged = {
            field.name: getattr(self.instance, field.name, None)
            for field in Patient._meta.concrete_fields
            if self.instance is not None
        }
        merged.update(attrs)
        admitted, discharged = merged.get("admitted_on"), merged.get("discharged_on")
        if admitted and discharged and discharged < admitted:
            raise serializers.ValidationError(
                {"discharged_on": _("The discharge date is before the admission date.")}
            )
        department, hospital = merged.get("department"), merged.get("hospital")
        if department and hospital and department.hospital_id != hospital.pk:
            raise serializers.ValidationError(
                {"department": _("This department belongs to another hospital.")}
            )
        return attrs


class CaseSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    masked_phone = serializers.CharField(source="customer.masked_phone", read_only=True)
    agent = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    plan = serializers.PrimaryKeyRelatedField(
        queryset=FollowUpPlan.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("Leave out for the plan the plan rules choose for the case."),
    )
    plan_reason = serializers.CharField(
        read_only=True, help_text=_("Why the case follows its plan: the rule, or by hand.")
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "customer",
            "customer_name",
            "masked_phone",
            "patient",
            "kind",
            "anchor_date",
            "intent_class",
            "plan",
            "plan_rule",
            "plan_reason",
            "product",
            "status",
            "closed_reason",
            "closed_at",
            "agent",
            "created_at",
        ]
        read_only_fields = ["plan_rule", "status", "closed_reason", "closed_at", "created_at"]

    def validate(self, attrs: dict) -> dict:
        patient, customer = attrs.get("patient"), attrs.get("customer")
        if patient is not None and customer is not None and patient.customer_id != customer.pk:
            raise serializers.ValidationError(
                {"patient": _("This patient is another customer's record.")}
            )
        return attrs

    def create(self, validated_data: dict) -> Case:
        # Through the case service, so the plan's tasks are made with the case.
        try:
            return open_case(**validated_data)
        except DjangoValidationError as error:
            raise field_errors(error) from None


class CaseChangeSerializer(serializers.ModelSerializer):
    """What an admin may change on a case. A new anchor date or plan moves the calls not yet
    made (services.cases.sync_case_tasks); calls made stay history. A closed case keeps
    its anchor date and plan."""

    agent = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True
    )
    plan = serializers.PrimaryKeyRelatedField(
        queryset=FollowUpPlan.objects.filter(is_active=True), allow_null=True
    )

    class Meta:
        model = Case
        fields = ["product", "agent", "anchor_date", "plan"]

    def update(self, instance, validated_data):
        try:
            return change_case(instance, **validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None


class FollowUpTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpTask
        fields = [
            "id",
            "case",
            "step",
            "kind",
            "status",
            "due_date",
            "earliest_at",
            "deadline",
            "callback_at",
            "attempts",
            "max_attempts",
            "status_reason",
            "needs_number_fix",
            "agent",
        ]
        read_only_fields = fields


class QueueEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = QueueEntry
        fields = [
            "id",
            "call_list",
            "task",
            "priority",
            "assigned_agent",
            "status",
            "claimed_by",
            "claimed_at",
            "lease_expires_at",
            "closed_at",
        ]
        read_only_fields = fields


class CallListSerializer(serializers.ModelSerializer):
    entry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CallList
        fields = ["id", "day", "built_at", "report", "entry_count"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Escalation
        fields = [
            "id",
            "case",
            "attempt",
            "category",
            "severity",
            "department",
            "owner",
            "description",
            "status",
            "due_at",
            "resolution",
            "created_at",
            "acknowledged_at",
            "resolved_at",
            "verified_at",
        ]
        read_only_fields = fields


class EscalationChangeSerializer(serializers.ModelSerializer):
    """A supervisor moves an escalation on: its status, owner and resolution."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Escalation
        fields = ["status", "owner", "resolution"]


class ReportQuerySerializer(serializers.Serializer):
    # `from` is a Python keyword: the query parameter is mapped by name in the view.
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def validate(self, attrs: dict) -> dict:
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"to": _("The end is before the start.")})
        if (attrs["date_to"] - attrs["date_from"]).days > 366:
            raise serializers.ValidationError({"to": _("Ask for at most 367 days at a time.")})
        return attrs


class ReportDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    due = serializers.IntegerField()
    called = serializers.IntegerField()
    reached = serializers.IntegerField()
    reach_rate = serializers.FloatField(allow_null=True)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)
    hospital = serializers.SlugField(
        required=False, help_text=_("Hospital code; may be left out when there is only one.")
    )
    plan = serializers.PrimaryKeyRelatedField(
        queryset=FollowUpPlan.objects.filter(is_active=True),
        required=False,
        help_text=_(
            "Plan of the new discharge cases; default: the plan each department's rule chooses."
        ),
    )
    background = serializers.BooleanField(
        default=False,
        help_text=_(
            "Run the import as a background job (202) whatever the file's size; a file over "
            "100 KB always is."
        ),
    )


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    medical_record_number = serializers.CharField(allow_blank=True)
    outcome = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    committed = serializers.BooleanField()
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = ImportRowSerializer(many=True)


class ImportJobReportSerializer(ImportReportSerializer):
    every_row = serializers.BooleanField(
        help_text=_("False: the file is long, only the rows with a reason are listed.")
    )
    unlisted = serializers.IntegerField(
        help_text=_("Rows with a reason left out of the list (past its limit).")
    )


class ImportJobQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_url = serializers.URLField()


class ImportJobProgressSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    phase = serializers.CharField(help_text=_("checking, matching, writing; empty: waiting."))
    rows_total = serializers.IntegerField(
        allow_null=True, help_text=_("An estimate while the rows are checked.")
    )
    rows_checked = serializers.IntegerField()
    rows_done = serializers.IntegerField()


class ImportJobSerializer(serializers.ModelSerializer):
    """An import job: its progress while it runs; its counts, and its report once finished."""

    hospital = serializers.SlugRelatedField(slug_field="code", read_only=True)
    progress = serializers.SerializerMethodField()
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    report = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "dry_run",
            "committed",
            "file_name",
            "hospital",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "counts",
            "error",
            "report",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportJobProgressSerializer)
    def get_progress(self, job: ImportJob) -> dict:
        return {
            "percent": job.percent,
            "phase": job.phase,
            "rows_total": job.rows_total,
            "rows_checked": job.rows_checked,
            "rows_done": job.rows_done,
        }

    @extend_schema_field(ImportJobReportSerializer(allow_null=True))
    def get_report(self, job: ImportJob) -> dict | None:
        return job.report_dict() if job.finished and "rows" in job.report else None
