"""回访率: reached ÷ due, per day, department, agent of the last call and case kind."""

import pytest

from followups.reports.reach import follow_up_rate
from followups.reports.scope import ReportScope

pytestmark = pytest.mark.django_db


def rows(table) -> dict:
    """Label → [due, called, reached, window missed, rate]."""
    return {row[0]: row[1:] for row in table.rows}


def test_it_counts_due_called_and_reached_tasks(reach_data, period):
    report = follow_up_rate(scope=period)
    # Due: t1–t12 and t15 = 13 (t13 cancelled uncalled, t14 due Thursday).
    # Called: t1 t2 t3 t4 t6 t7 t8 t9 t11 t12 = 10. Reached: t1 t2 t9 = 3.
    assert (report.due, report.called, report.reached) == (13, 10, 3)
    assert report.rate == pytest.approx(3 / 13)  # 0.2308
    # Every task is a different person's: the same figures for people.
    assert (report.people_due, report.people_called, report.people_reached) == (13, 10, 3)


# Each breakdown's rows: due, called, reached, window missed, rate.
BREAKDOWNS = {
    # Mon: t1 t2 t3 → 3 due, 3 called, t1 t2 reached: 2/3.
    # Tue: t4 t5 t6 → 3 due, t4 t6 called, none reached.
    # Wed: t7 t8 t9 t10 t11 t12 t15 → 7 due, t7 t8 t9 t11 t12 called, t9 reached: 1/7.
    "by_day": {
        "2026-11-09": [3, 3, 2, 0, pytest.approx(2 / 3)],
        "2026-11-10": [3, 2, 0, 0, 0.0],
        "2026-11-11": [7, 5, 1, 0, pytest.approx(1 / 7)],
    },
    # 心内科: t1 t2 t5 t9 t10 t11 t12 = 7 due; called t1 t2 t9 t11 t12 = 5; reached 3.
    # 骨科: t3 t4 t7 t8 t15 = 5 due; called 4; reached 0. t6 has no patient record.
    "by_department": {
        "心内科": [7, 5, 3, 0, pytest.approx(3 / 7)],
        "骨科": [5, 4, 0, 0, 0.0],
        "No department": [1, 1, 0, 0, 0.0],
    },
    # Each task under the agent of its last call.
    # 李娜 (a1): t1 t2 t6 t9 t11 t12 → 6 due, 6 called, 3 reached.
    # 王强 (a2): t3 t4 t7 t8 → 4, 4, 0. Never called: t5 t10 t15.
    "by_agent": {
        "李娜": [6, 6, 3, 0, 0.5],
        "王强": [4, 4, 0, 0, 0.0],
        "Not called yet": [3, 0, 0, 0, 0.0],
    },
    "by_kind": {
        "Discharge follow-up": [12, 9, 3, 0, 0.25],
        "Missed appointment": [1, 1, 0, 0, 0.0],
    },
}


@pytest.mark.parametrize("breakdown", BREAKDOWNS)
def test_it_breaks_the_rate_down_by_due_day_department_agent_of_the_last_call_and_kind(
    reach_data, period, breakdown
):
    assert rows(getattr(follow_up_rate(scope=period), breakdown)) == BREAKDOWNS[breakdown]


def test_the_department_and_kind_filters_narrow_the_tasks(reach_data, period):
    scope = ReportScope(start=period.start, end=period.end, department_id=reach_data.ortho.pk)
    report = follow_up_rate(scope=scope)
    assert (report.due, report.called, report.reached) == (5, 4, 0)
    scope = ReportScope(start=period.start, end=period.end, case_kind="missed_appointment")
    report = follow_up_rate(scope=scope)
    assert (report.due, report.called, report.reached) == (1, 1, 0)


def test_every_day_of_the_period_has_a_row_even_without_tasks(db):
    import datetime as dt

    scope = ReportScope(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 3))
    report = follow_up_rate(scope=scope)
    assert report.by_day.rows == [
        ["2026-11-01", 0, 0, 0, 0, None],
        ["2026-11-02", 0, 0, 0, 0, None],
        ["2026-11-03", 0, 0, 0, 0, None],
    ]
    assert report.rate is None


def test_a_task_whose_window_passed_unreached_counts_as_due_and_window_missed(reach_data, period):
    from followups.models import FollowUpTask, TaskStatus

    # t10 (due Wednesday, 心内科, never called) ran out of its follow-up window.
    missed = FollowUpTask.objects.get(pk=reach_data.t10.pk)
    missed.status = TaskStatus.WINDOW_MISSED
    missed.save()

    report = follow_up_rate(scope=period)

    assert (report.due, report.reached, report.window_missed) == (13, 3, 1)
    assert rows(report.by_day)["2026-11-11"] == [7, 5, 1, 1, pytest.approx(1 / 7)]


def test_no_department_and_not_called_yet_come_after_the_named_rows(reach_data, period):
    # Sorted by label, "No department" (无科室) would stand between the departments.
    report = follow_up_rate(scope=period)
    assert [row[0] for row in report.by_department.rows] == ["心内科", "骨科", "No department"]
    assert [row[0] for row in report.by_agent.rows] == ["李娜", "王强", "Not called yet"]
