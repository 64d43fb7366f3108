"""The import service: a dry-run report per row, all or nothing, and a re-import that changes
nothing; CSV and XLSX alike."""

import datetime as dt

import pytest
from django.utils import translation

from followups.models import AuditAction, AuditEvent, Case, Customer, FollowUpTask, Patient
from followups.services.imports import ImportFileError, import_patients
from tests.imports.conftest import HEADER, csv_file, row, xlsx_file

pytestmark = pytest.mark.django_db


def run(hospital, rows, *, dry_run=False, maker=csv_file, name="list.csv", **kwargs):
    return import_patients(
        file=maker(rows, **kwargs),
        filename=name,
        actor=None,
        hospital=hospital,
        dry_run=dry_run,
    )


def outcomes(report):
    return [(r.row, r.outcome) for r in report.rows]


def test_a_dry_run_reports_each_row_and_writes_nothing(hospital, discharge_plan):
    report = run(
        hospital,
        [row(mrn="ZY1"), row(mrn="", name="王伟"), row(mrn="ZY3", phones="123")],
        dry_run=True,
    )
    assert outcomes(report) == [(2, "created"), (3, "refused"), (4, "refused")]
    assert report.rows[1].reasons == ["The inpatient number (住院号) is missing."]
    assert report.rows[2].reasons == ["Phone number 1 (电话) is not a valid number."]
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "refused": 2}
    assert report.committed is False
    assert Patient.objects.count() == 0
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"admitted": "2026-13-01"}, "入院日期 (admitted_on) is not a date."),
        ({"discharged": "昨天"}, "出院日期 (discharged_on) is not a date."),
        ({"discharged": ""}, "The discharge date (出院日期) is missing."),
        (
            {"admitted": "2026-11-12", "discharged": "2026-11-10"},
            "The discharge date is before the admission date.",
        ),
        ({"department": "眼科"}, "Unknown department (科室): add it first or correct the name."),
        ({"sensitive": "也许"}, "Sensitive (敏感) must be 是 or 否."),
        ({"gender": "X"}, "Gender (性别) must be 男 or 女."),
        ({"name": ""}, "The name (姓名) is missing."),
        ({"phones": "13812345678;12345"}, "Phone number 2 (电话) is not a valid number."),
    ],
)
def test_it_refuses_a_bad_row_with_its_reason(hospital, discharge_plan, values, reason):
    report = run(hospital, [row(**values)], dry_run=True)
    assert report.rows[0].outcome == "refused"
    assert report.rows[0].reasons == [reason]


def test_a_duplicate_in_the_file_is_refused_naming_the_first_row(hospital, discharge_plan):
    report = run(hospital, [row(mrn="ZY1"), row(mrn="ZY2"), row(mrn="ZY1")], dry_run=True)
    assert outcomes(report) == [(2, "created"), (3, "created"), (4, "refused")]
    assert report.rows[2].reasons == ["Duplicate: the same 住院号 as row 2."]


def test_one_bad_row_in_the_middle_writes_nothing(hospital, discharge_plan):
    rows = [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in range(1, 6)]
    rows[2] = row(mrn="ZY3", discharged="2026-02-30")
    report = run(hospital, rows)
    assert report.committed is False
    assert [r.row for r in report.refused] == [4]
    assert Patient.objects.count() == 0
    assert Case.objects.count() == 0
    assert FollowUpTask.objects.count() == 0


def test_a_commit_creates_patients_and_discharge_cases_with_their_tasks(hospital, discharge_plan):
    report = run(
        hospital,
        [
            row(mrn="ZY1", phones="13812345678/0571-87654321", sensitive="是"),
            row(
                mrn="ZY2",
                name="欧阳建国",
                gender="男",
                phones="13900001111",
                department="orthopedics",
            ),
        ],
    )
    assert report.committed is True
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "refused": 0}
    first = Patient.objects.select_related("customer").get(medical_record_number="ZY1")
    assert (first.customer.name, first.customer.gender) == ("李秀英", "F")
    assert str(first.customer.phone) == "+8613812345678"
    assert str(first.customer.phone_secondary) == "+8657187654321"
    assert first.sensitive is True
    assert (first.admitted_on, first.discharged_on) == (dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    second = Patient.objects.get(medical_record_number="ZY2")
    assert second.department.code == "orthopedics"
    case = Case.objects.get(patient=first)
    assert (case.kind, case.anchor_date, case.plan) == (
        "discharge",
        dt.date(2026, 11, 10),
        discharge_plan,
    )
    assert list(case.tasks.order_by("due_date").values_list("due_date", flat=True)) == [
        dt.date(2026, 11, 13),
        dt.date(2026, 11, 17),
        dt.date(2026, 12, 10),
    ]
    # The first window of the due day, as the case service sets it (10:30 Shanghai).
    assert case.tasks.order_by("due_date").first().earliest_at.isoformat() == (
        "2026-11-13T02:30:00+00:00"
    )


def test_a_reimport_of_the_same_file_changes_nothing(hospital, discharge_plan):
    rows = [row(mrn="ZY1"), row(mrn="ZY2", phones="13900001111")]
    run(hospital, rows)
    before = (Customer.objects.count(), Case.objects.count(), FollowUpTask.objects.count())
    report = run(hospital, rows)
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}
    assert (Customer.objects.count(), Case.objects.count(), FollowUpTask.objects.count()) == (
        before
    )
    assert before == (2, 2, 6)


def test_a_changed_row_updates_the_patient_without_a_new_case(hospital, discharge_plan):
    run(hospital, [row(mrn="ZY1")])
    report = run(hospital, [row(mrn="ZY1", diagnosis="稳定型心绞痛", phones="13999998888")])
    assert report.counts["updated"] == 1
    patient = Patient.objects.select_related("customer").get()
    assert patient.diagnosis == "稳定型心绞痛"
    assert str(patient.customer.phone) == "+8613999998888"
    assert Case.objects.count() == 1


def test_a_readmission_under_a_new_number_matches_by_phone_and_opens_a_new_case(
    hospital, discharge_plan
):
    run(hospital, [row(mrn="ZY1")])
    report = run(hospital, [row(mrn="ZY9", admitted="2026-12-01", discharged="2026-12-05")])
    assert report.counts["updated"] == 1
    patient = Patient.objects.get()
    assert patient.medical_record_number == "ZY9"
    assert sorted(Case.objects.values_list("anchor_date", flat=True)) == [
        dt.date(2026, 11, 10),
        dt.date(2026, 12, 5),
    ]


def test_xlsx_with_english_headers_and_date_cells_imports_the_same(hospital, discharge_plan):
    header = (
        "mrn name gender phones department doctor diagnosis admitted_on discharged_on sensitive"
    ).split()
    values = row(mrn=20260001)
    values[7], values[8] = dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 10, 9, 30)
    values[3] = 13812345678
    report = run(hospital, [values], maker=xlsx_file, name="list.xlsx", header=header)
    assert report.committed is True
    patient = Patient.objects.select_related("customer").get()
    assert patient.medical_record_number == "20260001"
    assert patient.discharged_on == dt.date(2026, 11, 10)
    assert str(patient.customer.phone) == "+8613812345678"


def test_a_file_without_the_required_columns_is_refused_whole(hospital, discharge_plan):
    with pytest.raises(ImportFileError, match="Columns missing: 出院日期 \\(discharged_on\\)"):
        run(hospital, [row()[:8]], header=HEADER[:8])


def test_every_import_is_audited_with_counts_only(hospital, discharge_plan):
    run(hospital, [row(mrn="ZY1"), row(mrn="ZY2", phones="13900001111")], dry_run=True)
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.detail == {
        "dry_run": True,
        "committed": False,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
    }
    assert event.target_id == str(hospital.pk)


def test_imported_tasks_are_the_ones_the_case_service_makes(hospital, discharge_plan):
    from followups.models import CaseKind
    from followups.services.cases import open_case
    from tests.factories import CustomerFactory

    step = discharge_plan.steps.get(offset_days=30)
    step.deadline_days, step.max_attempts = 35, 5
    step.save()
    run(hospital, [row(mrn="ZY1", discharged="2026-12-29")])
    imported = Case.objects.get()
    by_service = open_case(
        customer=CustomerFactory(),
        kind=CaseKind.DISCHARGE,
        anchor_date=dt.date(2026, 12, 29),
        plan=discharge_plan,
    )
    fields = "step kind status due_date earliest_at deadline max_attempts agent attempts".split()
    assert list(imported.tasks.order_by("due_date").values_list(*fields)) == list(
        by_service.tasks.order_by("due_date").values_list(*fields)
    )


def test_a_third_phone_number_is_left_out_and_the_report_says_so(hospital, discharge_plan):
    with translation.override("en"):
        report = run(hospital, [row(mrn="ZY1", phones="13900001111;13900002222;13900003333")])

    (result,) = report.rows
    assert result.outcome == "created"  # a good row all the same
    assert result.reasons == ["Only the first 2 phone numbers are kept: 1 more left out."]
    assert "13900003333" not in " ".join(result.reasons)
    customer = Customer.objects.get()
    assert (str(customer.phone), str(customer.phone_secondary)) == (
        "+8613900001111",
        "+8613900002222",
    )


def test_a_new_number_in_an_import_resumes_the_calls_held_for_a_wrong_one(hospital, discharge_plan):
    from followups.models import AuditAction, AuditEvent, FollowUpTask, TaskStatus

    run(hospital, [row(mrn="ZY1")])
    patient = Patient.objects.get(medical_record_number="ZY1")
    held = FollowUpTask.objects.filter(case__patient=patient)
    held.update(status=TaskStatus.SUSPENDED, needs_number_fix=True)

    run(hospital, [row(mrn="ZY1", phones="13999998888")])

    assert set(held.values_list("status", "needs_number_fix")) == {(TaskStatus.PENDING, False)}
    assert AuditEvent.objects.get(action=AuditAction.NUMBER_FIXED).detail == {
        "resumed": held.count()
    }


@pytest.mark.parametrize(
    "written, kept",
    [
        ("+86 135 0000 1111", ("+8613500001111", None)),
        ("135 0000 1111", ("+8613500001111", None)),
        ("13500001111 13600002222", ("+8613500001111", "+8613600002222")),
        ("138 1234 5678；0571 8765 4321", ("+8613812345678", "+8657187654321")),
        ("13500001111 / +86 136 0000 2222", ("+8613500001111", "+8613600002222")),
    ],
)
def test_numbers_written_with_spaces_are_read_whole(hospital, discharge_plan, written, kept):
    report = run(hospital, [row(mrn="ZY1", phones=written)])
    (result,) = report.rows
    assert (result.outcome, result.reasons) == ("created", [])
    customer = Customer.objects.get()
    phones = (
        str(customer.phone),
        str(customer.phone_secondary) if customer.phone_secondary else None,
    )
    assert phones == kept


def test_digits_left_over_beside_a_number_are_refused(hospital, discharge_plan):
    with translation.override("en"):
        report = run(hospital, [row(mrn="ZY1", phones="13500001111 12")])
    (result,) = report.rows
    assert result.outcome == "refused"
    assert result.reasons == ["Phone number 2 (电话) is not a valid number."]
