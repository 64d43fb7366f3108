"""Importing a hospital's discharge list (CSV or XLSX): a dry-run report per row, then an
all-or-nothing commit that creates patients and their discharge cases in bulk.

A re-import of the same file changes nothing: rows are matched on the inpatient number
(住院号) within the hospital, and failing that on the phone number with the same name.

Reading the file and checking one row are in services/import_rows.py; the run, the matching
with stored patients, the writes and the report are here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from followups import clock
from followups.models import (
    AuditAction,
    CallingWindow,
    Case,
    CaseKind,
    Customer,
    FollowUpPlan,
    FollowUpTask,
    Hospital,
    Patient,
)
from followups.scheduling import ReachRecord, best_time
from followups.selectors.policies import calling_rules
from followups.services import audit, people
from followups.services.cases import new_occurrences, planned_task
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
    departments_by_name,
    read_rows,
    refuse_repeat,
)
from followups.services.plan_rules import DischargePlans, discharge_plans

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

    @property
    def total(self) -> int:
        return len(self.rows)

    def as_dict(self) -> dict:
        return summary(self)


def summary(report) -> dict:
    """An import's report (ImportReport or import_stream's StreamedReport) as the API and the
    import jobs keep it."""
    return {
        "dry_run": report.dry_run,
        "committed": report.committed,
        "total": report.total,
        "counts": report.counts,
        "rows": [result.as_dict() for result in report.rows],
    }


def audit_import(report, *, actor, hospital: Hospital, **detail) -> None:
    """The import in the audit trail: how it ended and its counts, never a row."""
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        target=hospital,
        dry_run=report.dry_run,
        committed=report.committed,
        rows=report.total,
        **report.counts,
        **detail,
    )


@contextmanager
def refused_if_raced() -> Iterator[None]:
    """Around an import's writes: when another import wrote some of the same patients
    meanwhile, nothing of this one is kept and the person is told to run it again."""
    try:
        yield
    except IntegrityError as error:
        raise ImportFileError(
            _("Another import changed the same patients at the same time; run this one again.")
        ) from error


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


def discharge_plan(plan: FollowUpPlan | None = None, *, hospital: Hospital) -> DischargePlans:
    """The plans of imported discharge cases, department by department: the plan the admin
    chose for the import, else the plan rules' choice for discharges of each department
    (services/plan_rules.py). A row of a department no rule covers is refused."""
    return discharge_plans(hospital=hospital, chosen=plan)


def refuse_uncovered(parsed: ParsedRow, plans: DischargePlans) -> None:
    """Refuse a row whose department no plan covers: it would open a case without calls."""
    if parsed.result.outcome == Outcome.REFUSED or parsed.department is None:
        return
    reason = plans.uncovered(parsed.department)
    if reason:
        parsed.result.refuse(reason)


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
    departments = departments_by_name(hospital)
    parsed_rows = [_check_row(values, row, departments) for row, values in enumerate(rows, 2)]
    _refuse_duplicates(parsed_rows)
    plan = discharge_plan(plan, hospital=hospital)
    for parsed in parsed_rows:
        refuse_uncovered(parsed, plan)
    report = ImportReport(dry_run=dry_run, rows=[parsed.result for parsed in parsed_rows])
    checked = [p for p in parsed_rows if p.result.outcome != Outcome.REFUSED]
    with refused_if_raced(), transaction.atomic():
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
        audit_import(report, actor=actor, hospital=hospital)
    return report


def _refuse_duplicates(parsed_rows: list[ParsedRow]) -> None:
    first_row: dict[str, int] = {}
    for parsed in parsed_rows:
        refuse_repeat(parsed.result, first_row)


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
    plan: DischargePlans,
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


def _open_discharge_cases(*, plan: DischargePlans, patients: list[Patient]) -> None:
    """Discharge cases for the patients, each with the plan its department's rule (or the
    admin) chose, and the tasks the plan yields.

    open_case makes a case and its tasks in a dozen queries; ten thousand of them would take
    minutes. Here the cases and their tasks are inserted in two bulk statements, each task
    built the way sync_case_tasks builds it: the same calls (cases.new_occurrences), the
    same first calling moment and deadline (cases.planned_task). Imported customers have no
    timezone of their own, so the plan's policy rules apply as they are, and a discharge case
    has no intent class, so it gets no routine call. tests/imports/test_import_service.py
    checks that the tasks equal those open_case makes.
    """
    picks = {patient.pk: plan.pick(patient.department) for patient in patients}
    plans = {
        found.pk: found
        for found in FollowUpPlan.objects.select_related("calling_policy")
        .prefetch_related(
            "steps",
            Prefetch(
                "calling_policy__windows", queryset=CallingWindow.objects.order_by("starts_at")
            ),
            "calling_policy__holiday_overrides",
        )
        .filter(pk__in={pick.plan.pk for pick in picks.values() if pick.plan})
    }
    cases = Case.objects.bulk_create(
        [
            Case(
                customer=patient.customer,
                patient=patient,
                kind=CaseKind.DISCHARGE,
                anchor_date=patient.discharged_on,
                plan=plans[picks[patient.pk].plan.pk],
                plan_rule=picks[patient.pk].rule,
                plan_chosen_by=picks[patient.pk].chosen_by,
            )
            for patient in patients
            if picks[patient.pk].plan is not None
        ],
        batch_size=2000,
    )
    rules = {pk: calling_rules(found.calling_policy) for pk, found in plans.items()}
    today = clock.today()
    tasks = []
    for case in cases:
        # The stated preferred slot picks the half of the day of the first calls; a
        # returning patient's earlier calls are not read here (a query per row).
        half = best_time(record=ReachRecord(), stated=case.customer.preferred_slot).half
        for step in case.plan.steps.all():
            tasks.extend(
                planned_task(case, step, due, rules[case.plan_id], half, occurrence)
                for occurrence, due in new_occurrences(
                    case.anchor_date, step, made=0, waiting=0, today=today
                )
            )
    FollowUpTask.objects.bulk_create(tasks, batch_size=5000)
