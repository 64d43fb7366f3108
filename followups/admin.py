"""Django admin for every model: admins configure plans and windows here until the
configuration pages arrive. Phone numbers show masked in lists."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followups import models as m
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


@admin.register(m.Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "masked_phone", "do_not_call", "preferred_slot", "timezone"]
    list_filter = ["gender", "do_not_call", "preferred_slot", "recording_consent"]
    search_fields = ["name", "=phone"]
    inlines = [PatientInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "phone" in form.changed_data:
            people.resume_after_number_fix(customer=obj, by=request.user, now=timezone.now())

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.masked_phone


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


class FollowUpTaskInline(admin.TabularInline):
    model = m.FollowUpTask
    extra = 0
    fields = [
        "step",
        "kind",
        "status",
        "due_date",
        "earliest_at",
        "attempts",
        "max_attempts",
        "agent",
    ]
    readonly_fields = ["attempts"]


@admin.register(m.Case)
class CaseAdmin(admin.ModelAdmin):
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case_services.sync_case_tasks(case=form.instance)


@admin.register(m.FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin):
    list_display = [
        "case",
        "step",
        "kind",
        "status",
        "due_date",
        "earliest_at",
        "attempts",
        "agent",
    ]
    list_filter = ["status", "kind", "needs_number_fix", "due_date"]
    search_fields = ["case__customer__name", "case__patient__medical_record_number"]
    date_hierarchy = "due_date"
    raw_id_fields = ["case"]
    list_select_related = ["case__customer", "step__plan", "agent"]


class PlanStepInline(admin.TabularInline):
    model = m.PlanStep
    extra = 1


@admin.register(m.FollowUpPlan)
class FollowUpPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "calling_policy", "step_offsets", "is_active"]
    list_filter = ["is_active", "calling_policy"]
    search_fields = ["name"]
    inlines = [PlanStepInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
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
class CallingPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "timezone",
        "weekdays",
        "holiday_rule",
        "quiet_before",
        "quiet_after",
        "is_default",
    ]
    list_filter = ["holiday_rule", "is_default"]
    search_fields = ["name"]
    inlines = [CallingWindowInline, HolidayOverrideInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        plan_services.policy_changed(policy=form.instance, actor=request.user)


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
    fields = [
        "customer",
        "task",
        "priority",
        "assigned_agent",
        "status",
        "calls_made",
        "claimed_by",
        "lease_expires_at",
    ]


@admin.register(m.CallList)
class CallListAdmin(admin.ModelAdmin):
    list_display = ["day", "built_at", "entry_count"]
    date_hierarchy = "day"

    @admin.display(description=_("entries"))
    def entry_count(self, obj):
        return obj.entries.count()


@admin.register(m.QueueEntry)
class QueueEntryAdmin(admin.ModelAdmin):
    list_display = [
        "call_list",
        "customer",
        "task",
        "priority",
        "assigned_agent",
        "status",
        "calls_made",
        "claimed_by",
        "lease_expires_at",
    ]
    list_filter = ["status", "call_list", "assigned_agent"]
    raw_id_fields = ["customer", "task"]
    list_select_related = ["call_list", "customer", "task__case", "assigned_agent", "claimed_by"]


class ScriptVersionInline(admin.TabularInline):
    model = m.ScriptVersion
    extra = 0
    fields = ["number", "status", "change_note", "published_at"]
    readonly_fields = ["published_at"]


@admin.register(m.CallScript)
class CallScriptAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "case_kind"]
    list_filter = ["case_kind"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [ScriptVersionInline]


@admin.register(m.ScriptVersion)
class ScriptVersionAdmin(admin.ModelAdmin):
    list_display = ["script", "number", "status", "published_at", "published_by"]
    list_filter = ["status", "script"]
    search_fields = ["script__name", "change_note"]


class ScriptAnswerInline(admin.TabularInline):
    model = m.ScriptAnswer
    extra = 0


@admin.register(m.CallAttempt)
class CallAttemptAdmin(admin.ModelAdmin):
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
    inlines = [ScriptAnswerInline]


@admin.register(m.ScriptAnswer)
class ScriptAnswerAdmin(admin.ModelAdmin):
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
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor__username"]
    date_hierarchy = "at"

    # The trail is append-only, even for admins.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
