"""CSV and XLSX of the report tables; each export is audited."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from followups.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
PERIOD = "date_from=2026-11-09&date_to=2026-11-11"


def test_it_exports_a_table_as_csv_and_audits_it(client, supervisor, made_call):
    client.force_login(supervisor)
    url = reverse("supervisor:export", args=["reach", "by_department", "csv"])
    response = client.get(f"{url}?{PERIOD}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "huifang-reach-by_department-" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Department", "Due tasks", "Called", "Reached", "Window missed", "Follow-up rate"],
        ["心内科", "1", "1", "1", "0", "100.0%"],
    ]
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.EXPORT
    assert event.actor == supervisor
    assert event.detail == {
        "report": "reach",
        "table": "by_department",
        "format": "csv",
        "rows": 1,
        "filters": {"date_from": "2026-11-09", "date_to": "2026-11-11"},
    }


def test_it_exports_a_table_as_xlsx(client, supervisor, made_call):
    client.force_login(supervisor)
    url = reverse("supervisor:export", args=["funnel", "stages", "xlsx"])
    response = client.get(f"{url}?{PERIOD}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Stage", "Tasks", "Share of due"],
        ["Due tasks", 1, 1],
        ["Called", 1, 1],
        ["Reached", 1, 1],
    ]
    assert AuditEvent.objects.get().detail["format"] == "xlsx"


def test_rates_are_exported_as_percentages_with_one_decimal_as_on_the_page():
    from followups.exports import table_csv, table_xlsx
    from followups.reports.tables import Column, Kind, Table

    table = Table(
        key="rates",
        title="Rates",
        columns=[
            Column("who", "Agent", Kind.TEXT),
            Column("rate", "Reach rate", Kind.SHARE),
            Column("calls", "Calls a day", Kind.NUMBER),
        ],
        rows=[["王静", 9 / 13, 7 / 3], ["李娜", None, None]],
    )
    text = table_csv(table).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Agent", "Reach rate", "Calls a day"],
        ["王静", "69.2%", "2.3"],
        ["李娜", "", ""],
    ]
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    rate, per_day = sheet["B2"], sheet["C2"]
    # Still numbers a spreadsheet can sum, shown as the page shows them.
    assert (rate.value, rate.number_format) == (9 / 13, "0.0%")
    assert (per_day.value, per_day.number_format) == (pytest.approx(7 / 3), "0.0")


def test_the_call_export_masks_phone_numbers(client, supervisor, made_call):
    client.force_login(supervisor)
    response = client.get(reverse("supervisor:export", args=["calls", "calls", "csv"]))
    text = response.content.decode("utf-8-sig")
    assert "138****5678" in text
    assert "13812345678" not in text
    assert AuditEvent.objects.get().detail["rows"] == 1


def test_the_call_export_follows_the_filters(client, supervisor, made_call):
    client.force_login(supervisor)
    url = reverse("supervisor:export", args=["calls", "calls", "csv"])
    response = client.get(f"{url}?disposition=no_answer")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only
    assert AuditEvent.objects.get().detail["filters"] == {"disposition": "no_answer"}


def test_an_unknown_table_or_format_is_not_found(client, supervisor):
    client.force_login(supervisor)
    for args in [("reach", "nothing", "csv"), ("reach", "by_day", "pdf"), ("x", "y", "csv")]:
        assert client.get(reverse("supervisor:export", args=args)).status_code == 404
    assert not AuditEvent.objects.exists()


def test_exports_carry_the_whole_complaint_list(client, supervisor, a1, cardio):
    from tests.clock import on
    from tests.reports.conftest import MON
    from tests.reports.factories import call, due_task

    for minute in range(55):
        call(
            due_task(due=MON, dept=cardio),
            by=a1,
            disposition="complete",
            started=on(MON, 10, 30, minute),
            satisfaction="poor",
            notes=f"意见{minute}",
        )
    client.force_login(supervisor)
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        page = client.get(reverse("supervisor:report", args=["satisfaction"]))
        url = reverse("supervisor:export", args=["satisfaction", "complaints", "csv"])
        export = client.get(url)
    assert page.content.decode().count("意见") == 50
    assert AuditEvent.objects.get().detail["rows"] == 55
    assert export.content.decode("utf-8-sig").count("意见") == 55


@pytest.fixture
def one_call_two_cases(a1, cardio):
    """A person with two cases, both due and reached on one call; another not reached."""
    from followups.models import CaseKind
    from tests.clock import on
    from tests.factories import CustomerFactory
    from tests.reports.conftest import MON, TUE
    from tests.reports.factories import call, due_task

    person = CustomerFactory()
    lead = call(
        due_task(due=MON, dept=cardio, customer=person),
        by=a1,
        disposition="complete",
        started=on(MON, 10, 40),
    )
    call(
        due_task(due=TUE, kind=CaseKind.MISSED_APPOINTMENT, customer=person),
        by=a1,
        disposition="complete",
        started=on(MON, 10, 40),
        same_call_as=lead,
    )
    call(due_task(due=TUE, dept=cardio), by=a1, disposition="busy", started=on(TUE, 15))


def test_the_reach_page_shows_people_beside_tasks(client, supervisor, one_call_two_cases):
    client.force_login(supervisor)
    response = client.get(reverse("supervisor:report", args=["reach"]) + f"?{PERIOD}")
    report = response.context["report"]
    assert (report.due, report.reached) == (3, 2)
    assert (report.people_due, report.people_reached) == (2, 1)
    assert response.context["people_rate_text"] == "50.0 %"
    html = response.content.decode()
    for label in ["People due", "People reached", "People reached share", "50.0 %"]:
        assert label in html
    assert 'id="table-totals"' in html


def test_the_reach_export_carries_tasks_and_people(client, supervisor, one_call_two_cases):
    client.force_login(supervisor)
    url = reverse("supervisor:export", args=["reach", "totals", "csv"])
    text = client.get(f"{url}?{PERIOD}").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Counted", "Due", "Called", "Reached", "Reached share"],
        ["Follow-up tasks", "3", "3", "2", "66.7%"],
        ["People", "2", "2", "1", "50.0%"],
    ]
    url = reverse("supervisor:export", args=["reach", "totals", "xlsx"])
    sheet = load_workbook(io.BytesIO(client.get(f"{url}?{PERIOD}").content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()][2] == [
        "People",
        2,
        2,
        1,
        0.5,
    ]
