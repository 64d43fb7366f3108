"""Django admin for every model of followups (the call scripts' are in scripts/admin.py;
users, roles and API tokens in followups/admin_accounts.py): admins configure plans and
windows here until the configuration pages arrive.

The audit trail holds here too: phone numbers show masked on every page (a number is
changed by typing a new one, never by seeing the one on file; the number is revealed only
on the call screen, to the agent holding the call, audited), search finds nobody by
number, and what happened (call records, their script answers, the audit trail) is
append-only: a correction is a new record, made by the app.
"""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from followups import admin_accounts  # noqa: F401 (registers the users', roles' and tokens')
from followups import models as m
from followups.forms import BasePlanRuleFormSet, PlanRuleForm
from followups.phones import mask_phone
from followups.policy_forms import CallingPolicyForm
from followups.services import cases as case_services
from followups.services import people
from followups.services import plans as plan_services


@admin.register(m.Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(m.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "hospital"]
    list_filter = ["hospital"]
    search_fields = ["name", "code"]


class PatientInline(admin.StackedInline):
    model = m.Patient
    extra = 0
    autocomplete_fields = ["department"]


class AppendOnly:
    """A record of what happened: read here, never added, changed or deleted (not even by
    a superuser); a correction is a new record, made by the app. For admins and inlines."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AppendOnlyAdmin(AppendOnly, admin.ModelAdmin):
    actions = None


class TellsServicesAdmin(admin.ModelAdmin):
    """An admin whose saves the services hear of, as the app's own pages' saves are: once the
    object and its inlines are saved, `saved` hands it to them (audit, tasks re-synced)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.saved(request, form, change)

    def saved(self, request, form, change):
        raise NotImplementedError


class CustomerAdminForm(forms.ModelForm):
    """The numbers on file never show in the form: a new one is typed in, an empty field
    keeps the one on file."""

    new_phone = PhoneNumberField(
        region="CN",
        required=False,
        label=_("new phone"),
        help_text=_("Type a new number to replace the one on file; leave empty to keep it."),
    )
    new_phone_secondary = PhoneNumberField(
        region="CN",
        required=False,
        label=_("new second phone"),
        help_text=_("Type a new number to replace the one on file; leave empty to keep it."),
    )

    class Meta:
        model = m.Customer
        fields = [
            "name",
            "gender",
            "timezone",
            "preferred_slot",
            "do_not_call",
            "do_not_call_reason",
            "recording_consent",
        ]

    def save(self, commit=True):
        for field in ("phone", "phone_secondary"):
            number = self.cleaned_data.get(f"new_{field}")
            if number:
                setattr(self.instance, field, number)
        return super().save(commit)


@admin.register(m.Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ["name", "gender", "masked_phone", "do_not_call", "preferred_slot", "timezone"]
    list_filter = ["gender", "do_not_call", "preferred_slot", "recording_consent"]
    # By name only: a search by number would be a phone lookup outside the audit trail
    # (and the number would stand in the access log's query string).
    search_fields = ["name"]
    fields = [
        "name",
        "gender",
        "masked_phone",
        "new_phone",
        "masked_phone_secondary",
        "new_phone_secondary",
        "timezone",
        "preferred_slot",
        "do_not_call",
        "do_not_call_reason",
        "recording_consent",
    ]
    readonly_fields = ["masked_phone", "masked_phone_secondary"]
    inlines = [PatientInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "new_phone" in form.changed_data:
            people.resume_after_number_fix(customer=obj, by=request.user, now=timezone.now())

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.masked_phone

    @admin.display(description=_("second phone"))
    def masked_phone_secondary(self, obj):
        return obj.masked_phone_secondary


@admin.register(m.Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = [
        "medical_record_number",
        "customer",
        "department",
        "attending_doctor",
        "discharged_on",
        "sensitive",
        "died_on",
    ]
    list_filter = ["hospital", "department", "sensitive", ("died_on", admin.EmptyFieldListFilter)]
    search_fields = ["medical_record_number", "customer__name", "attending_doctor"]
    date_hierarchy = "discharged_on"
    autocomplete_fields = ["customer", "department"]
    list_select_related = ["customer", "department"]


# What a follow-up and a list entry show, in their own pages' lists and in their inlines.
TASK_COLUMNS = ["step", "kind", "status", "due_date", "earliest_at", "attempts"]
ENTRY_COLUMNS = [
    "customer",
    "task",
    "priority",
    "assigned_agent",
    "status",
    "calls_made",
    "claimed_by",
    "lease_expires_at",
]


class FollowUpTaskInline(admin.TabularInline):
    model = m.FollowUpTask
    extra = 0
    fields = [*TASK_COLUMNS, "max_attempts", "agent"]
    readonly_fields = ["attempts"]


@admin.register(m.Case)
class CaseAdmin(TellsServicesAdmin):
    list_display = [
        "__str__",
        "customer",
        "kind",
        "anchor_date",
        "intent_class",
        "plan",
        "status",
        "agent",
    ]
    list_filter = ["kind", "status", "intent_class", "plan"]
    search_fields = ["customer__name", "patient__medical_record_number", "product"]
    date_hierarchy = "anchor_date"
    autocomplete_fields = ["customer", "patient", "agent"]
    list_select_related = ["customer", "plan", "agent"]
    inlines = [FollowUpTaskInline]
    exclude = ["plan_rule", "plan_chosen_by"]
    readonly_fields = ["plan_reason"]

    @admin.display(description=_("why this plan"))
    def plan_reason(self, obj):
        return obj.plan_reason

    def saved(self, request, form, change):
        case_services.sync_case_tasks(case=form.instance)
        if change and "intent_class" in form.changed_data:
            case_services.reschedule_intent_call(case=form.instance)


@admin.register(m.FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin):
    list_display = ["case", *TASK_COLUMNS, "agent"]
    list_filter = ["status", "kind", "needs_number_fix", "due_date"]
    search_fields = ["case__customer__name", "case__patient__medical_record_number"]
    date_hierarchy = "due_date"
    raw_id_fields = ["case"]
    list_select_related = ["case__customer", "step__plan", "agent"]


class PlanStepInline(admin.TabularInline):
    model = m.PlanStep
    extra = 1


class PlanRuleInline(admin.TabularInline):
    """The plan's rules, checked as the configuration page checks them (no rule twice, none
    another active plan has)."""

    model = m.PlanRule
    form = PlanRuleForm
    formset = BasePlanRuleFormSet
    extra = 0


@admin.register(m.FollowUpPlan)
class FollowUpPlanAdmin(TellsServicesAdmin):
    list_display = ["name", "calling_policy", "step_offsets", "is_active"]
    list_filter = ["is_active", "calling_policy"]
    search_fields = ["name"]
    inlines = [PlanStepInline, PlanRuleInline]

    def saved(self, request, form, change):
        plan_services.plan_changed(plan=form.instance, actor=request.user)

    @admin.display(description=_("steps (days)"))
    def step_offsets(self, obj):
        return ", ".join(str(step.offset_days) for step in obj.steps.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("steps")


@admin.register(m.PlanStep)
class PlanStepAdmin(admin.ModelAdmin):
    list_display = ["plan", "offset_days", "window_days", "max_attempts", "script", "deadline_days"]
    list_filter = ["plan"]


class CallingWindowInline(admin.TabularInline):
    model = m.CallingWindow
    extra = 1


class HolidayOverrideInline(admin.TabularInline):
    model = m.HolidayOverride
    extra = 0


@admin.register(m.CallingPolicy)
class CallingPolicyAdmin(TellsServicesAdmin):
    # Every setting of the policy, as its configuration page edits them.
    list_display = CallingPolicyForm.Meta.fields
    list_filter = ["holiday_rule", "is_default"]
    search_fields = ["name"]
    inlines = [CallingWindowInline, HolidayOverrideInline]

    def save_model(self, request, obj, form, change):
        # What the policy said before this save, for its audit event's before → after.
        form.policy_before = (
            plan_services.policy_state(m.CallingPolicy.objects.get(pk=obj.pk)) if change else None
        )
        super().save_model(request, obj, form, change)

    def saved(self, request, form, change):
        plan_services.policy_changed(
            policy=form.instance, actor=request.user, before=form.policy_before
        )


@admin.register(m.CallingWindow)
class CallingWindowAdmin(admin.ModelAdmin):
    list_display = ["policy", "starts_at", "ends_at"]
    list_filter = ["policy"]


@admin.register(m.HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "policy", "note"]
    list_filter = ["kind", "policy"]
    date_hierarchy = "day"


class QueueEntryInline(admin.TabularInline):
    model = m.QueueEntry
    extra = 0
    raw_id_fields = ["customer", "task"]
    fields = ENTRY_COLUMNS


@admin.register(m.CallList)
class CallListAdmin(admin.ModelAdmin):
    list_display = ["day", "built_at", "entry_count"]
    date_hierarchy = "day"

    @admin.display(description=_("entries"))
    def entry_count(self, obj):
        return obj.entries.count()


@admin.register(m.QueueEntry)
class QueueEntryAdmin(admin.ModelAdmin):
    list_display = ["call_list", *ENTRY_COLUMNS]
    list_filter = ["status", "call_list", "assigned_agent"]
    raw_id_fields = ["customer", "task"]
    list_select_related = ["call_list", "customer", "task__case", "assigned_agent", "claimed_by"]


class ScriptAnswerInline(AppendOnly, admin.TabularInline):
    model = m.ScriptAnswer
    extra = 0


@admin.register(m.CallAttempt)
class CallAttemptAdmin(AppendOnlyAdmin):
    list_display = [
        "started_at",
        "agent",
        "task",
        "disposition",
        "satisfaction",
        "after_lease_lost",
    ]
    list_filter = ["disposition", "satisfaction", "after_lease_lost", "agent"]
    search_fields = ["task__case__customer__name", "idempotency_key"]
    date_hierarchy = "started_at"
    raw_id_fields = ["task", "queue_entry"]
    list_select_related = ["agent", "task__case"]
    exclude = ["dialled_number"]
    readonly_fields = ["masked_dialled_number"]
    inlines = [ScriptAnswerInline]

    @admin.display(description=_("number dialled"))
    def masked_dialled_number(self, obj):
        return mask_phone(obj.dialled_number)


@admin.register(m.ScriptAnswer)
class ScriptAnswerAdmin(AppendOnlyAdmin):
    list_display = ["attempt", "position", "node_id", "value", "is_objection"]
    list_filter = ["is_objection"]
    raw_id_fields = ["attempt"]


@admin.register(m.Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "case",
        "category",
        "severity",
        "status",
        "department",
        "owner",
        "due_at",
    ]
    list_filter = ["status", "severity", "category", "department"]
    search_fields = ["description", "case__customer__name"]
    date_hierarchy = "due_at"
    raw_id_fields = ["case", "attempt"]


@admin.register(m.AuditEvent)
class AuditEventAdmin(AppendOnlyAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor__username"]
    date_hierarchy = "at"


@admin.register(m.CallReview)
class CallReviewAdmin(admin.ModelAdmin):
    list_display = ["attempt", "reviewer", "score", "created_at"]
    list_filter = ["reviewer"]
    raw_id_fields = ["attempt"]


@admin.register(m.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["members", "departments"]


@admin.register(m.DutyDay)
class DutyDayAdmin(admin.ModelAdmin):
    list_display = ["day", "agent"]
    list_filter = ["agent"]
    date_hierarchy = "day"
