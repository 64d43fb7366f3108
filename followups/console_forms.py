"""Forms of the agent's console beside the outcome (followups/forms.py): putting a call
back on the list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from followups.services.list_choices import PUT_BACK_REASONS


class PutBackForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why?"), choices=PUT_BACK_REASONS)
