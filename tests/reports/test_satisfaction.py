"""Satisfaction by department, doctor, nurse and agent; the staff assessment and its
minimum sample; the complaints and praise lists."""

import pytest

from followups.models import Disposition, Satisfaction
from followups.reports.satisfaction import satisfaction_report, satisfaction_totals
from tests.clock import on
from tests.reports.conftest import MON, THU, TUE
from tests.reports.factories import agent, call, department, due_task

pytestmark = pytest.mark.django_db
S = Satisfaction


@pytest.fixture(autouse=True)
def small_sample(settings):
    settings.HUIFANG_ASSESSMENT = {"min_sample": 3, "good": 0.9, "poor": 0.7}


@pytest.fixture
def rated(db):
    """Nine rated calls in the period, one unrated, one rated after it."""
    cardio, ortho = department("心内科"), department("骨科")
    a1, a2, a3 = agent("a1", "李娜"), agent("a2", "王强"), agent("a3", "赵敏")
    made = []

    def rate(dept, doctor, nurse, by, level, notes="", day=MON):
        task = due_task(due=day, dept=dept, doctor=doctor, nurse=nurse)
        made.append(
            call(
                task,
                by=by,
                disposition=Disposition.COMPLETE,
                started=on(day, 10, 40),
                satisfaction=level,
                notes=notes,
            )
        )

    # 李娜: 4 rated, 4 satisfied → 100 %, good.
    rate(cardio, "张医生", "陈护士", a1, S.SATISFIED, notes="张医生很耐心")
    rate(cardio, "张医生", "陈护士", a1, S.SATISFIED)
    rate(cardio, "刘医生", "陈护士", a1, S.SATISFIED)
    rate(ortho, "周医生", "吴护士", a1, S.SATISFIED)
    # 王强: 3 rated, 2 satisfied, 1 poor → 66.7 %, below 70 %: poor.
    rate(cardio, "张医生", "陈护士", a2, S.SATISFIED)
    rate(ortho, "周医生", "吴护士", a2, S.SATISFIED)
    rate(ortho, "周医生", "吴护士", a2, S.POOR, notes="换药时等了两个小时")
    # 赵敏: 2 rated → too few calls (minimum 3), whatever they said.
    rate(ortho, "周医生", "吴护士", a3, S.NEUTRAL)
    rate(ortho, "周医生", "吴护士", a3, S.DISSATISFIED, notes="出院结算排队太久", day=TUE)
    # Not rated (no answer), and rated after the period: neither counts.
    call(due_task(due=MON, dept=cardio), by=a1, disposition="no_answer", started=on(MON, 11))
    rate(cardio, "张医生", "陈护士", a3, S.POOR, notes="outside the period", day=THU)
    return made


def rows(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def test_it_counts_the_four_levels(rated, period):
    # 满意 1+1+1+1 (李娜) + 1+1 (王强) = 6; 一般 1; 不满意 1; 差 1.
    assert satisfaction_totals(scope=period) == {
        "satisfied": 6,
        "neutral": 1,
        "dissatisfied": 1,
        "poor": 1,
    }


def test_it_assesses_each_agent_with_the_thresholds_and_minimum_sample(rated, period):
    by_agent = rows(satisfaction_report(scope=period).by_agent)
    # Columns: rated, 满意, 一般, 不满意, 差, satisfied share, assessment.
    assert by_agent == {
        "李娜": [4, 4, 0, 0, 0, 1.0, "Good"],
        "王强": [3, 2, 0, 0, 1, pytest.approx(2 / 3), "Poor"],
        "赵敏": [2, 0, 1, 1, 0, 0.0, "Too few calls"],
    }


def test_it_gives_satisfaction_by_department(rated, period):
    by_department = rows(satisfaction_report(scope=period).by_department)
    # 心内科: 李娜 3 satisfied + 王强 1 satisfied = 4 rated, all satisfied → good.
    # 骨科: 李娜 1 sat., 王强 1 sat. + 1 poor, 赵敏 1 neutral + 1 dissatisfied = 5 rated,
    # 2 satisfied = 40 % → poor.
    assert by_department == {
        "心内科": [4, 4, 0, 0, 0, 1.0, "Good"],
        "骨科": [5, 2, 1, 1, 1, 0.4, "Poor"],
    }


def test_it_judges_doctors_and_nurses_by_name_within_their_department(rated, period):
    report = satisfaction_report(scope=period)
    # 张医生 · 心内科: 3 rated (2 by 李娜, 1 by 王强), all satisfied → good.
    # 刘医生 · 心内科: 1 rated → too few. 周医生 · 骨科: 5 rated, 2 satisfied → poor.
    assert rows(report.by_doctor) == {
        "刘医生 · 心内科": [1, 1, 0, 0, 0, 1.0, "Too few calls"],
        "周医生 · 骨科": [5, 2, 1, 1, 1, 0.4, "Poor"],
        "张医生 · 心内科": [3, 3, 0, 0, 0, 1.0, "Good"],
    }
    assert rows(report.by_nurse) == {
        "吴护士 · 骨科": [5, 2, 1, 1, 1, 0.4, "Poor"],
        "陈护士 · 心内科": [4, 4, 0, 0, 0, 1.0, "Good"],
    }


def test_it_lists_complaints_and_praise_with_what_was_said(rated, period):
    report = satisfaction_report(scope=period)
    # Complaints: dissatisfied or poor with notes, newest first (Tuesday's, then Monday's).
    assert [row[7] for row in report.complaints.rows] == ["出院结算排队太久", "换药时等了两个小时"]
    assert [row[6] for row in report.complaints.rows] == ["Dissatisfied", "Poor"]
    assert [row[7] for row in report.praise.rows] == ["张医生很耐心"]
    assert (report.complaint_count, report.praise_count) == (2, 1)


def test_the_lists_show_the_latest_and_say_the_export_has_all(rated, period):
    report = satisfaction_report(scope=period, list_length=1)
    assert len(report.complaints.rows) == 1
    assert report.complaints.note == "The latest 1 of 2; the export has them all."
    assert len(satisfaction_report(scope=period, list_length=None).complaints.rows) == 2
