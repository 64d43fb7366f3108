"""A checked upload waits for the confirmation a day at most, and only when it may be
committed (services/import_staging.py); the configuration page only calls the service."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followups.models import Patient
from followups.services import import_staging
from followups.services.imports import ImportFileError
from tests.imports.conftest import csv_file, row

pytestmark = pytest.mark.django_db


def upload(rows, name="List.CSV"):
    return SimpleUploadedFile(name, csv_file(rows).getvalue())


def waiting(staging) -> list[str]:
    return sorted(path.name for path in staging.iterdir()) if staging.is_dir() else []


def check(rows, hospital, admin_user, plan=None):
    return import_staging.check_upload(
        upload=upload(rows), hospital=hospital, plan=plan, actor=admin_user
    )


def test_a_clean_file_waits_under_a_random_name(staging, hospital, discharge_plan, admin_user):
    checked = check([row(mrn="ZY1")], hospital, admin_user, plan=discharge_plan)

    assert checked.report.counts["created"] == 1 and not checked.report.committed
    staged = checked.staged
    assert (staged.name, staged.hospital, staged.plan) == (
        "List.CSV",
        hospital.pk,
        discharge_plan.pk,
    )
    assert waiting(staging) == [staged.file]
    assert staged.file.endswith(".csv") and len(staged.file) == 32 + 4
    assert Patient.objects.count() == 0


def test_a_file_with_a_refused_row_is_not_kept(staging, hospital, discharge_plan, admin_user):
    checked = check([row(mrn="ZY1"), row(mrn="")], hospital, admin_user)
    assert checked.staged is None and checked.report.refused
    assert waiting(staging) == []


def test_an_unreadable_file_is_not_kept(staging, hospital, discharge_plan, admin_user):
    with pytest.raises(ImportFileError):
        import_staging.check_upload(
            upload=SimpleUploadedFile("scan.png", b"\x89PNG"),
            hospital=hospital,
            plan=None,
            actor=admin_user,
        )
    assert waiting(staging) == []


def test_the_confirmation_commits_once_and_forgets_the_file(
    staging, hospital, discharge_plan, admin_user
):
    staged = check([row(mrn="ZY1")], hospital, admin_user).staged
    session = staged.as_session()

    report = import_staging.confirm_upload(
        staged=import_staging.StagedImport.from_session(session), actor=admin_user
    )

    assert report.committed and Patient.objects.count() == 1
    assert waiting(staging) == []
    with pytest.raises(import_staging.StagedImportGone):
        import_staging.confirm_upload(staged=staged, actor=admin_user)


def test_a_session_names_a_file_never_a_path(staging):
    staged = import_staging.StagedImport.from_session(
        {"file": "../../settings.py", "name": "x.csv", "hospital": 1, "plan": None}
    )
    assert staged.path == staging / "settings.py"


def test_checked_files_are_kept_a_day_at_most(staging, hospital, discharge_plan, admin_user):
    old = check([row(mrn="ZY1")], hospital, admin_user).staged
    recent = check([row(mrn="ZY2")], hospital, admin_user).staged
    a_day_ago = time.time() - import_staging.RETENTION.total_seconds()
    os.utime(old.path, (a_day_ago - 60, a_day_ago - 60))
    os.utime(recent.path, (a_day_ago + 60, a_day_ago + 60))

    assert import_staging.forget_stale_uploads() == 1
    assert waiting(staging) == [recent.file]
    # Confirming a file kept too long finds nothing, and commits nothing.
    with pytest.raises(import_staging.StagedImportGone):
        import_staging.confirm_upload(staged=old, actor=admin_user)
    assert Patient.objects.count() == 0


def test_a_new_check_forgets_the_stale_files(staging, hospital, discharge_plan, admin_user):
    old = check([row(mrn="ZY1")], hospital, admin_user).staged
    os.utime(old.path, (0, 0))
    new = check([row(mrn="ZY2")], hospital, admin_user).staged
    assert waiting(staging) == [new.file]


# --- The page ---------------------------------------------------------------------------------


def post_check(client, rows):
    return client.post(
        reverse("config:imports"),
        {"file": upload(rows, name="list.csv"), "hospital": "demo"},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_page_keeps_one_checked_file_per_session(
    client, admin_user, hospital, discharge_plan, staging
):
    client.force_login(admin_user)
    post_check(client, [row(mrn="ZY1")])
    first = client.session["pending_import"]["file"]
    post_check(client, [row(mrn="ZY2")])
    second = client.session["pending_import"]["file"]

    assert first != second
    assert waiting(staging) == [second]  # the first can no longer be confirmed: forgotten
    post_check(client, [row(mrn="")])  # refused: nothing waits any more
    assert "pending_import" not in client.session
    assert waiting(staging) == []


def test_the_page_asks_again_for_a_file_kept_too_long(
    client, admin_user, hospital, discharge_plan, staging
):
    client.force_login(admin_user)
    post_check(client, [row(mrn="ZY1")])
    (staging / client.session["pending_import"]["file"]).unlink()

    response = client.post(reverse("config:import_confirm"), HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert response.redirect_chain == [(reverse("config:imports"), 302)]
    assert "No checked file is waiting: upload it again." in response.content.decode()
    assert Patient.objects.count() == 0
