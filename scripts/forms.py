"""Forms of the script pages, laid out with crispy-forms (Bootstrap 5): creating a script,
importing an exported one, and the change note a publication asks for.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy

from followups.models import CaseKind


class ScriptCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=60,
        help_text=gettext_lazy("Short, unique, in letters, digits and hyphens, e.g. discharge."),
    )
    case_kind = forms.ChoiceField(
        label=gettext_lazy("Used for"),
        choices=[("", gettext_lazy("Any kind of case")), *CaseKind.choices],
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext_lazy("Create the script and its draft")))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Exported script (.json)"),
        help_text=gettext_lazy("A file exported from this or another Huifang center."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext_lazy("Import as a draft")))


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
