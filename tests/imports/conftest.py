"""A hospital with two departments, the discharge plan, and files written as a HIS exports them."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from followups.models import CaseKind
from tests.factories import (
    CallingPolicyFactory,
    DepartmentFactory,
    FollowUpPlanFactory,
    HospitalFactory,
)

HEADER = [
    "住院号",
    "姓名",
    "性别",
    "电话",
    "科室",
    "主治医生",
    "诊断",
    "入院日期",
    "出院日期",
    "敏感",
]


def row(
    mrn="ZY0001",
    name="李秀英",
    gender="女",
    phones="13812345678",
    department="心内科",
    doctor="周建国",
    diagnosis="不稳定型心绞痛",
    admitted="2026-11-01",
    discharged="2026-11-10",
    sensitive="否",
):
    return [
        mrn,
        name,
        gender,
        phones,
        department,
        doctor,
        diagnosis,
        admitted,
        discharged,
        sensitive,
    ]


def csv_file(rows, header=HEADER) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


def xlsx_file(rows, header=HEADER) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return data


@pytest.fixture
def hospital(db):
    hospital = HospitalFactory(code="demo", name="惠民市第一人民医院")
    DepartmentFactory(hospital=hospital, name="心内科", code="cardiology")
    DepartmentFactory(hospital=hospital, name="骨科", code="orthopedics")
    return hospital


@pytest.fixture
def discharge_plan(db):
    return FollowUpPlanFactory(
        name="出院回访计划",
        calling_policy=CallingPolicyFactory(is_default=True),
        offsets=[3, 7, 30],
    )


ANCHOR = dt.date(2026, 11, 10)
KIND = CaseKind.DISCHARGE


@pytest.fixture(autouse=True)
def english():
    """Reports are read in English here (the default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
    # A request with Accept-Language: en leaves English active in the thread.
    translation.deactivate()


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    """Checked uploads wait in a folder of the test's own (services/import_staging.py)."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"
