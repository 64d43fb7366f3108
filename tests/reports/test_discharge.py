"""出院患者随访比例 on a hand-counted fixture: discharge cases by discharge date, each counted
once, followed up when any call of theirs reached the person."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from followups.models import CaseKind, Disposition
from followups.reports.discharge import discharge_follow_up
from followups.reports.scope import ReportScope
from tests.clock import on
from tests.factories import CaseFactory, CustomerFactory, FollowUpTaskFactory, PatientFactory
from tests.reports.factories import agent, call, department

pytestmark = pytest.mark.django_db
D = Disposition
SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
PERIOD = ReportScope(start=SEP, end=dt.date(2026, 10, 31))


def stay(anchor: dt.date, dept=None, *, kind=CaseKind.DISCHARGE, tasks: int = 1):
    """A case (a hospital stay when it is a discharge) with ``tasks`` follow-ups."""
    customer = CustomerFactory()
    patient = PatientFactory(customer=customer, department=dept) if dept else None
    case = CaseFactory(customer=customer, patient=patient, kind=kind, anchor_date=anchor)
    return [
        FollowUpTaskFactory(case=case, due_date=anchor + dt.timedelta(days=3 + 4 * n))
        for n in range(tasks)
    ]


@pytest.fixture
def stays(db):
    """Eleven cases; eight are discharges of September or October. Comments give each
    case's place in the counts."""
    cardio, ortho = department("心内科"), department("骨科")
    by = agent("a1", "李娜")

    def called(task, disposition, day):
        call(task, by=by, disposition=disposition, started=on(day, 10, 40))

    (c1,) = stay(dt.date(2026, 9, 5), cardio)  # Sep, cardio: reached after a no answer
    called(c1, D.NO_ANSWER, dt.date(2026, 9, 8))
    called(c1, D.COMPLETE, dt.date(2026, 9, 9))
    c2a, c2b = stay(dt.date(2026, 9, 20), cardio, tasks=2)  # Sep, cardio: reached twice, once
    called(c2a, D.COMPLETE, dt.date(2026, 9, 23))
    called(c2b, D.COMPLETE, dt.date(2026, 9, 27))
    (c3,) = stay(dt.date(2026, 9, 30), ortho)  # Sep, ortho: partial counts
    called(c3, D.PARTIAL, dt.date(2026, 10, 3))
    (c4,) = stay(dt.date(2026, 10, 1), ortho)  # Oct, ortho: no answer, busy: not reached
    called(c4, D.NO_ANSWER, dt.date(2026, 10, 4))
    called(c4, D.BUSY, dt.date(2026, 10, 5))
    stay(dt.date(2026, 10, 14), cardio)  # Oct, cardio: never called
    (c6,) = stay(dt.date(2026, 10, 31), cardio)  # Oct, cardio: refused
    called(c6, D.REFUSED, dt.date(2026, 11, 3))
    (c7,) = stay(dt.date(2026, 10, 10))  # Oct, no department: reached
    called(c7, D.COMPLETE, dt.date(2026, 10, 13))
    (c8,) = stay(dt.date(2026, 8, 31), cardio)  # discharged before the period
    called(c8, D.COMPLETE, dt.date(2026, 9, 3))
    stay(dt.date(2026, 11, 1), cardio)  # discharged after the period
    (c10,) = stay(dt.date(2026, 9, 10), cardio, kind=CaseKind.MISSED_APPOINTMENT)  # no stay
    called(c10, D.COMPLETE, dt.date(2026, 9, 13))
    (c11,) = stay(dt.date(2026, 10, 20), ortho)  # Oct, ortho: reached after the period
    called(c11, D.NO_ANSWER, dt.date(2026, 10, 23))
    called(c11, D.PARTIAL, dt.date(2026, 11, 5))
    return {"cardio": cardio, "ortho": ortho}


def test_it_counts_each_discharge_once_by_month_and_department(stays, english):
    report = discharge_follow_up(scope=PERIOD)
    # Sep: c1, c2, c3 all reached; Oct: c4, c5, c6, c7, c11, of which c7 and c11 reached.
    assert (report.discharged, report.followed_up) == (8, 5)
    assert report.rate == 5 / 8
    assert report.by_month.rows == [["2026-09", 3, 3, 1.0], ["2026-10", 5, 2, 0.4]]
    # 心内科: c1, c2, c5, c6 (c1, c2 reached); 骨科: c3, c4, c11 (c3, c11); none: c7.
    assert report.by_department.rows == [
        ["No department", 1, 1, 1.0],
        ["心内科", 4, 2, 0.5],
        ["骨科", 3, 2, 2 / 3],
    ]


def test_it_keeps_to_the_department_chosen(stays):
    scope = ReportScope(start=SEP, end=PERIOD.end, department_id=stays["cardio"].pk)
    report = discharge_follow_up(scope=scope)
    assert (report.discharged, report.followed_up) == (4, 2)
    assert report.by_month.rows == [["2026-09", 2, 2, 1.0], ["2026-10", 2, 0, 0.0]]


def test_a_month_without_discharges_shows_as_none(db):
    report = discharge_follow_up(scope=ReportScope(start=OCT, end=dt.date(2026, 10, 31)))
    assert (report.discharged, report.followed_up, report.rate) == (0, 0, None)
    assert report.by_month.rows == [["2026-10", 0, 0, None]]


PAGE = reverse("supervisor:report", args=["discharge-follow-up"]) + (
    "?date_from=2026-09-01&date_to=2026-10-31"
)


def test_it_shows_the_share_the_definition_and_the_trend(stays, client, supervisor, english_pages):
    client.force_login(supervisor)
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "62.5 %" in page
    assert "one per hospital stay" in page
    assert 'id="chart-month"' in page
    month_chart = next(c for c in response.context["charts"] if c["id"] == "chart-month")
    assert month_chart["data"]["labels"] == ["2026-09", "2026-10"]
    assert month_chart["data"]["datasets"][0]["data"] == [100.0, 40.0]


def test_it_exports_the_months_as_csv(stays, client, supervisor, english_pages):
    client.force_login(supervisor)
    url = reverse("supervisor:export", args=["discharge-follow-up", "by_month", "csv"])
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        response = client.get(url + "?date_from=2026-09-01&date_to=2026-10-31")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [["2026-09", "3", "3", "100.0%"], ["2026-10", "5", "2", "40.0%"]]
