"""Forms of the script pages, laid out with crispy-forms (Bootstrap 5): creating a script,
importing an exported one, and the change note a publication asks for.
"""

from django import forms
from django.utils.translation import gettext_lazy

from followups.forms import CrispyMixin, optional_choice, short_text
from followups.models import CaseKind


class ScriptCreateForm(CrispyMixin, forms.Form):
    submit_label = gettext_lazy("Create the script and its draft")

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=60,
        help_text=gettext_lazy("Short, unique, in letters, digits and hyphens, e.g. discharge."),
    )
    case_kind = optional_choice(
        gettext_lazy("Used for"), gettext_lazy("Any kind of case"), CaseKind.choices
    )
    description = short_text(gettext_lazy("Description"))


class ImportForm(CrispyMixin, forms.Form):
    submit_label = gettext_lazy("Import as a draft")
    file = forms.FileField(
        label=gettext_lazy("Exported script (.json)"),
        help_text=gettext_lazy("A file exported from this or another Huifang center."),
    )


class PublishForm(CrispyMixin, forms.Form):
    change_note = short_text(gettext_lazy("What changed"), max_length=300, required=True)
