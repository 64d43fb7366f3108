"""A hospital with two departments, the discharge plan, and files written as a HIS exports them."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from followups.models import CaseKind, PlanRule
from tests.factories import DepartmentFactory, HospitalFactory, default_plan

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


# A patient's row, column by column (HEADER's order), as the tests' rows read unless said.
ROW = {
    "mrn": "ZY0001",
    "name": "李秀英",
    "gender": "女",
    "phones": "13812345678",
    "department": "心内科",
    "doctor": "周建国",
    "diagnosis": "不稳定型心绞痛",
    "admitted": "2026-11-01",
    "discharged": "2026-11-10",
    "sensitive": "否",
}


def row(**values) -> list:
    """A row of the file: ROW with these `values`."""
    assert set(values) <= set(ROW), set(values) - set(ROW)
    return list({**ROW, **values}.values())


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
    """The plan every discharge case takes, by its rule (discharges of any department)."""
    plan = default_plan([3, 7, 30], name="出院回访计划")
    PlanRule.objects.create(plan=plan, case_kind=CaseKind.DISCHARGE)
    return plan


ANCHOR = dt.date(2026, 11, 10)
KIND = CaseKind.DISCHARGE


@pytest.fixture(autouse=True)
def in_english(english):
    """Reports are read in English here (the default language is Chinese)."""


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    """Checked uploads wait in a folder of the test's own (services/import_staging.py)."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"
