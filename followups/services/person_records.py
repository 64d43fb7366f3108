"""A person's records kept by hand on the person pages: a new person (with their stay in
hospital and a first case), their contact details and stay, their cases opened, given a new
intent class and closed, a death learnt of. Dates and numbers are checked as the import
checks them (services/import_rows.py); each change is audited by ids and field names, never
by the values (a number, a diagnosis)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from followups.models import (
    AuditAction,
    Case,
    CaseStatus,
    Customer,
    FollowUpTask,
    Patient,
    QueueEntry,
    QueueEntryStatus,
    TaskStatus,
)
from followups.phones import normalise_phone
from followups.services import audit, people
from followups.services.cases import change_case, open_case
from followups.services.import_rows import implausible_day, stay_dates_problem

CONTACT_FIELDS = (
    "name",
    "gender",
    "phone",
    "phone_secondary",
    "timezone",
    "preferred_slot",
    "do_not_call",
    "do_not_call_reason",
    "recording_consent",
)
STAY_FIELDS = (
    "hospital",
    "medical_record_number",
    "department",
    "attending_doctor",
    "responsible_nurse",
    "diagnosis",
    "admitted_on",
    "discharged_on",
    "sensitive",
)
PHONE_FIELDS = ("phone", "phone_secondary")


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _audit_case(case: Case, *, by, action: AuditAction, **detail) -> None:
    """A case's event, with the person's id: their audit trail shows their cases too."""
    audit.record(actor=by, action=action, target=case, customer=case.customer_id, **detail)


def _check_phones(changes: dict) -> None:
    """Numbers as E.164, the form they are stored and searched in."""
    errors = {}
    for name in PHONE_FIELDS:
        if changes.get(name):
            number = normalise_phone(str(changes[name]))
            if number is None:
                errors[name] = gettext("This is not a valid phone number.")
            changes[name] = number
    if errors:
        raise ValidationError(errors)


def _check_stay(patient: Patient, *, today: dt.date) -> None:
    """What the import refuses in a row, refused field by field: implausible dates, a
    discharge before the admission, a 住院号 already on file at the hospital."""
    errors = {}
    for name in ("admitted_on", "discharged_on"):
        problem = implausible_day(getattr(patient, name), _label(Patient, name), today=today)
        if problem:
            errors[name] = problem
    problem = stay_dates_problem(patient.admitted_on, patient.discharged_on)
    if problem:
        errors.setdefault("discharged_on", problem)
    taken = Patient.objects.filter(
        hospital_id=patient.hospital_id, medical_record_number=patient.medical_record_number
    ).exclude(pk=patient.pk)
    if patient.medical_record_number and taken.exists():
        errors["medical_record_number"] = gettext(
            "This inpatient number (住院号) is already on file at this hospital."
        )
    if errors:
        raise ValidationError(errors)
    patient.full_clean(exclude=["customer"], validate_constraints=False)


@transaction.atomic
def add_person(
    *, by, contact: dict, stay: dict | None = None, case: dict | None = None, today: dt.date
) -> Customer:
    """A new customer (`contact`), a patient when `stay` is given, and a first case of
    theirs when `case` is (see add_case). ValidationError names the field refused."""
    contact = {name: value for name, value in contact.items() if name in CONTACT_FIELDS}
    _check_phones(contact)
    customer = Customer(**{k: v for k, v in contact.items() if v is not None})
    customer.full_clean()
    customer.save()
    if stay is not None:
        patient = Patient(customer=customer, **{k: stay[k] for k in STAY_FIELDS if k in stay})
        _check_stay(patient, today=today)
        patient.save()
    audit.record(actor=by, action=AuditAction.ADD_PERSON, target=customer, patient=stay is not None)
    if case is not None:
        add_case(customer=customer, by=by, **case)
    return customer


@transaction.atomic
def change_contact(*, customer: Customer, by, now: dt.datetime, **changes) -> int:
    """New contact details. A phone field left out (or None) keeps the number on file; a
    new number resumes the calls held for a wrong or missing one
    (people.resume_after_number_fix). Putting the person on the do-not-call list is
    audited as such. Returns how many held calls resumed."""
    changes = {
        name: value
        for name, value in changes.items()
        if name in CONTACT_FIELDS and not (name in PHONE_FIELDS and not value)
    }
    _check_phones(changes)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = sorted(name for name, value in changes.items() if getattr(customer, name) != value)
    if not changed:
        return 0
    stopped = "do_not_call" in changed and changes["do_not_call"]
    for name in changed:
        setattr(customer, name, changes[name])
    customer.full_clean()
    customer.save()
    audit.record(actor=by, action=AuditAction.CHANGE_PERSON, target=customer, fields=changed)
    if stopped:
        audit.record(actor=by, action=AuditAction.DO_NOT_CALL, target=customer)
    if "phone" in changed:
        return people.resume_after_number_fix(customer=customer, by=by, now=now)
    return 0


@transaction.atomic
def save_stay(*, customer: Customer, by, today: dt.date, **fields) -> Patient:
    """The person's stay in hospital: changed, or recorded for a customer who had none."""
    patient = Patient.objects.filter(customer=customer).first() or Patient(customer=customer)
    fields = {name: value for name, value in fields.items() if name in STAY_FIELDS}
    changed = sorted(
        name for name, value in fields.items() if getattr(patient, name, None) != value
    )
    for name in changed:
        setattr(patient, name, fields[name])
    _check_stay(patient, today=today)
    patient.save()
    audit.record(
        actor=by,
        action=AuditAction.CHANGE_PERSON,
        target=customer,
        patient=patient.pk,
        fields=changed,
    )
    return patient


@transaction.atomic
def add_case(
    *,
    customer: Customer,
    by,
    kind: str,
    anchor_date: dt.date,
    plan=None,
    intent_class: str = "",
    product: str = "",
    agent=None,
) -> Case:
    """A case of the person with its planned calls (cases.open_case); a patient's case is
    tied to their stay."""
    fields = {
        "customer": customer,
        "patient": Patient.objects.filter(customer=customer).first(),
        "kind": kind,
        "anchor_date": anchor_date,
        "intent_class": intent_class,
        "product": product,
        "agent": agent,
    }
    if plan is not None:
        fields["plan"] = plan
    case = open_case(**fields)
    _audit_case(case, by=by, action=AuditAction.OPEN_CASE, tasks=case.tasks.count())
    return case


CASE_FIELDS = ("anchor_date", "plan", "intent_class", "product", "agent")


@transaction.atomic
def edit_case(*, case: Case, by, **changes) -> Case:
    """Change an open case (cases.change_case): a new anchor date or plan moves its calls not
    yet made, a new intent class its routine call. Returns the case."""
    if case.status != CaseStatus.OPEN:
        raise ValidationError(gettext("This case is closed."))
    changed = sorted(
        name
        for name, value in changes.items()
        if name in CASE_FIELDS and getattr(case, name) != value
    )
    if not changed:
        return case
    case = change_case(case, **{name: changes[name] for name in changed})
    _audit_case(case, by=by, action=AuditAction.CHANGE_CASE, fields=changed)
    return case


@transaction.atomic
def close_case(*, case: Case, reason: str, by, now: dt.datetime) -> int:
    """Close an open case by hand, with the reason: its calls not yet made are cancelled
    and taken off the lists. Returns how many were cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the case is closed.")})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError({"reason": gettext("This case is already closed.")})
    pending = list(
        FollowUpTask.objects.filter(case=case, status=TaskStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    QueueEntry.objects.filter(task__in=pending, status=QueueEntryStatus.WAITING).update(
        status=QueueEntryStatus.CANCELLED, closed_at=now
    )
    FollowUpTask.objects.filter(pk__in=pending).update(
        status=TaskStatus.CANCELLED, status_reason="case closed", updated_at=now
    )
    case.status, case.closed_reason, case.closed_at = CaseStatus.CLOSED, reason[:200], now
    case.save(update_fields=["status", "closed_reason", "closed_at"])
    _audit_case(case, by=by, action=AuditAction.CLOSE_CASE, cancelled=len(pending))
    return len(pending)


def mark_deceased(*, customer: Customer, died_on: dt.date, by, now: dt.datetime, today) -> int:
    """The person has died: every call of theirs stops (people.record_death). The date
    may not lie ahead. Returns how many calls were cancelled."""
    if died_on > today:
        raise ValidationError({"died_on": gettext("The date of death cannot be in the future.")})
    problem = implausible_day(died_on, _label(Patient, "died_on"), today=today)
    if problem:
        raise ValidationError({"died_on": problem})
    return people.record_death(customer=customer, died_on=died_on, by=by, now=now)
