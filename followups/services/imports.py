"""Importing a hospital's discharge list (CSV or XLSX): a dry-run report per row, then an
all-or-nothing commit that creates patients and their discharge cases in bulk.

A re-import of the same file changes nothing: rows are matched on the inpatient number
(住院号) within the hospital, and failing that on the phone number with the same name.

Reading the file and checking one row are in services/import_rows.py; the run, the matching
with stored patients, the writes and the report are here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from followups.models import (
    AuditAction,
    CallingWindow,
    Case,
    CaseKind,
    Customer,
    Department,
    FollowUpPlan,
    FollowUpTask,
    Hospital,
    Patient,
)
from followups.scheduling import ReachRecord, best_time, due_dates
from followups.selectors.policies import calling_rules
from followups.services import audit, people
from followups.services.cases import planned_task
from followups.services.import_rows import (
    DATE_FORMATS,
    ENGLISH_HEADERS,
    GENDERS,
    HEADERS,
    KEPT_PHONES,
    MAX_LENGTHS,
    PHONE_SEPARATORS,
    REQUIRED_COLUMNS,
    YES_NO,
    ImportFileError,
    Outcome,
    ParsedRow,
    RowResult,
    _check_row,
    read_rows,
)

__all__ = [
    "DATE_FORMATS",
    "ENGLISH_HEADERS",
    "GENDERS",
    "HEADERS",
    "KEPT_PHONES",
    "MAX_LENGTHS",
    "PHONE_SEPARATORS",
    "REQUIRED_COLUMNS",
    "YES_NO",
    "ImportFileError",
    "ImportReport",
    "Outcome",
    "ParsedRow",
    "RowResult",
    "discharge_plan",
    "import_patients",
    "read_rows",
    "resolve_hospital",
]


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowResult]
    committed: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(result.outcome for result in self.rows)
        return {
            outcome: counted[outcome]
            for outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.REFUSED)
        }

    @property
    def refused(self) -> list[RowResult]:
        return [result for result in self.rows if result.outcome == Outcome.REFUSED]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "committed": self.committed,
            "total": len(self.rows),
            "counts": self.counts,
            "rows": [result.as_dict() for result in self.rows],
        }


# --- Matching rows with the patients already known --------------------------------------------


def _phone_fields(phones: list[str]) -> tuple[str, str]:
    kept = [*phones[:KEPT_PHONES], "", ""]
    return kept[0], kept[1]


def _customer_values(parsed: ParsedRow) -> dict:
    phone, secondary = _phone_fields(parsed.phones)
    return {
        "name": parsed.name,
        "gender": parsed.gender,
        "phone": phone,
        "phone_secondary": secondary,
    }


def _patient_values(parsed: ParsedRow) -> dict:
    return {
        "medical_record_number": parsed.result.medical_record_number,
        "department_id": parsed.department.pk,
        "attending_doctor": parsed.doctor,
        "diagnosis": parsed.diagnosis,
        "admitted_on": parsed.admitted_on,
        "discharged_on": parsed.discharged_on,
        "sensitive": parsed.sensitive,
    }


def _stored(value) -> str | object:
    return str(value) if isinstance(value, PhoneNumber) else value


def _differences(instance, values: dict) -> dict:
    return {
        key: value
        for key, value in values.items()
        if (_stored(getattr(instance, key)) or "") != (value or "")
    }


def _known_patients(
    hospital: Hospital,
    parsed_rows: list[ParsedRow],
    *,
    file_mrns: set[str] | None = None,
    claimed: set[int] | None = None,
    made: set[int] | frozenset[int] = frozenset(),
) -> dict[int, Patient]:
    """Existing patients by the index of the row they match: 住院号 first, else the first
    phone number with the same name (a re-admission under a new 住院号).

    A file read a chunk at a time (services/import_stream.py) passes what the chunks share:
    `file_mrns`, the 住院号 of every good row of the file (default: those of `parsed_rows`);
    `claimed`, the patients earlier chunks matched (grown here); `made`, the patients the
    import created (they match nothing: the file is matched with what was stored before).
    """
    mrns = {p.result.medical_record_number for p in parsed_rows}
    file_mrns = mrns if file_mrns is None else file_mrns
    claimed = set() if claimed is None else claimed
    by_mrn = {
        patient.medical_record_number: patient
        for patient in Patient.objects.filter(
            hospital=hospital, medical_record_number__in=mrns
        ).select_related("customer")
    }
    matches: dict[int, Patient] = {}
    unmatched = []
    for index, parsed in enumerate(parsed_rows):
        patient = by_mrn.get(parsed.result.medical_record_number)
        if patient is not None:
            matches[index] = patient
        elif parsed.phones:
            unmatched.append(index)
    phones = {parsed_rows[index].phones[0] for index in unmatched}
    by_phone: dict[tuple[str, str], Patient] = {}
    if phones:
        for patient in (
            Patient.objects.filter(hospital=hospital, customer__phone__in=phones)
            .select_related("customer")
            .order_by("pk")
        ):
            if patient.pk not in made:
                by_phone.setdefault((str(patient.customer.phone), patient.customer.name), patient)
    claimed.update(patient.pk for patient in matches.values())
    for index in unmatched:
        parsed = parsed_rows[index]
        patient = by_phone.get((parsed.phones[0], parsed.name))
        # One stored patient answers for one row at most: the rest are new people. A patient
        # whose 住院号 a row of the file has is that row's.
        if (
            patient is not None
            and patient.pk not in claimed
            and patient.medical_record_number not in file_mrns
        ):
            matches[index] = patient
            claimed.add(patient.pk)
    return matches


# --- The import -------------------------------------------------------------------------------


def discharge_plan(plan: FollowUpPlan | None = None) -> FollowUpPlan:
    """The plan of imported discharge cases.

    The rule: the plan the admin chose, else the active plan whose steps use a script made
    for discharge follow-up, else the active plan named for discharges (出院 / discharge);
    among several, the oldest.
    """
    if plan is not None:
        return plan
    active = FollowUpPlan.objects.filter(is_active=True).order_by("pk")
    found = (
        active.filter(steps__script__case_kind=CaseKind.DISCHARGE).first()
        or active.filter(Q(name__contains="出院") | Q(name__icontains="discharge")).first()
    )
    if found is None:
        raise ImportFileError(
            _("No active discharge follow-up plan: create one or choose the plan to use.")
        )
    return found


def resolve_hospital(code: str | None) -> Hospital:
    if code:
        hospital = Hospital.objects.filter(code=code).first()
        if hospital is None:
            raise ImportFileError(_("No hospital has the code %(code)s.") % {"code": code})
        return hospital
    hospitals = list(Hospital.objects.all()[:2])
    if len(hospitals) != 1:
        raise ImportFileError(_("Say which hospital the file is from (its code)."))
    return hospitals[0]


def import_patients(
    *,
    file: IO[bytes],
    filename: str,
    actor,
    hospital: Hospital,
    dry_run: bool,
    plan: FollowUpPlan | None = None,
) -> ImportReport:
    """Check every row and, unless `dry_run` or a row is refused, write them all in one
    transaction: one refused row anywhere and nothing is written."""
    rows = read_rows(file, filename)
    departments = {}
    for department in Department.objects.filter(hospital=hospital):
        departments[department.name] = department
        departments[department.code.lower()] = department
    parsed_rows = [_check_row(values, row, departments) for row, values in enumerate(rows, 2)]
    _refuse_duplicates(parsed_rows)
    plan = discharge_plan(plan)
    report = ImportReport(dry_run=dry_run, rows=[parsed.result for parsed in parsed_rows])
    checked = [p for p in parsed_rows if p.result.outcome != Outcome.REFUSED]
    try:
        with transaction.atomic():
            known = _known_patients(hospital, checked)
            changes = _plan_changes(checked, known)
            if not dry_run and not report.refused:
                _write(
                    hospital=hospital,
                    plan=plan,
                    checked=checked,
                    known=known,
                    changes=changes,
                    actor=actor,
                )
                report.committed = True
            audit.record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=hospital,
                dry_run=dry_run,
                committed=report.committed,
                rows=len(report.rows),
                **report.counts,
            )
    except IntegrityError as error:
        # Another import wrote some of the same patients meanwhile: nothing of this one is kept.
        raise ImportFileError(
            _("Another import changed the same patients at the same time; run this one again.")
        ) from error
    return report


def _refuse_duplicates(parsed_rows: list[ParsedRow]) -> None:
    first_row: dict[str, int] = {}
    for parsed in parsed_rows:
        mrn = parsed.result.medical_record_number
        if not mrn:
            continue
        if mrn in first_row:
            parsed.result.refuse(
                _("Duplicate: the same 住院号 as row %(row)s.") % {"row": first_row[mrn]}
            )
        else:
            first_row[mrn] = parsed.result.row


@dataclass
class _Change:
    customer: dict
    patient: dict


def _plan_changes(checked: list[ParsedRow], known: dict[int, Patient]) -> dict[int, _Change]:
    """What would change for each row matching a stored patient; sets each row's outcome."""
    changes = {}
    for index, parsed in enumerate(checked):
        patient = known.get(index)
        if patient is None:
            parsed.result.outcome = Outcome.CREATED
            continue
        change = _Change(
            customer=_differences(patient.customer, _customer_values(parsed)),
            patient=_differences(patient, _patient_values(parsed)),
        )
        if change.customer or change.patient:
            parsed.result.outcome = Outcome.UPDATED
            changes[index] = change
        else:
            parsed.result.outcome = Outcome.UNCHANGED
    return changes


def _write(
    *,
    hospital: Hospital,
    plan: FollowUpPlan,
    checked: list[ParsedRow],
    known: dict[int, Patient],
    changes: dict[int, _Change],
    actor,
) -> list[Patient]:
    """Write the rows; returns the patients it created."""
    new = [parsed for index, parsed in enumerate(checked) if index not in known]
    customers = Customer.objects.bulk_create(
        [Customer(**_customer_values(parsed)) for parsed in new], batch_size=2000
    )
    patients = Patient.objects.bulk_create(
        [
            Patient(customer=customer, hospital=hospital, **_patient_values(parsed))
            for customer, parsed in zip(customers, new, strict=True)
        ],
        batch_size=2000,
    )
    _update_known(known, changes)
    # A new number for a known patient resumes the calls held for a wrong or missing one.
    now = timezone.now()
    for index, change in changes.items():
        if "phone" in change.customer:
            people.resume_after_number_fix(customer=known[index].customer, by=actor, now=now)
    # A stored patient whose discharge is later than every discharge case they have came
    # back for a new stay: that stay gets its own follow-up, like a new patient's.
    readmitted = _readmitted(known, changes)
    _open_discharge_cases(plan=plan, patients=[*patients, *readmitted])
    return patients


def _update_known(known: dict[int, Patient], changes: dict[int, _Change]) -> None:
    customer_fields, patient_fields = set(), set()
    customers, patients = [], []
    for index, change in changes.items():
        patient = known[index]
        for key, value in change.customer.items():
            setattr(patient.customer, key, value)
            customer_fields.add(key)
        for key, value in change.patient.items():
            setattr(patient, key, value)
            patient_fields.add(key)
        if change.customer:
            customers.append(patient.customer)
        if change.patient:
            patients.append(patient)
    if customers:
        Customer.objects.bulk_update(customers, sorted(customer_fields), batch_size=2000)
    if patients:
        Patient.objects.bulk_update(patients, sorted(patient_fields), batch_size=2000)


def _readmitted(known: dict[int, Patient], changes: dict[int, _Change]) -> list[Patient]:
    moved = [known[index] for index, change in changes.items() if "discharged_on" in change.patient]
    if not moved:
        return []
    last_anchor = dict(
        Case.objects.filter(patient__in=moved, kind=CaseKind.DISCHARGE)
        .values_list("patient_id")
        .annotate(last=Max("anchor_date"))
    )
    return [
        patient
        for patient in moved
        if patient.discharged_on
        and (patient.pk not in last_anchor or patient.discharged_on > last_anchor[patient.pk])
    ]


def _open_discharge_cases(*, plan: FollowUpPlan, patients: list[Patient]) -> None:
    """Discharge cases for the patients, with the tasks their plan yields.

    open_case makes a case and its tasks in a dozen queries; ten thousand of them would take
    minutes. Here the cases and their tasks are inserted in two bulk statements, each task
    built the way sync_case_tasks builds it: the same due dates (scheduling.due_dates), the
    same first calling moment and deadline (cases.planned_task). Imported customers have no
    timezone of their own, so the plan's policy rules apply as they are, and a discharge case
    has no intent class, so it gets no routine call. tests/imports/test_import_service.py
    checks that the tasks equal those open_case makes.
    """
    plan = (
        FollowUpPlan.objects.select_related("calling_policy")
        .prefetch_related(
            "steps",
            Prefetch(
                "calling_policy__windows", queryset=CallingWindow.objects.order_by("starts_at")
            ),
            "calling_policy__holiday_overrides",
        )
        .get(pk=plan.pk)
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                customer=patient.customer,
                patient=patient,
                kind=CaseKind.DISCHARGE,
                anchor_date=patient.discharged_on,
                plan=plan,
            )
            for patient in patients
        ],
        batch_size=2000,
    )
    steps = list(plan.steps.all())
    rules = calling_rules(plan.calling_policy)
    tasks = []
    for case in cases:
        dues = due_dates(case.anchor_date, [step.offset_days for step in steps])
        # The stated preferred slot picks the half of the day of the first calls; a
        # returning patient's earlier calls are not read here (a query per row).
        half = best_time(record=ReachRecord(), stated=case.customer.preferred_slot).half
        tasks.extend(
            planned_task(case, step, due, rules, half)
            for step, due in zip(steps, dues, strict=True)
        )
    FollowUpTask.objects.bulk_create(tasks, batch_size=5000)
