"""Keeping people's records on the person pages (supervisors and admins): a new person,
their contact details and stay, a new case, a case changed or closed, a death. Each POST
calls one service of services/person_records.py, which checks and audits it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from followups import clock
from followups.models import Case, Customer, Patient
from followups.person_forms import (
    CaseForm,
    CloseCaseForm,
    ContactForm,
    DeceasedForm,
    IntentForm,
    StayForm,
)
from followups.roles import REVIEW_OUTCOMES
from followups.services import person_records
from followups.views.access import page_for
from followups.views.people import TEMPLATES, render_detail

edits_people = page_for(REVIEW_OUTCOMES)


@edits_people
@require_http_methods(["GET", "POST"])
def new_person(request):
    data = request.POST or None
    contact = ContactForm(data, prefix="contact")
    stay = StayForm(data, prefix="stay", optional=True)
    case = CaseForm(data, prefix="case", optional=True)
    if request.method == "POST" and all([contact.is_valid(), stay.is_valid(), case.is_valid()]):
        try:
            customer = person_records.add_person(
                by=request.user,
                contact=contact.values(),
                stay=None if stay.is_empty() else stay.cleaned_data,
                case=None if case.is_empty() else case.cleaned_data,
                today=clock.today(),
            )
        except ValidationError as error:
            _refused(error, contact, stay, case)
        else:
            messages.success(request, _("%(name)s is on file.") % {"name": customer.name})
            return redirect("people:detail", pk=customer.pk)
    context = {"contact": contact, "stay": stay, "case": case}
    status = 400 if request.method == "POST" else 200
    return render(request, f"{TEMPLATES}/new.html", context, status=status)


def _refused(error: ValidationError, *forms) -> None:
    """A service's refusal on the form holding the field (the stay's 住院号, the case's
    anchor date …), else on the first form."""
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        holder = next((form for form in forms if name in form.fields), forms[0])
        holder.add_error(name if name in holder.fields else None, errors)


@edits_people
@require_http_methods(["GET", "POST"])
def edit_contact(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    initial = {name: getattr(customer, name) for name in person_records.CONTACT_FIELDS}
    initial.pop("phone"), initial.pop("phone_secondary")
    form = ContactForm(
        request.POST or None,
        initial=initial,
        on_file=(customer.masked_phone, customer.masked_phone_secondary),
    )
    if request.method == "POST" and form.is_valid():
        try:
            resumed = person_records.change_contact(
                customer=customer, by=request.user, now=timezone.now(), **form.values()
            )
        except ValidationError as error:
            _refused(error, form)
        else:
            messages.success(request, _("Contact details saved."))
            if resumed:
                messages.info(
                    request,
                    ngettext(
                        "%(n)s follow-up held for a wrong number is back on the lists.",
                        "%(n)s follow-ups held for a wrong number are back on the lists.",
                        resumed,
                    )
                    % {"n": resumed},
                )
            return redirect("people:detail", pk=customer.pk)
    context = {"customer": customer, "form": form, "title": _("Contact details")}
    return render(request, f"{TEMPLATES}/edit.html", context, status=_status(request, form))


def _status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@edits_people
@require_http_methods(["GET", "POST"])
def edit_stay(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    patient = Patient.objects.filter(customer=customer).first()
    initial = {}
    if patient is not None:
        initial = {name: getattr(patient, name) for name in person_records.STAY_FIELDS}
    form = StayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person_records.save_stay(
                customer=customer, by=request.user, today=clock.today(), **form.cleaned_data
            )
        except ValidationError as error:
            _refused(error, form)
        else:
            messages.success(request, _("Stay in hospital saved."))
            return redirect("people:detail", pk=customer.pk)
    context = {"customer": customer, "form": form, "title": _("Stay in hospital")}
    return render(request, f"{TEMPLATES}/edit.html", context, status=_status(request, form))


@edits_people
@require_http_methods(["GET", "POST"])
def new_case(request, pk):
    customer = get_object_or_404(Customer.objects.select_related("patient"), pk=pk)
    patient = getattr(customer, "patient", None)
    initial = {"anchor_date": patient.discharged_on if patient else clock.today()}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = person_records.add_case(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refused(error, form)
        else:
            messages.success(request, _("Case #%(id)s opened.") % {"id": case.pk})
            return redirect("people:detail", pk=customer.pk)
    context = {"customer": customer, "form": form, "title": _("New case")}
    return render(request, f"{TEMPLATES}/edit.html", context, status=_status(request, form))


def _case_of(pk, case_pk) -> Case:
    return get_object_or_404(
        Case.objects.select_related("customer", "plan"), pk=case_pk, customer_id=pk
    )


@edits_people
@require_http_methods(["GET", "POST"])
def edit_case(request, pk, case_pk):
    case = _case_of(pk, case_pk)
    initial = {
        name: getattr(case, name) for name in ("anchor_date", "plan", "intent_class", "product")
    }
    form = CaseForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            person_records.edit_case(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refused(error, form)
        else:
            messages.success(request, _("Case #%(id)s saved.") % {"id": case.pk})
            return redirect("people:detail", pk=pk)
    context = {"customer": case.customer, "form": form, "title": str(case)}
    return render(request, f"{TEMPLATES}/edit.html", context, status=_status(request, form))


def _posted_on_page(request, pk, form, change, *, bound: dict):
    """An action posted from the person's page: `change(cleaned_data)` calls the service and
    returns the message shown back on the page; a form or service refusal shows the page
    again with `bound` (see render_detail) holding the form and its errors."""
    if form.is_valid():
        try:
            message = change(form.cleaned_data)
        except ValidationError as error:
            _refused(error, form)
        else:
            messages.success(request, message)
            return redirect("people:detail", pk=pk)
    return render_detail(request, pk, bound=bound, status=400)


@edits_people
@require_POST
def case_intent(request, pk, case_pk):
    case = _case_of(pk, case_pk)

    def change(data):
        person_records.edit_case(case=case, by=request.user, intent_class=data["intent_class"])
        return _("Intent class saved: the routine calls follow it.")

    form = IntentForm(request.POST, prefix=f"intent-{case.pk}")
    return _posted_on_page(request, pk, form, change, bound={"intent": (case.pk, form)})


@edits_people
@require_POST
def close_case(request, pk, case_pk):
    case = _case_of(pk, case_pk)

    def change(data):
        cancelled = person_records.close_case(
            case=case, reason=data["reason"], by=request.user, now=timezone.now()
        )
        return ngettext(
            "Case #%(id)s closed; %(n)s call not yet made is cancelled.",
            "Case #%(id)s closed; %(n)s calls not yet made are cancelled.",
            cancelled,
        ) % {"id": case.pk, "n": cancelled}

    form = CloseCaseForm(request.POST, prefix=f"close-{case.pk}")
    return _posted_on_page(request, pk, form, change, bound={"close": (case.pk, form)})


@edits_people
@require_POST
def deceased(request, pk):
    customer = get_object_or_404(Customer, pk=pk)

    def change(data):
        cancelled = person_records.mark_deceased(
            customer=customer,
            died_on=data["died_on"],
            by=request.user,
            now=timezone.now(),
            today=clock.today(),
        )
        return _("Every call to this person has stopped (%(n)s cancelled).") % {"n": cancelled}

    form = DeceasedForm(request.POST)
    return _posted_on_page(request, pk, form, change, bound={"deceased": form})
