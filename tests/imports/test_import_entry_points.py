"""The same import through the command, the API and the configuration page."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from followups.models import Case, FollowUpTask, Patient
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


def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def upload(rows, name="list.csv"):
    data = csv_file(rows)
    data.name = name
    return data


def test_the_api_dry_run_answers_the_report(admin_user, hospital, discharge_plan):
    response = api_client(admin_user).post(
        "/api/v1/imports/patients/",
        {"file": upload([row(mrn="ZY1"), row(mrn="ZY1")]), "dry_run": "true"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.json() == {
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
    assert Patient.objects.count() == 0


def test_the_api_commit_creates_and_answers_201(admin_user, hospital, discharge_plan):
    response = api_client(admin_user).post(
        "/api/v1/imports/patients/", {"file": upload([row()])}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["counts"]["created"] == 1
    assert Case.objects.get().tasks.count() == 3


def test_the_api_refused_commit_answers_400_with_the_report(admin_user, hospital, discharge_plan):
    response = api_client(admin_user).post(
        "/api/v1/imports/patients/", {"file": upload([row(), row(mrn="")])}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["committed"] is False
    assert Patient.objects.count() == 0


def test_the_api_refuses_a_file_that_is_not_a_table(admin_user, hospital, discharge_plan):
    data = io.BytesIO(b"\x89PNG not a table")
    data.name = "scan.png"
    response = api_client(admin_user).post(
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
    response = api_client(user).post(
        "/api/v1/imports/patients/", {"file": upload([row()])}, format="multipart"
    )
    assert response.status_code == 403
    assert Patient.objects.count() == 0


def check_on_the_page(client, *rows):
    """A file of `rows` for the demo hospital, sent to the imports page to be checked."""
    data = {"file": upload(list(rows)), "hospital": "demo"}
    return client.post(reverse("config:imports"), data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_page_checks_then_commits_on_confirmation(
    client, admin_user, hospital, discharge_plan, settings, tmp_path
):
    settings.LANGUAGE_CODE = "en"
    client.force_login(admin_user)
    checked = check_on_the_page(client, row(mrn="ZY1"), row(mrn="ZY2", phones="13900001111"))
    assert checked.status_code == 200
    html = checked.content.decode()
    assert 'id="import-rows"' in html
    assert "Confirm the import" in html
    assert Patient.objects.count() == 0
    confirmed = client.post(reverse("config:import_confirm"), HTTP_ACCEPT_LANGUAGE="en")
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2
    assert Case.objects.count() == 2


def test_the_page_shows_refused_rows_and_offers_no_confirmation(
    client, admin_user, hospital, discharge_plan
):
    client.force_login(admin_user)
    response = check_on_the_page(client, row(mrn="ZY1"), row(mrn="ZY2", discharged="2026-11-31"))
    html = response.content.decode()
    assert "出院日期 (discharged_on) is not a date." in html
    assert "Confirm the import" not in html
    assert client.post(reverse("config:import_confirm")).status_code == 302
    assert Patient.objects.count() == 0
