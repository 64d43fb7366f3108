"""Forms of the server-rendered pages, laid out with crispy-forms (Bootstrap 5)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from followups.models import Customer


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Log in"), css_class="w-100"))


class CustomerForm(forms.ModelForm):
    """A customer's contact details; phones are checked and stored as E.164."""

    phone = PhoneNumberField(label=_("phone"), region="CN", required=False)
    phone_secondary = PhoneNumberField(label=_("second phone"), region="CN", required=False)

    class Meta:
        model = Customer
        fields = [
            "name",
            "gender",
            "phone",
            "phone_secondary",
            "timezone",
            "preferred_slot",
            "do_not_call",
            "do_not_call_reason",
            "recording_consent",
        ]
