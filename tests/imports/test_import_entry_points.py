"""The same import through the command, the API and the configuration page."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from followups.models import Case, FollowUpTask, ImportJob, Patient
from tests.api.monday import token_client_for
from tests.imports.conftest import csv_file, row

pytestmark = pytest.mark.django_db


def write(tmp_path, rows, name="list.csv"):
    path = tmp_path / name
    path.write_bytes(csv_file(rows).getvalue())
    return path


def test_the_command_dry_run_prints_the_summary_and_refused_rows(
    tmp_path, hospital, discharge_plan
):
    path = write(tmp_path, [row(mrn="ZY1"), row(mrn="ZY2", department="眼科")])
    out = io.StringIO()
    call_command("import_patients", str(path), "--hospital", "demo", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "2 rows (dry run): 1 created, 0 updated, 0 unchanged, 1 refused.",
        "  row 3: Unknown department (科室): add it first or correct the name.",
    ]
    assert Patient.objects.count() == 0


def test_the_command_commits_a_clean_file(tmp_path, hospital, discharge_plan):
    path = write(tmp_path, [row(mrn="ZY1"), row(mrn="ZY2", phones="13900001111")])
    out = io.StringIO()
    call_command("import_patients", str(path), stdout=out)
    assert out.getvalue().strip() == (
        "2 rows (committed): 2 created, 0 updated, 0 unchanged, 0 refused."
    )
    assert (Patient.objects.count(), Case.objects.count(), FollowUpTask.objects.count()) == (
        2,
        2,
        6,
    )


def test_the_command_fails_when_a_row_is_refused(tmp_path, hospital, discharge_plan):
    path = write(tmp_path, [row(mrn="ZY1"), row(mrn="")])
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_patients", str(path), stdout=io.StringIO())
    assert Patient.objects.count() == 0


def test_the_command_names_an_unknown_hospital(tmp_path, hospital, discharge_plan):
    path = write(tmp_path, [row()])
    with pytest.raises(CommandError, match="No hospital has the code nowhere"):
        call_command("import_patients", str(path), "--hospital", "nowhere")


def upload(rows, name="list.csv"):
    data = csv_file(rows)
    data.name = name
    return data


# The report on a dry run of two rows with one 住院号, ZY1.
TWO_ZY1_CHECKED = {
    "dry_run": True,
    "committed": False,
    "total": 2,
    "counts": {"created": 1, "updated": 0, "unchanged": 0, "refused": 1},
    "rows": [
        {"row": 2, "medical_record_number": "ZY1", "outcome": "created", "reasons": []},
        {
            "row": 3,
            "medical_record_number": "ZY1",
            "outcome": "refused",
            "reasons": ["Duplicate: the same 住院号 as row 2."],
        },
    ],
}


def test_the_api_dry_run_answers_the_report(admin_user, hospital, discharge_plan):
    response = token_client_for(admin_user).post(
        "/api/v1/imports/patients/",
        {"file": upload([row(mrn="ZY1"), row(mrn="ZY1")]), "dry_run": "true"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.json() == TWO_ZY1_CHECKED
    assert Patient.objects.count() == 0


def test_the_api_commit_creates_and_answers_201(admin_user, hospital, discharge_plan):
    response = token_client_for(admin_user).post(
        "/api/v1/imports/patients/", {"file": upload([row()])}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["counts"]["created"] == 1
    assert Case.objects.get().tasks.count() == 3


def test_the_api_refused_commit_answers_400_with_the_report(admin_user, hospital, discharge_plan):
    response = token_client_for(admin_user).post(
        "/api/v1/imports/patients/", {"file": upload([row(), row(mrn="")])}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["committed"] is False
    assert Patient.objects.count() == 0


def test_the_api_refuses_a_file_that_is_not_a_table(admin_user, hospital, discharge_plan):
    data = io.BytesIO(b"\x89PNG not a table")
    data.name = "scan.png"
    response = token_client_for(admin_user).post(
        "/api/v1/imports/patients/",
        {"file": data},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["Upload a CSV or XLSX file."]}


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_the_api_import_is_for_admins_only(request, role, hospital, discharge_plan):
    user = request.getfixturevalue(role)
    response = token_client_for(user).post(
        "/api/v1/imports/patients/", {"file": upload([row()])}, format="multipart"
    )
    assert response.status_code == 403
    assert Patient.objects.count() == 0


def check_on_the_page(client, *rows):
    """A file of `rows` for the demo hospital, sent to the imports page to be checked."""
    data = {"file": upload(list(rows)), "hospital": "demo"}
    return client.post(reverse("config:imports"), data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_page_checks_then_commits_on_confirmation(
    client, admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        checked = check_on_the_page(client, row(mrn="ZY1"), row(mrn="ZY2", phones="13900001111"))
    check = ImportJob.objects.get()
    assert checked.status_code == 302
    assert checked.url == reverse("config:import_job", args=[check.pk])
    html = client.get(checked.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="import-rows"' in html
    assert "Confirm the import" in html
    assert Patient.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            reverse("config:import_job_confirm", args=[check.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    commit = ImportJob.objects.get(confirms=check)
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("config:import_job", args=[commit.pk])
    assert Patient.objects.count() == 2
    assert Case.objects.count() == 2
    html = client.get(confirmed.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Imported: 2 created, 0 updated, 0 unchanged." in html
    assert "Confirm the import" not in html


def test_the_page_shows_refused_rows_and_offers_no_confirmation(
    client, admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = check_on_the_page(
            client, row(mrn="ZY1"), row(mrn="ZY2", discharged="2026-11-31")
        )
    html = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "出院日期 (discharged_on) is not a date." in html
    assert "Some rows are refused" in html
    assert "Confirm the import" not in html
    check = ImportJob.objects.get()
    confirm = client.post(reverse("config:import_job_confirm", args=[check.pk]))
    assert confirm.status_code == 302
    assert Patient.objects.count() == 0
    assert ImportJob.objects.count() == 1


def test_the_page_shows_a_progress_bar_then_the_report(
    client, admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks() as queued:
        response = check_on_the_page(client, row(mrn="ZY1"), row(mrn="ZY2", phones="13900001111"))
    job = ImportJob.objects.get()
    progress_url = reverse("config:import_job_progress", args=[job.pk])

    html = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="progress-bar progress-bar-striped progress-bar-animated" data-progress="0"' in (
        html
    )
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in html
    assert "Waiting for the worker" in html

    # Part way (as the worker writes it): the bar and the rows checked move.
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", phase="checking", rows_total=2, rows_checked=1
    )
    part = client.get(progress_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-progress="25"' in part and 'aria-valuenow="25"' in part
    assert "1 of about 2 rows" in part and "hx-trigger" in part
    ImportJob.objects.filter(pk=job.pk).update(status="queued", phase="", rows_checked=0)

    for callback in queued:
        callback()
    done = client.get(progress_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "hx-trigger" not in done and "progress-bar" not in done  # the polling stops
    assert 'id="import-rows"' in done and "Confirm the import" in done
    assert '<span class="badge text-bg-success fs-6">created 2</span>' in done


def test_the_imports_page_lists_the_recent_jobs(
    client, admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        check_on_the_page(client, row(mrn="ZY1"), row(mrn="", name="王伟"))
    job = ImportJob.objects.get()
    html = client.get(reverse("config:imports"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="import-jobs"' in html
    assert reverse("config:import_job", args=[job.pk]) in html
    assert "list.csv" in html and "Done" in html


# --- The API's background jobs ----------------------------------------------------------------


def test_a_file_over_the_limit_is_imported_by_a_job_202(
    admin_user, hospital, discharge_plan, monkeypatch, django_capture_on_commit_callbacks
):
    from followups.services import import_jobs

    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 100)
    client = token_client_for(admin_user)
    rows = [row(mrn="ZY1"), row(mrn="ZY2", phones="13900001111")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/patients/", {"file": upload(rows)}, format="multipart"
        )
    assert response.status_code == 202
    job = ImportJob.objects.get()
    status_url = f"http://testserver/api/v1/imports/jobs/{job.pk}/"
    assert response.json() == {"id": job.pk, "status": "queued", "status_url": status_url}
    assert response["Location"] == status_url

    status = client.get(status_url, HTTP_ACCEPT_LANGUAGE="en")
    assert status.status_code == 200
    body = status.json()
    assert (body["status"], body["dry_run"], body["committed"], body["error"]) == (
        "done",
        False,
        True,
        "",
    )
    assert body["progress"] == {
        "percent": 100,
        "phase": "",
        "rows_total": 2,
        "rows_checked": 2,
        "rows_done": 2,
    }
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 0}
    assert body["report"]["rows"] == [
        {"row": 2, "medical_record_number": "ZY1", "outcome": "created", "reasons": []},
        {"row": 3, "medical_record_number": "ZY2", "outcome": "created", "reasons": []},
    ]
    assert body["hospital"] == "demo" and body["file_name"] == "list.csv"
    assert Patient.objects.count() == 2


def ask_for_a_job(client, rows, **data):
    """The API asked to import `rows` in the background (a job), in English."""
    data = {"file": upload(rows), "background": True, **data}
    return client.post(
        "/api/v1/imports/patients/", data, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_a_small_file_asked_for_in_the_background_is_a_job_too(
    admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client = token_client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        # The job reports in the language of the request.
        response = ask_for_a_job(client, [row(mrn="ZY1"), row(mrn="ZY1")], dry_run="true")
    assert response.status_code == 202
    body = client.get(response.json()["status_url"], HTTP_ACCEPT_LANGUAGE="en").json()
    # The same report as the dry run in the request (test_the_api_dry_run_answers_the_report).
    assert body["status"] == "done"
    assert body["report"] == {**TWO_ZY1_CHECKED, "every_row": True, "unlisted": 0}
    assert Patient.objects.count() == 0


def test_a_refused_commit_job_fails_naming_the_rows(
    admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client = token_client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_a_job(client, [row(), row(mrn="")])
    body = client.get(response.json()["status_url"]).json()
    assert (body["status"], body["committed"]) == ("failed", False)
    assert body["error"] == (
        "Nothing was written: correct the refused rows and import the file again."
    )
    assert [r["row"] for r in body["report"]["rows"] if r["outcome"] == "refused"] == [3]
    assert Patient.objects.count() == 0


def test_a_queued_job_has_no_report_yet(
    admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client = token_client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/api/v1/imports/patients/",
            {"file": upload([row()]), "background": True},
            format="multipart",
        )
    body = client.get(response.json()["status_url"]).json()
    assert (body["status"], body["report"], body["progress"]["percent"]) == ("queued", None, 0)


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_the_job_status_is_for_admins_only(request, role, admin_user, hospital, discharge_plan):
    job = ImportJob.objects.create(hospital=hospital, file_name="x.csv", created_by=admin_user)
    user = request.getfixturevalue(role)
    assert token_client_for(user).get(f"/api/v1/imports/jobs/{job.pk}/").status_code == 403
    admin = token_client_for(admin_user)
    assert admin.get(f"/api/v1/imports/jobs/{job.pk}/").status_code == 200
    assert admin.get(f"/api/v1/imports/jobs/{job.pk + 1}/").status_code == 404


def test_the_api_refuses_a_file_that_is_not_a_table_in_the_background_too(
    admin_user, hospital, discharge_plan, staging
):
    data = io.BytesIO(b"\x89PNG not a table")
    data.name = "scan.png"
    response = token_client_for(admin_user).post(
        "/api/v1/imports/patients/",
        {"file": data, "background": True},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["Upload a CSV or XLSX file."]}
    assert not ImportJob.objects.exists()
    assert not staging.exists() or list(staging.iterdir()) == []
