"""The audit trail for admins (/config/audit/): filtered by who, what, when and which
person, paged, and exported as CSV (the export is itself audited)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from followups.exports import export_table
from followups.models import AuditAction
from followups.person_forms import DateInput, styled
from followups.roles import CONFIGURE_CENTER
from followups.selectors.audit_trail import (
    actor_name,
    audit_table,
    audit_trail,
    describe_events,
    label_targets,
    name_people,
)
from followups.views.access import page_for
from followups.views.paging import query_without

PAGE_SIZE = 50


class ActorChoiceField(forms.ModelChoiceField):
    """Users by the name the trail shows them by, their username in brackets."""

    def label_from_instance(self, obj) -> str:
        name = actor_name(obj)
        return name if name == obj.username else f"{name} ({obj.username})"


class AuditFilterForm(forms.Form):
    actor = ActorChoiceField(
        label=_("Who"),
        queryset=get_user_model().objects.order_by("first_name", "last_name", "username"),
        required=False,
        empty_label=_("Anyone"),
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Any action")), *AuditAction.choices], required=False
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    person = forms.IntegerField(
        label=_("Person (customer no.)"),
        required=False,
        min_value=1,
        help_text=_("The number in the address of the person's page."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end is before the start."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "actor": data.get("actor"),
            "action": data.get("action") or "",
            "since": data.get("since"),
            "until": data.get("until"),
            "customer_id": data.get("person"),
        }


@page_for(CONFIGURE_CENTER)
def audit(request):
    form = AuditFilterForm(request.GET or None)
    events = audit_trail(**form.filters())
    if request.GET.get("format") == "csv" and (not form.is_bound or form.is_valid()):
        used = sorted(name for name, value in form.filters().items() if value)
        return export_table(
            table=audit_table(events), fmt="csv", report="audit", user=request.user, filters=used
        )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    describe_events(page)
    label_targets(page)
    name_people(page)
    context = {"form": form, "page": page, "query": query_without(request, "format")}
    return render(request, "followups/config/audit.html", context)
