"""A checked upload waits for the confirmation a day at most, and only when it may be
committed (services/import_staging.py, services/import_jobs.py); the configuration page only
calls the services."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followups.models import ImportJob, Patient
from followups.services import import_jobs, import_staging
from followups.services.imports import ImportFileError
from tests.factories import UserFactory
from tests.imports.conftest import csv_file, row

pytestmark = pytest.mark.django_db


def upload(rows, name="List.CSV"):
    return SimpleUploadedFile(name, csv_file(rows).getvalue())


def waiting(staging) -> list[str]:
    return sorted(path.name for path in staging.iterdir()) if staging.is_dir() else []


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """A check of `rows` as the page starts it, run by the worker (eagerly)."""

    def run(rows, hospital, actor, plan=None, file=None):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_jobs.start_check(
                upload=file or upload(rows), hospital=hospital, plan=plan, actor=actor
            )
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def run(job, actor):
        with django_capture_on_commit_callbacks(execute=True):
            commit = import_jobs.confirm(job=job, actor=actor)
        commit.refresh_from_db()
        return commit

    return run


def test_a_clean_file_waits_under_a_random_name(
    staging, hospital, discharge_plan, admin_user, check
):
    job = check([row(mrn="ZY1")], hospital, admin_user, plan=discharge_plan)

    assert (job.status, job.created, job.committed, job.dry_run) == ("done", 1, False, True)
    assert (job.file_name, job.hospital, job.plan) == ("List.CSV", hospital, discharge_plan)
    assert waiting(staging) == [job.staged_file]
    assert job.staged_file.endswith(".csv") and len(job.staged_file) == 32 + 4
    assert Patient.objects.count() == 0


def test_a_file_with_a_refused_row_is_not_kept(
    staging, hospital, discharge_plan, admin_user, check
):
    job = check([row(mrn="ZY1"), row(mrn="")], hospital, admin_user)
    assert job.refused == 1 and job.staged_file == ""
    assert waiting(staging) == []


def test_an_unreadable_file_is_not_kept(staging, hospital, discharge_plan, admin_user, check):
    with pytest.raises(ImportFileError):
        import_jobs.start_check(
            upload=SimpleUploadedFile("scan.png", b"\x89PNG"),
            hospital=hospital,
            plan=None,
            actor=admin_user,
        )
    assert waiting(staging) == []
    job = check(None, hospital, admin_user, file=SimpleUploadedFile("list.xlsx", b"\x89PNG"))
    assert (job.status, job.error) == ("failed", "This is not a readable XLSX workbook.")
    assert waiting(staging) == []


def test_the_confirmation_commits_once_and_forgets_the_file(
    staging, hospital, discharge_plan, admin_user, check, confirm
):
    job = check([row(mrn="ZY1")], hospital, admin_user)

    commit = confirm(job, admin_user)

    assert (commit.status, commit.committed, commit.dry_run) == ("done", True, False)
    assert commit.confirms == job and commit.file_name == "List.CSV"
    assert Patient.objects.count() == 1
    assert waiting(staging) == []
    with pytest.raises(import_staging.StagedImportGone):
        confirm(job, admin_user)
    assert ImportJob.objects.count() == 2


def test_only_the_admin_who_checked_a_file_confirms_it(
    hospital, discharge_plan, admin_user, check, confirm
):
    job = check([row(mrn="ZY1")], hospital, admin_user)
    with pytest.raises(import_jobs.ImportNotConfirmable, match="Only the admin who checked"):
        confirm(job, UserFactory(role="admin"))
    assert Patient.objects.count() == 0


def test_a_job_names_a_file_never_a_path(staging, hospital):
    job = ImportJob(staged_file="../../settings.py", file_name="x.csv", hospital=hospital)
    assert import_staging.StagedImport.of(job).path == staging / "settings.py"


def test_checked_files_are_kept_a_day_at_most(
    staging, hospital, discharge_plan, admin_user, check, confirm
):
    old = check([row(mrn="ZY1")], hospital, admin_user)
    other = UserFactory(role="admin")
    recent = check([row(mrn="ZY2")], hospital, other)
    a_day_ago = time.time() - import_staging.RETENTION.total_seconds()
    old_path = import_staging.StagedImport.of(old).path
    os.utime(old_path, (a_day_ago - 60, a_day_ago - 60))
    recent_path = import_staging.StagedImport.of(recent).path
    os.utime(recent_path, (a_day_ago + 60, a_day_ago + 60))

    assert import_staging.forget_stale_uploads() == 1
    assert waiting(staging) == [recent.staged_file]
    # Confirming a file kept too long finds nothing, and commits nothing.
    with pytest.raises(import_staging.StagedImportGone):
        confirm(old, admin_user)
    assert Patient.objects.count() == 0


def test_a_new_check_forgets_the_stale_files(staging, hospital, discharge_plan, admin_user, check):
    old = check([row(mrn="ZY1")], hospital, UserFactory(role="admin"))
    os.utime(import_staging.StagedImport.of(old).path, (0, 0))
    new = check([row(mrn="ZY2")], hospital, admin_user)
    assert waiting(staging) == [new.staged_file]


# --- The page ---------------------------------------------------------------------------------


def post_check(client, rows, capture):
    with capture(execute=True):
        return client.post(
            reverse("config:imports"),
            {"file": upload(rows, name="list.csv"), "hospital": "demo"},
            HTTP_ACCEPT_LANGUAGE="en",
        )


def test_the_page_keeps_one_checked_file_per_admin(
    client, admin_user, hospital, discharge_plan, staging, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    post_check(client, [row(mrn="ZY1")], django_capture_on_commit_callbacks)
    first = ImportJob.objects.get()
    post_check(client, [row(mrn="ZY2")], django_capture_on_commit_callbacks)
    second = ImportJob.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()

    assert first.staged_file == "" and second.staged_file
    assert waiting(staging) == [second.staged_file]  # the first can no longer be confirmed
    html = client.get(
        reverse("config:import_job", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "This file no longer waits for confirmation" in html
    assert "Confirm the import" not in html
    post_check(client, [row(mrn="")], django_capture_on_commit_callbacks)  # refused
    assert waiting(staging) == []


def test_the_page_asks_again_for_a_file_kept_too_long(
    client, admin_user, hospital, discharge_plan, staging, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    post_check(client, [row(mrn="ZY1")], django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    import_staging.StagedImport.of(job).path.unlink()

    response = client.post(
        reverse("config:import_job_confirm", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert response.redirect_chain == [(reverse("config:imports"), 302)]
    assert "No checked file is waiting: upload it again." in response.content.decode()
    assert Patient.objects.count() == 0


def test_the_page_lets_only_the_admin_who_checked_confirm(
    client, admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    post_check(client, [row(mrn="ZY1")], django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    client.force_login(UserFactory(role="admin"))
    page = client.get(reverse("config:import_job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Only the admin who checked a file can confirm it." in page.content.decode()
    assert "Confirm the import" not in page.content.decode()

    response = client.post(
        reverse("config:import_job_confirm", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert response.redirect_chain == [(reverse("config:import_job", args=[job.pk]), 302)]
    assert Patient.objects.count() == 0
