"""The forms of the person pages: contact details, a stay in hospital, a case, and the
small actions on a case or a person. They parse; services/person_records.py checks and
writes (with the import's rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from followups.models import (
    CaseKind,
    Department,
    FollowUpPlan,
    Gender,
    Hospital,
    IntentClass,
    PreferredSlot,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def styled(form: forms.Form) -> forms.Form:
    """Bootstrap's classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


class ContactForm(forms.Form):
    """A person's contact details. The numbers on file never show in the form: a new one
    is typed in (`editing`: an empty field keeps the one on file)."""

    name = forms.CharField(label=_("full name"), max_length=80)
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    phone = PhoneNumberField(label=_("phone"), region="CN", required=False)
    phone_secondary = PhoneNumberField(label=_("second phone"), region="CN", required=False)
    preferred_slot = forms.ChoiceField(
        label=_("preferred slot"), choices=PreferredSlot.choices, initial=PreferredSlot.ANY
    )
    timezone = forms.CharField(
        label=_("timezone"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to use the calling policy's timezone."),
    )
    do_not_call = forms.BooleanField(label=_("do not call"), required=False)
    do_not_call_reason = forms.CharField(
        label=_("do-not-call reason"), max_length=200, required=False
    )
    recording_consent = forms.BooleanField(label=_("consents to recording"), required=False)

    def __init__(self, *args, on_file: tuple[str, str] | None = None, **kwargs):
        """`on_file`: when editing, the numbers on file, masked — shown beside the fields
        that replace them (an empty field keeps the number)."""
        super().__init__(*args, **kwargs)
        if on_file is not None:
            self.fields["phone"].label = _("new phone")
            self.fields["phone_secondary"].label = _("new second phone")
            for name, masked in zip(("phone", "phone_secondary"), on_file, strict=True):
                self.fields[name].help_text = _(
                    "On file: %(number)s. Type a new number to replace it; leave empty to keep it."
                ) % {"number": masked or "—"}
        styled(self)

    def clean(self):
        data = super().clean()
        if data.get("do_not_call") and not (data.get("do_not_call_reason") or "").strip():
            self.add_error("do_not_call_reason", _("Say why the person is not to be called."))
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("phone", "phone_secondary"):
            data[name] = data[name].as_e164 if data.get(name) else None
        return data


class StayForm(forms.Form):
    """A patient's stay in hospital, as the import reads it from the discharge list."""

    hospital = forms.ModelChoiceField(label=_("hospital"), queryset=Hospital.objects.all())
    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.select_related("hospital")
    )
    medical_record_number = forms.CharField(label=_("inpatient number (住院号)"), max_length=40)
    attending_doctor = forms.CharField(label=_("attending doctor"), max_length=80, required=False)
    responsible_nurse = forms.CharField(label=_("responsible nurse"), max_length=80, required=False)
    diagnosis = forms.CharField(label=_("diagnosis"), max_length=200, required=False)
    admitted_on = forms.DateField(label=_("admitted on"), required=False, widget=DateInput())
    discharged_on = forms.DateField(label=_("discharged on"), widget=DateInput())
    sensitive = forms.BooleanField(
        label=_("sensitive"),
        required=False,
        help_text=_("Identity must be confirmed before anything medical is said."),
    )

    def __init__(self, *args, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        hospitals = list(Hospital.objects.all()[:2])
        if len(hospitals) == 1:
            self.fields["hospital"].initial = hospitals[0].pk
        self.optional = optional
        if optional:
            for field in self.fields.values():
                field.required = False
        styled(self)

    def is_empty(self) -> bool:
        """On the new-person page the stay is left out for a customer who is no patient."""
        return self.is_bound and not (self.data.get(self.add_prefix("medical_record_number")) or "")

    def clean(self):
        data = super().clean()
        if self.optional and data.get("medical_record_number"):
            for name in ("hospital", "department", "discharged_on"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data


class CaseForm(forms.Form):
    """A new case of the person, or a change of one (`editing`: its kind stays)."""

    kind = forms.ChoiceField(label=_("kind"), choices=CaseKind.choices)
    anchor_date = forms.DateField(
        label=_("anchor date"),
        widget=DateInput(),
        help_text=_("The event the plan counts from, e.g. the discharge date."),
    )
    plan = forms.ModelChoiceField(
        label=_("plan"),
        queryset=FollowUpPlan.objects.all(),
        required=False,
        empty_label=_("Chosen by the plans' rules"),
    )
    intent_class = forms.ChoiceField(
        label=_("intent class"), choices=[("", "—"), *IntentClass.choices], required=False
    )
    product = forms.CharField(label=_("product or service"), max_length=120, required=False)

    def __init__(self, *args, editing: bool = False, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
            self.fields["plan"].empty_label = _("No plan")
        self.optional = optional
        if optional:
            self.fields["kind"].choices = [("", _("No case now")), *CaseKind.choices]
            self.fields["kind"].required = False
            self.fields["anchor_date"].required = False
        styled(self)

    def is_empty(self) -> bool:
        return self.is_bound and not (self.data.get(self.add_prefix("kind")) or "")

    def clean(self):
        data = super().clean()
        if self.optional and data.get("kind") and not data.get("anchor_date"):
            self.add_error("anchor_date", _("This field is required."))
        return data


class IntentForm(forms.Form):
    intent_class = forms.ChoiceField(
        label=_("intent class"), choices=[("", "—"), *IntentClass.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


class CloseCaseForm(forms.Form):
    reason = forms.CharField(label=_("closing reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


class DeceasedForm(forms.Form):
    died_on = forms.DateField(label=_("date of death"), widget=DateInput())
    confirm = forms.BooleanField(
        label=_("I confirm: every call to this person and their family stops."), required=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)
