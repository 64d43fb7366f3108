"""One call to a person settles all of their due follow-ups: the reports count tasks per
task, people once, and the call once."""

from types import SimpleNamespace

import pytest

from followups.models import CaseKind, Disposition
from followups.reports.agents import agent_figures, agent_summary
from followups.reports.reach import follow_up_rate
from followups.reports.scope import ReportScope
from tests.clock import on
from tests.factories import CustomerFactory
from tests.reports.conftest import MON, TUE, WED
from tests.reports.factories import agent, call, department, due_task

pytestmark = pytest.mark.django_db
D = Disposition


@pytest.fixture
def people(db):
    """P has two cases (a discharge of 心内科 due Monday, a missed appointment due Tuesday),
    both settled and reached on one call on Monday; Q has one task due Monday (心内科),
    called once, not reached."""
    cardio = department("心内科")
    a1 = agent("a1", "李娜")
    p = CustomerFactory()
    p_cardio = due_task(due=MON, dept=cardio, customer=p)
    p_missed = due_task(due=TUE, kind=CaseKind.MISSED_APPOINTMENT, customer=p)
    lead = call(p_cardio, by=a1, disposition=D.COMPLETE, started=on(MON, 10, 40), seconds=240)
    rider = call(
        p_missed, by=a1, disposition=D.COMPLETE, started=on(MON, 10, 40), same_call_as=lead
    )
    q_task = due_task(due=MON, dept=cardio)
    call(q_task, by=a1, disposition=D.NO_ANSWER, started=on(MON, 10, 50), seconds=60)
    return SimpleNamespace(**locals())


def test_the_rate_counts_tasks_and_people_apart(people, period):
    report = follow_up_rate(scope=period)
    # Tasks: P's two and Q's one are due and called; P's two are reached.
    assert (report.due, report.called, report.reached) == (3, 3, 2)
    assert report.rate == pytest.approx(2 / 3)
    # People: P and Q are due and called; P alone is reached.
    assert (report.people_due, report.people_called, report.people_reached) == (2, 2, 1)
    assert report.people_rate == 0.5
    assert report.totals.rows == [
        ["Follow-up tasks", 3, 3, 2, pytest.approx(2 / 3)],
        ["People", 2, 2, 1, 0.5],
    ]
    assert report.totals in report.tables


def test_the_by_day_rows_stay_per_task(people, period):
    by_day = {row[0]: row[1:] for row in follow_up_rate(scope=period).by_day.rows}
    # Monday: P's 心内科 task (reached) and Q's (not); Tuesday: P's missed appointment,
    # reached on Monday's call.
    assert by_day["2026-11-09"] == [2, 2, 1, 0, 0.5]
    assert by_day["2026-11-10"] == [1, 1, 1, 0, 1.0]


def test_the_people_figures_follow_the_filters(people, period):
    missed = ReportScope(start=period.start, end=period.end, case_kind=CaseKind.MISSED_APPOINTMENT)
    report = follow_up_rate(scope=missed)
    assert (report.due, report.reached, report.people_due, report.people_reached) == (1, 1, 1, 1)
    cardio = ReportScope(start=period.start, end=period.end, department_id=people.cardio.pk)
    report = follow_up_rate(scope=cardio)
    # 心内科: P's and Q's tasks, P reached.
    assert (report.due, report.reached, report.people_due, report.people_reached) == (2, 1, 2, 1)
    monday = ReportScope(start=MON, end=MON)
    report = follow_up_rate(scope=monday)
    # Monday's due tasks: P's 心内科 one and Q's: both people due, P reached.
    assert (report.due, report.reached, report.people_due, report.people_reached) == (2, 1, 2, 1)


def test_a_person_with_nothing_due_in_the_period_is_not_counted(people):
    report = follow_up_rate(scope=ReportScope(start=WED, end=WED))
    assert (report.due, report.people_due, report.people_reached) == (0, 0, 0)
    assert report.people_rate is None


def test_the_agent_figures_count_one_call_per_person_called(people, period):
    rows = {row[0]: row[1:] for row in agent_figures(scope=period).table.rows}
    # Two calls (P's, settling two follow-ups, and Q's): one reached P; handle time
    # (240 + 60) / 2 = 150 s; one person reached, 2 calls per person reached; both inside
    # the windows.
    assert rows["李娜"] == [2, 1, 0.5, 150.0, 1, 2.0, None, 1.0, 0]


def test_the_dashboard_summary_counts_one_call_per_person_called(people, period):
    assert agent_summary(scope=period).rows == [["李娜", 2, 1, 0.5, 150.0]]


def test_a_call_reaching_the_person_on_another_follow_up_counts_as_reaching(db, period):
    a1 = agent("a1", "李娜")
    person = CustomerFactory()
    refused = due_task(due=MON, customer=person)
    done = due_task(due=MON, customer=person)
    lead = call(refused, by=a1, disposition=D.REFUSED, started=on(MON, 15, 10))
    call(done, by=a1, disposition=D.PARTIAL, started=on(MON, 15, 10), same_call_as=lead)
    assert agent_summary(scope=period).rows == [["李娜", 1, 1, 1.0, 180.0]]
    assert [row[1:3] for row in agent_figures(scope=period).table.rows] == [[1, 1]]
    report = follow_up_rate(scope=period)
    assert (report.reached, report.people_reached) == (1, 1)


def test_a_call_outside_the_windows_is_listed_once(db, period):
    a1 = agent("a1", "李娜")
    person = CustomerFactory()
    first, second = due_task(due=MON, customer=person), due_task(due=MON, customer=person)
    lead = call(first, by=a1, disposition=D.NO_ANSWER, started=on(MON, 20))
    call(second, by=a1, disposition=D.NO_ANSWER, started=on(MON, 20), same_call_as=lead)
    report = agent_figures(scope=period)
    assert [row[0] for row in report.outside.rows] == [lead.pk]
    assert report.allowed_share == 0.0
    assert report.table.rows[0][-1] == 1  # calls outside the rules
