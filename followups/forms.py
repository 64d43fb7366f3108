"""Forms of the server-rendered pages, laid out with crispy-forms (Bootstrap 5)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from followups.models import (
    CallingPolicy,
    Customer,
    Department,
    FollowUpPlan,
    HolidayOverride,
    Hospital,
    PlanRule,
    PlanStep,
    Team,
)
from followups.models.calls import (
    REACHED_DISPOSITIONS,
    Disposition,
    EscalationCategory,
    EscalationSeverity,
    Satisfaction,
)
from followups.models.cases import CaseKind, IntentClass
from followups.reports.tables import user_name
from followups.roles import Role, role_choices
from followups.services import plan_rules
from followups.services.person_records import CONTACT_FIELDS


class CrispyMixin:
    """A form laid out by crispy-forms. With `submit_label` it is a form of its own, with
    that submit button (`submit_class`: the button's further CSS classes); without, it has
    no <form> tag: the page's form holds its fields."""

    submit_label = ""
    submit_class = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        if self.submit_label:
            self.helper.add_input(Submit("submit", self.submit_label, css_class=self.submit_class))
        else:
            self.helper.form_tag = False


def optional_choice(label, blank: str, choices) -> forms.ChoiceField:
    """A choice that may be left at its first option, `blank`."""
    return forms.ChoiceField(label=label, choices=[("", blank), *choices], required=False)


def short_text(label, **options) -> forms.CharField:
    """A few lines of free text, optional unless `options` say otherwise."""
    options.setdefault("required", False)
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 2}), **options)


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RulesFormSet(forms.BaseInlineFormSet):
    """An inline formset with rules across its forms (`check_rules`)."""

    def clean(self):
        self.check_rules()
        # Django's unique checks run after ours and skip the forms we already refused.
        super().clean()

    def check_rules(self):
        raise NotImplementedError


def _rules_formset(parent, model, form, formset, *, extra: int):
    return forms.inlineformset_factory(
        parent, model, form=form, formset=formset, extra=extra, can_delete=True
    )


class LoginForm(CrispyMixin, AuthenticationForm):
    submit_label = _("Log in")
    submit_class = "w-100"


class CustomerForm(forms.ModelForm):
    """A customer's contact details; phones are checked and stored as E.164."""

    phone = PhoneNumberField(label=_("phone"), region="CN", required=False)
    phone_secondary = PhoneNumberField(label=_("second phone"), region="CN", required=False)

    class Meta:
        model = Customer
        fields = list(CONTACT_FIELDS)


# --- Configuration pages (admins) -------------------------------------------------------------


def _at_least(field: forms.IntegerField, low: int) -> None:
    """Raise the smallest number `field` takes to `low` (its message: error "min_value")."""
    field.min_value = low
    field.widget.attrs["min"] = low
    field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
    field.validators.append(MinValueValidator(low))


class PlanForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Class A and B cases are called again every N days: 0 would be no pause at all.
        for name in ("intent_a_days", "intent_b_days"):
            _at_least(self.fields[name], 1)
            self.fields[name].error_messages["min_value"] = _(
                "Give at least 1 day between two calls of the same case."
            )

    class Meta:
        model = FollowUpPlan
        fields = [
            "name",
            "description",
            "calling_policy",
            "intent_a_days",
            "intent_b_days",
            "intent_c_days",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class PlanStepForm(forms.ModelForm):
    offset_days = forms.IntegerField(
        label=_("days after the anchor date"),
        min_value=0,
        error_messages={
            "min_value": _("An offset cannot be below zero: a call comes on or after the event.")
        },
    )

    class Meta:
        model = PlanStep
        fields = [
            "offset_days",
            "window_days",
            "max_attempts",
            "script",
            "deadline_days",
            "repeat_every",
            "repeat_unit",
        ]
        # The model's validators bound both; these say so in the admin's words.
        error_messages = {
            "window_days": {
                "max_value": _("A follow-up window is at most 60 days: give a number from 0 to 60.")
            },
            "max_attempts": {
                "max_value": _("Give 1 to 20 calls nobody answers."),
                "min_value": _("Give 1 to 20 calls nobody answers."),
            },
        }


class BasePlanStepFormSet(RulesFormSet):
    def check_rules(self):
        seen: dict[int, forms.Form] = {}
        kept_steps = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                continue
            if form.cleaned_data.get("DELETE"):
                # A form marked for deletion is not validated, so this is the formset's error.
                if form.instance.pk and form.instance.tasks.exists():
                    kept_steps.append(form.instance.offset_days)
                continue
            offset = form.cleaned_data.get("offset_days")
            if offset is None:
                continue
            if offset in seen:
                form.add_error(
                    "offset_days",
                    _("Another step already calls on day %(days)s: each offset once.")
                    % {"days": offset},
                )
            else:
                seen[offset] = form
        if kept_steps:
            raise forms.ValidationError(
                _(
                    "The step of day %(days)s already has calls planned or made and cannot be "
                    "removed; make a new plan, or set this one inactive."
                )
                % {"days": ", ".join(str(days) for days in kept_steps)}
            )


PlanStepFormSet = _rules_formset(FollowUpPlan, PlanStep, PlanStepForm, BasePlanStepFormSet, extra=1)


ANY_KIND = "any"


class PlanRuleForm(forms.ModelForm):
    """A rule of the plan. "Any kind" is a choice of its own, so that a blank extra row stays
    blank while a default rule (any department, any kind) can still be added."""

    case_kind = forms.ChoiceField(label=_("case kind"), required=True)

    class Meta:
        model = PlanRule
        fields = ["department", "case_kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].empty_label = _("any department")
        # A saved rule has one "empty" choice, any kind; only the row for a new rule starts
        # blank (left blank, no rule is added).
        blank = [] if self.instance.pk else [("", "---------")]
        self.fields["case_kind"].choices = [*blank, (ANY_KIND, _("any kind")), *CaseKind.choices]
        if self.instance.pk and not self.instance.case_kind:
            self.initial["case_kind"] = ANY_KIND

    def clean_case_kind(self):
        kind = self.cleaned_data["case_kind"]
        return "" if kind == ANY_KIND else kind


class BasePlanRuleFormSet(RulesFormSet):
    """The plan's rules: none twice, and none another active plan has (services/plan_rules.py
    says which and why); Django admin's inline uses it too."""

    def check_rules(self):
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        by_rule = {id(form.instance): form for form in kept}
        for rule, message in plan_rules.rule_conflicts(
            plan=self.instance,
            rules=[form.instance for form in kept],
            active=self.instance.is_active,
        ):
            by_rule[id(rule)].add_error(None, message)


PlanRuleFormSet = _rules_formset(FollowUpPlan, PlanRule, PlanRuleForm, BasePlanRuleFormSet, extra=1)


class HolidayOverrideForm(forms.ModelForm):
    class Meta:
        model = HolidayOverride
        fields = ["day", "kind", "note"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class BaseHolidayOverrideFormSet(RulesFormSet):
    def check_rules(self):
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("day"):
                continue
            day = data["day"]
            if day in seen:
                form.add_error("day", _("This day already has an override."))
            seen.add(day)


HolidayOverrideFormSet = _rules_formset(
    CallingPolicy, HolidayOverride, HolidayOverrideForm, BaseHolidayOverrideFormSet, extra=2
)


def _headed_departments() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("departments headed"),
        queryset=Department.objects.select_related("hospital"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A department head reads the calls, escalations and reports of these."),
    )


def _check_headed(form, cleaned: dict) -> None:
    if cleaned.get("role") == Role.DEPARTMENT_HEAD and not cleaned.get("departments"):
        form.add_error("departments", _("Choose the departments this department head leads."))


class NewUserForm(forms.Form):
    username = forms.RegexField(
        label=_("username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    name = forms.CharField(label=_("full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("role"), choices=role_choices)
    departments = _headed_departments()
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        _check_headed(self, cleaned)
        if cleaned.get("password"):
            user = get_user_model()(
                username=cleaned.get("username", ""), first_name=cleaned.get("name", "")
            )
            try:
                password_validation.validate_password(cleaned["password"], user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class UserChangeForm(forms.Form):
    name = forms.CharField(label=_("full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("role"), choices=role_choices)
    departments = _headed_departments()
    is_active = forms.BooleanField(label=_("active"), required=False)

    def __init__(self, *args, user, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.actor = user, actor

    def clean_is_active(self):
        is_active = self.cleaned_data["is_active"]
        if not is_active and self.user.pk == self.actor.pk:
            raise forms.ValidationError(_("You cannot deactivate your own account."))
        return is_active

    def clean_role(self):
        role = self.cleaned_data["role"]
        if self.user.pk == self.actor.pk and role != Role.ADMIN:
            raise forms.ValidationError(_("You cannot take the administrator role from yourself."))
        return role

    def clean(self):
        cleaned = super().clean()
        _check_headed(self, cleaned)
        return cleaned


class PersonChoiceField(forms.ModelChoiceField):
    """A user picker naming people as the tables do (their full name), not by their login."""

    def label_from_instance(self, obj) -> str:
        return user_name(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return user_name(obj)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "members", "departments"]
        field_classes = {"members": PeopleChoiceField}
        widgets = {
            "members": forms.CheckboxSelectMultiple,
            "departments": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "members": {"required": _("Choose the agents of the team: it has nobody.")},
            "departments": {"required": _("Choose the departments the team serves.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.AGENT)
            .order_by("username")
        )
        # The model allows an empty team (and the admin site may keep one); this page
        # does not make one without a word.
        self.fields["members"].required = True
        self.fields["departments"].required = True


class BuildTimeForm(forms.Form):
    hour = forms.IntegerField(label=_("hour"), min_value=0, max_value=23)
    minute = forms.IntegerField(label=_("minute"), min_value=0, max_value=59)


class PatientImportForm(forms.Form):
    file = forms.FileField(
        label=_("discharge list (CSV or XLSX)"),
        help_text=_(
            "Columns: 住院号, 姓名, 性别, 电话, 科室, 主治医生, 诊断, 入院日期, 出院日期, 敏感 "
            "(or mrn, name, gender, phones, department, doctor, diagnosis, admitted_on, "
            "discharged_on, sensitive)."
        ),
    )
    hospital = forms.ModelChoiceField(
        label=_("hospital"), queryset=Hospital.objects.all(), to_field_name="code"
    )
    plan = forms.ModelChoiceField(
        label=_("plan of the new discharge cases"),
        queryset=FollowUpPlan.objects.filter(is_active=True),
        required=False,
        help_text=_("Leave empty for the plan each department's rule chooses."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A centre serving one hospital has nothing to choose: it is chosen.
        hospitals = list(Hospital.objects.order_by("pk")[:2])
        if len(hospitals) == 1:
            self.fields["hospital"].initial = hospitals[0].code
            self.fields["hospital"].empty_label = None
        self.fields["plan"].empty_label = _("the plan of each department's rule")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Upload a CSV or XLSX file."))
        return upload


# --- The agent's call screen ------------------------------------------------------------------

CALLBACK_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


class OutcomeForm(CrispyMixin, forms.Form):
    """What the agent records at the end of a call, in the center's time. The form checks
    what the agent can fix at once; record_outcome checks the rest and writes."""

    disposition = forms.ChoiceField(
        label=_("How did the call end?"), choices=[("", "—"), *Disposition.choices]
    )
    satisfaction = optional_choice(_("Satisfaction"), _("Not asked"), Satisfaction.choices)
    intent_class = optional_choice(
        _("Intent class after the call"), _("Unchanged"), IntentClass.choices
    )
    notes = short_text(_("Notes"))
    # No help text: the confirmation after the call says what it did, and the form must
    # fit a 1366×768 screen.
    do_not_call = forms.BooleanField(
        label=_("The customer asks never to be called again"), required=False
    )
    callback_at = forms.DateTimeField(
        label=_("Callback date and time"),
        required=False,
        input_formats=[CALLBACK_INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=CALLBACK_INPUT_FORMAT),
    )
    escalation_category = optional_choice(
        _("Problem to escalate"), _("None"), EscalationCategory.choices
    )
    escalation_severity = forms.ChoiceField(
        label=_("Severity"),
        choices=EscalationSeverity.choices,
        initial=EscalationSeverity.NORMAL,
        required=False,
    )
    escalation_description = short_text(_("What is the problem?"))
    # Shown only once the form has refused a reached outcome with no answer in the script.
    record_without_answers = forms.BooleanField(
        label=_("Record it anyway: the customer was reached without the script"), required=False
    )

    def __init__(self, *args, now=None, answered: bool | None = None, **kwargs):
        """`answered`: whether the call's script has an answer so far (None: no script)."""
        super().__init__(*args, **kwargs)
        self.now = now
        self.answered = answered
        self.asks_to_confirm = False

    def clean(self):
        data = super().clean()
        disposition = data.get("disposition")
        callback_at = data.get("callback_at")
        if disposition == Disposition.CALLBACK and callback_at is None:
            if "callback_at" not in self.errors:
                self.add_error(
                    "callback_at", _("Give the time the customer asked to be called back.")
                )
        if callback_at is not None:
            # The picker has whole minutes: the current minute still counts as now.
            if self.now is not None and callback_at < self.now.replace(second=0, microsecond=0):
                self.add_error("callback_at", _("This time has passed: choose a later one."))
            elif disposition and disposition not in (Disposition.CALLBACK, Disposition.FAMILY):
                self.add_error(
                    "callback_at",
                    _(
                        "To book this time choose “Asked for a callback” (or “Family member"
                        " answered” when a relative said when to call), or clear the time."
                    ),
                )
        if (
            disposition in REACHED_DISPOSITIONS
            and self.answered is False
            and not data.get("record_without_answers")
        ):
            # A reached call with no step of its script answered is most often a wrong
            # click: the agent confirms it once (the API takes it as it is).
            self.asks_to_confirm = True
            self.add_error(
                "disposition",
                _(
                    "No step of the script was answered on this call. Was the customer"
                    " really reached? Tick “Record it anyway” below, or choose another"
                    " outcome."
                ),
            )
        category = data.get("escalation_category")
        described = (data.get("escalation_description") or "").strip()
        if category and not described:
            self.add_error("escalation_description", _("Describe the problem."))
        if described and not category:
            self.add_error("escalation_category", _("Choose what kind of problem it is."))
        return data

    def escalation(self) -> dict | None:
        """The escalation to raise with the outcome, as record_outcome takes it."""
        if not self.cleaned_data.get("escalation_category"):
            return None
        return {
            "category": self.cleaned_data["escalation_category"],
            "severity": self.cleaned_data.get("escalation_severity") or EscalationSeverity.NORMAL,
            "description": self.cleaned_data["escalation_description"].strip(),
        }
