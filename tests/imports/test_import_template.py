"""The imports page offers an empty discharge list to fill in; filled in, it imports; and the
report reads each reason once, without doubled punctuation."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from followups.models import ImportJob, Patient
from followups.services.imports import import_patients
from tests.imports.conftest import HEADER, ROW, csv_file, row

pytestmark = pytest.mark.django_db


def test_the_page_links_the_template_files(client, admin_user, hospital):
    client.force_login(admin_user)
    html = client.get(reverse("config:imports")).content.decode()
    assert reverse("config:import_template", args=["xlsx"]) in html
    assert reverse("config:import_template", args=["csv"]) in html


def test_the_csv_template_is_the_header_row_the_import_reads(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("config:import_template", args=["csv"]))
    assert response.status_code == 200
    assert 'filename="huifang-discharge-list.csv"' in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").strip() == ",".join(HEADER)


def test_the_filled_in_xlsx_template_imports(client, admin_user, hospital, discharge_plan):
    client.force_login(admin_user)
    response = client.get(reverse("config:import_template", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == HEADER
    sheet.append(list(ROW.values()))
    filled = io.BytesIO()
    workbook.save(filled)
    filled.seek(0)
    report = import_patients(
        file=filled, filename="list.xlsx", actor=admin_user, hospital=hospital, dry_run=False
    )
    assert [result.outcome for result in report.rows] == ["created"]
    assert Patient.objects.get().medical_record_number == ROW["mrn"]


def test_an_unknown_template_format_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("config:import_template", args=["pdf"])).status_code == 404


def test_a_rows_reasons_end_in_one_mark_each(
    client, admin_user, hospital, discharge_plan, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    bad = row(mrn="ZY1", phones="123", gender="X")
    upload = io.BytesIO(csv_file([bad]).getvalue())
    upload.name = "list.csv"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("config:imports"), {"file": upload, "hospital": "demo"})
    html = client.get(reverse("config:import_job", args=[ImportJob.objects.get().pk])).content
    html = html.decode()
    assert "。;" not in html and ".;" not in html
    assert "<td>性别必须为“男”或“女”。 第 1 个电话号码无效。</td>" in html
