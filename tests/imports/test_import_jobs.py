"""Imports run by the worker (services/import_jobs.py, services/import_stream.py): the same
report as the import in the request, progress as they go, all or nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction

from followups.models import (
    AuditAction,
    AuditEvent,
    Case,
    Customer,
    FollowUpTask,
    ImportJob,
    ImportPhase,
    Patient,
)
from followups.services import import_jobs, import_stream
from followups.services.import_staging import StagedImport
from followups.services.imports import import_patients
from tests.factories import UserFactory
from tests.imports.conftest import HEADER, csv_file, row, xlsx_file

pytestmark = pytest.mark.django_db

ENGLISH = "mrn name gender phones department doctor diagnosis admitted_on discharged_on sensitive"


class _Undo(Exception):
    pass


def synchronous(hospital, rows, *, dry_run, maker=csv_file, name="list.csv", header=HEADER):
    """What the import in the request reports for `rows`, nothing of it kept."""
    try:
        with transaction.atomic():
            report = import_patients(
                file=maker(rows, header=header),
                filename=name,
                actor=None,
                hospital=hospital,
                dry_run=dry_run,
            )
            raise _Undo
    except _Undo:
        pass
    return report.as_dict()


def upload(rows, *, maker=csv_file, name="list.csv", header=HEADER):
    return SimpleUploadedFile(name, maker(rows, header=header).getvalue())


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """An import job of `rows`, run as the worker runs it (eagerly, once it has committed)."""

    def run(hospital, rows, *, dry_run, actor=None, **file):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_jobs.start_import(
                upload=upload(rows, **file),
                hospital=hospital,
                plan=None,
                dry_run=dry_run,
                actor=actor,
            )
        job.refresh_from_db()
        return job

    return run


def as_synchronous(job) -> dict:
    report = job.report_dict()
    assert (report.pop("every_row"), report.pop("unlisted")) == (True, 0)
    return report


def xlsx_row(**values):
    cells = row(**values)
    cells[7] = dt.datetime.fromisoformat(cells[7])
    cells[8] = dt.datetime.fromisoformat(cells[8]) + dt.timedelta(hours=9)
    return cells


FILES = {
    "a dry run with refused rows": (
        [row(mrn="ZY1"), row(mrn="", name="王伟"), row(mrn="ZY3", phones="123")],
        True,
    ),
    "duplicates": ([row(mrn="ZY1"), row(mrn="ZY2"), row(mrn="ZY1")], True),
    "a bad row in the middle of a commit": (
        [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in (1, 2)]
        + [row(mrn="ZY3", discharged="2026-02-30")]
        + [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in (4, 5)],
        False,
    ),
    "a clean commit": (
        [
            row(mrn="ZY1", phones="13812345678/0571-87654321", sensitive="是"),
            row(mrn="ZY2", name="欧阳建国", gender="男", phones="13900001111", department="骨科"),
        ],
        False,
    ),
    "a third phone number": ([row(mrn="ZY1", phones="13900001111;13900002222;13900003333")], False),
    "every kind of refusal": (
        [
            row(mrn="ZY1", admitted="2026-13-01"),
            row(mrn="ZY2", discharged=""),
            row(mrn="ZY3", admitted="2026-11-12"),
            row(mrn="ZY4", department="眼科"),
            row(mrn="ZY5", sensitive="也许", gender="X"),
            row(mrn="ZY6", name=""),
            row(mrn="ZY7" * 20),
        ],
        True,
    ),
}


@pytest.mark.parametrize("maker", [csv_file, xlsx_file])
@pytest.mark.parametrize("case", FILES)
def test_the_job_reports_what_the_import_in_the_request_reports(
    run_job, hospital, discharge_plan, case, maker
):
    rows, dry_run = FILES[case]
    name = "list.csv" if maker is csv_file else "list.xlsx"
    expected = synchronous(hospital, rows, dry_run=dry_run, maker=maker, name=name)

    job = run_job(hospital, rows, dry_run=dry_run, maker=maker, name=name)

    assert as_synchronous(job) == expected
    assert job.counts == expected["counts"]
    assert job.committed is expected["committed"]
    assert job.status == ("done" if dry_run or expected["committed"] else "failed")


def test_an_xlsx_with_english_headers_and_date_cells_reports_the_same(
    run_job, hospital, discharge_plan
):
    header = ENGLISH.split()
    rows = [xlsx_row(mrn=20260001), xlsx_row(mrn="ZY2", phones=13900001111)]
    expected = synchronous(
        hospital, rows, dry_run=False, maker=xlsx_file, name="l.xlsx", header=header
    )
    job = run_job(hospital, rows, dry_run=False, maker=xlsx_file, name="l.xlsx", header=header)
    assert as_synchronous(job) == expected
    assert job.committed
    patient = Patient.objects.get(medical_record_number="20260001")
    assert patient.discharged_on == dt.date(2026, 11, 10)


@pytest.fixture
def on_file(hospital, discharge_plan):
    """Patients stored by an earlier import: ZY1 (13812345678) and ZY2 (13900001111)."""
    import_patients(
        file=csv_file([row(mrn="ZY1"), row(mrn="ZY2", name="王伟", phones="13900001111")]),
        filename="earlier.csv",
        actor=None,
        hospital=hospital,
        dry_run=False,
    )


AGAIN = {
    "the same file": [row(mrn="ZY1"), row(mrn="ZY2", name="王伟", phones="13900001111")],
    "a changed row": [row(mrn="ZY1", diagnosis="稳定型心绞痛", phones="13999998888")],
    "a readmission under a new number": [
        row(mrn="ZY9", admitted="2026-12-01", discharged="2026-12-05")
    ],
    # ZY1's number and name on a row with a new 住院号, and ZY1 itself further down: the
    # stored patient is ZY1's row's; the first row is a new person.
    "a number whose 住院号 comes later": [
        row(mrn="ZY9"),
        row(mrn="ZY8", phones="13700000000", name="张三"),
        row(mrn="ZY7", phones="13700000001", name="张四"),
        row(mrn="ZY1", phones="13811112222"),
    ],
    # Two new 住院号 with ZY2's number and name: the first is ZY2 come back, the second new.
    "one stored patient for two rows": [
        row(mrn="ZY5", name="王伟", phones="13900001111", discharged="2026-12-20"),
        row(mrn="ZY6", name="王伟", phones="13900001111", discharged="2026-12-21"),
    ],
    # Two new people with one number and name: both new, whichever chunk they are in.
    "two new people with one number": [
        row(mrn="ZY5", name="赵六", phones="13600000000"),
        row(mrn="ZY6", name="赵六", phones="13600000000"),
    ],
}


@pytest.mark.parametrize("chunk", [1, 2, 2000])
@pytest.mark.parametrize("case", AGAIN)
def test_matching_the_stored_patients_chunk_by_chunk_is_the_same(
    run_job, hospital, discharge_plan, on_file, monkeypatch, case, chunk
):
    monkeypatch.setattr(import_stream, "CHUNK_ROWS", chunk)
    rows = AGAIN[case]
    expected = synchronous(hospital, rows, dry_run=False)
    kept = _stored()
    assert as_synchronous(run_job(hospital, rows, dry_run=True)) == {
        **expected,
        "dry_run": True,
        "committed": False,
    }
    assert _stored() == kept

    job = run_job(hospital, rows, dry_run=False)

    assert as_synchronous(job) == expected
    # And what it wrote is what the import in the request writes.
    written = _stored()
    import_patients(
        file=csv_file(rows), filename="x.csv", actor=None, hospital=hospital, dry_run=False
    )
    assert _stored() == written  # the same file again: nothing more to write


def _stored():
    return (
        sorted(
            Patient.objects.values_list(
                "medical_record_number", "customer__name", "customer__phone", "discharged_on"
            )
        ),
        Case.objects.count(),
        FollowUpTask.objects.count(),
    )


def test_a_job_writes_what_the_import_in_the_request_writes(
    run_job, hospital, discharge_plan, on_file, monkeypatch
):
    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 1)
    rows = AGAIN["a number whose 住院号 comes later"] + AGAIN["one stored patient for two rows"]
    with transaction.atomic():
        import_patients(
            file=csv_file(rows), filename="x.csv", actor=None, hospital=hospital, dry_run=False
        )
        by_request = _stored(), _tasks()
        transaction.set_rollback(True)
    run_job(hospital, rows, dry_run=False)
    assert (_stored(), _tasks()) == by_request


def _tasks():
    return sorted(
        FollowUpTask.objects.values_list(
            "case__patient__medical_record_number", "due_date", "earliest_at", "max_attempts"
        )
    )


def test_progress_moves_chunk_by_chunk(run_job, hospital, discharge_plan, monkeypatch):
    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 2)
    told, seen = [], []
    tell = import_jobs._ProgressWriter.tell

    def spy(writer, progress):
        tell(writer, progress)
        told.append((progress.phase, progress.rows_checked, progress.rows_done))
        if progress.phase != ImportPhase.WRITING:
            job = ImportJob.objects.get(pk=writer.job_id)
            seen.append((job.status, job.phase, job.rows_checked, job.rows_done, job.percent))

    monkeypatch.setattr(import_jobs._ProgressWriter, "tell", spy)
    rows = [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in range(1, 8)]

    job = run_job(hospital, rows, dry_run=True)

    assert told == [
        ("checking", 0, 0),
        ("checking", 2, 0),
        ("checking", 4, 0),
        ("checking", 6, 0),
        ("checking", 7, 0),
        ("matching", 7, 0),
        ("matching", 7, 2),
        ("matching", 7, 4),
        ("matching", 7, 6),
        ("matching", 7, 7),
    ]
    percents = [percent for *_, percent in seen]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 99
    assert {status for status, *_ in seen} == {"running"}
    assert (job.status, job.percent, job.rows_total, job.rows_checked, job.rows_done) == (
        "done",
        100,
        7,
        7,
        7,
    )


def test_a_refused_row_in_a_commit_writes_nothing_and_the_job_names_it(
    run_job, hospital, discharge_plan, staging
):
    rows = [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in range(1, 6)]
    rows[3] = row(mrn="ZY4", department="眼科")

    job = run_job(hospital, rows, dry_run=False)

    assert (job.status, job.committed) == ("failed", False)
    assert job.error == "Nothing was written: correct the refused rows and import the file again."
    assert job.refused_rows == [
        {
            "row": 5,
            "medical_record_number": "ZY4",
            "outcome": "refused",
            "reasons": ["Unknown department (科室): add it first or correct the name."],
        }
    ]
    assert job.counts == {"created": 4, "updated": 0, "unchanged": 0, "refused": 1}
    assert (Patient.objects.count(), Customer.objects.count(), Case.objects.count()) == (0, 0, 0)
    assert job.staged_file == "" and list(staging.iterdir()) == []


def test_a_failure_part_way_fails_the_job_and_writes_nothing(
    run_job, hospital, discharge_plan, staging, monkeypatch
):
    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 2)
    write = import_stream._write
    calls = []

    def breaks_on_the_second_chunk(**kwargs):
        calls.append(len(kwargs["checked"]))
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return write(**kwargs)

    monkeypatch.setattr(import_stream, "_write", breaks_on_the_second_chunk)
    rows = [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in range(1, 6)]

    job = run_job(hospital, rows, dry_run=False)

    assert calls == [2, 2]  # the first chunk was written, then undone
    assert (job.status, job.committed) == ("failed", False)
    assert job.error.startswith("The import stopped part way and nothing was written.")
    assert "disk" not in job.error
    assert job.finished_at is not None
    counts = (Customer, Patient, Case, FollowUpTask)
    assert [model.objects.count() for model in counts] == [0, 0, 0, 0]
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()
    assert list(staging.iterdir()) == []


def test_a_file_that_is_not_a_discharge_list_fails_the_job(run_job, hospital, discharge_plan):
    job = run_job(hospital, [row()[:8]], dry_run=True, header=HEADER[:8])
    assert job.status == "failed"
    assert job.error == "Columns missing: 出院日期 (discharged_on)."
    assert job.report == {}
    assert job.report_dict()["rows"] == []


def test_each_job_is_audited_with_its_counts(run_job, hospital, discharge_plan, admin_user):
    job = run_job(hospital, [row(mrn="ZY1")], dry_run=True, actor=admin_user)
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == admin_user
    assert event.detail == {
        "dry_run": True,
        "committed": False,
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
        "job": job.pk,
    }


def test_a_job_runs_once(run_job, hospital, discharge_plan):
    job = run_job(hospital, [row(mrn="ZY1")], dry_run=False)
    assert import_jobs.run(job_id=job.pk) is None  # a message delivered twice
    assert Patient.objects.count() == 1


def test_a_job_whose_file_is_gone_fails_saying_so(
    hospital, discharge_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = import_jobs.start_import(
            upload=upload([row()]), hospital=hospital, plan=None, dry_run=False, actor=None
        )
    StagedImport.of(job).path.unlink()
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "The file is no longer kept (files wait 24 hours at most): upload it again."


def test_a_worker_out_of_reach_fails_the_job_not_the_request(
    hospital, discharge_plan, django_capture_on_commit_callbacks, monkeypatch, staging
):
    from followups import tasks

    def unreachable(*args):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.run_import_job_task, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.start_import(
            upload=upload([row()]), hospital=hospital, plan=None, dry_run=False, actor=None
        )
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "The import did not start: the background worker cannot be reached."
    assert list(staging.iterdir()) == []


def test_a_long_file_lists_only_the_rows_with_a_reason(
    run_job, hospital, discharge_plan, monkeypatch
):
    monkeypatch.setattr(import_stream, "EVERY_ROW_UP_TO", 3)
    monkeypatch.setattr(import_stream, "LISTED_ROWS", 2)
    rows = [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in range(1, 7)]
    rows[1] = row(mrn="ZY2", phones="13900001111;13900002222;13900003333")
    rows[3] = row(mrn="ZY4", department="眼科")
    rows[5] = row(mrn="")

    job = run_job(hospital, rows, dry_run=True)

    report = job.report_dict()
    assert (report["every_row"], report["unlisted"], report["total"]) == (False, 1, 6)
    # The refused rows first; the row with a note has no room left.
    assert [(r["row"], r["outcome"]) for r in report["rows"]] == [(5, "refused"), (7, "refused")]
    assert job.counts == {"created": 4, "updated": 0, "unchanged": 0, "refused": 2}


@pytest.mark.django_db(transaction=True)
def test_the_progress_of_a_commit_shows_while_nothing_is_written_yet(
    postgres, hospital, discharge_plan, monkeypatch, django_capture_on_commit_callbacks
):
    """The commit's writes are one transaction: its progress goes out on a connection of its
    own, and is seen from elsewhere while the patients are not."""
    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 2)
    outside = connections.create_connection("default")
    seen = []
    tell = import_jobs._ProgressWriter.tell

    def spy(writer, progress):
        tell(writer, progress)
        if progress.phase == ImportPhase.WRITING:
            with outside.cursor() as cursor:
                cursor.execute(
                    "SELECT phase, rows_done FROM followups_importjob WHERE id = %s",
                    [writer.job_id],
                )
                job = cursor.fetchone()
                cursor.execute("SELECT count(*) FROM followups_patient")
                seen.append((*job, cursor.fetchone()[0]))

    monkeypatch.setattr(import_jobs._ProgressWriter, "tell", spy)
    rows = [row(mrn=f"ZY{n}", phones=f"1381234{n:04d}") for n in range(1, 6)]
    try:
        job = import_jobs.start_import(
            upload=upload(rows), hospital=hospital, plan=None, dry_run=False, actor=None
        )
        job.refresh_from_db()
    finally:
        outside.close()

    assert seen == [("writing", 0, 0), ("writing", 2, 0), ("writing", 4, 0), ("writing", 5, 0)]
    assert (job.status, job.rows_done, Patient.objects.count()) == ("done", 5, 5)


def test_a_job_is_made_for_its_admin_in_their_language(hospital, discharge_plan):
    from django.utils import translation

    user = UserFactory(role="admin")
    with translation.override("zh-hans"):
        job = import_jobs.start_import(
            upload=upload([row()]), hospital=hospital, plan=None, dry_run=True, actor=user
        )
    assert (job.language, job.created_by, job.file_name, job.status) == (
        "zh-hans",
        user,
        "list.csv",
        "queued",
    )


def test_the_only_hospital_is_chosen_on_the_import_form(hospital):
    from followups.forms import PatientImportForm

    assert PatientImportForm().fields["hospital"].initial == hospital.code
