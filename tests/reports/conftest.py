"""The hand-counted fixture the reach, funnel and AAPOR tests share."""

import datetime as dt
from types import SimpleNamespace

import pytest

from followups.models import CaseKind, Disposition, TaskStatus
from followups.reports.scope import ReportScope
from tests.clock import on
from tests.reports.factories import agent, call, department, due_task

MON, TUE, WED, THU = (dt.date(2026, 11, 9) + dt.timedelta(days=n) for n in range(4))
D = Disposition


@pytest.fixture(autouse=True)
def in_english(english):
    """Labels are compared in English; the pages speak Chinese by default."""


@pytest.fixture
def period():
    return ReportScope(start=MON, end=WED)


@pytest.fixture
def reach_data(db):
    """Fifteen tasks; thirteen are due Monday to Wednesday (t13 was cancelled before any
    call, t14 falls due on Thursday). Comments give each task's place in the counts."""
    cardio, ortho = department("心内科"), department("骨科")
    a1, a2 = agent("a1", "李娜"), agent("a2", "王强")

    t1 = due_task(due=MON, dept=cardio)  # reached after a no answer; last call a1
    call(t1, by=a1, disposition=D.NO_ANSWER, started=on(MON, 10, 40))
    call(t1, by=a1, disposition=D.COMPLETE, started=on(MON, 15, 10))
    t2 = due_task(due=MON, dept=cardio)  # reached, partial
    call(t2, by=a1, disposition=D.PARTIAL, started=on(MON, 10, 45))
    t3 = due_task(due=MON, dept=ortho)  # no answer, then busy: "no answer or busy"
    call(t3, by=a2, disposition=D.NO_ANSWER, started=on(MON, 10, 50))
    call(t3, by=a2, disposition=D.BUSY, started=on(TUE, 15, 20))
    t4 = due_task(due=TUE, dept=ortho, status=TaskStatus.CANCELLED)  # refused, case closed
    call(t4, by=a2, disposition=D.REFUSED, started=on(TUE, 10, 35))
    t5 = due_task(due=TUE, dept=cardio, phone="")  # never called: no number recorded
    t6 = due_task(due=TUE, kind=CaseKind.MISSED_APPOINTMENT)  # no department; wrong number
    call(t6, by=a1, disposition=D.WRONG_NUMBER, started=on(TUE, 15, 30))
    t7 = due_task(due=WED, dept=ortho)  # family member answered
    call(t7, by=a2, disposition=D.FAMILY, started=on(WED, 10, 40))
    t8 = due_task(due=WED, dept=ortho)  # phone off
    call(t8, by=a2, disposition=D.PHONE_OFF, started=on(WED, 10, 55))
    t9 = due_task(due=WED, dept=cardio)  # reached
    call(t9, by=a1, disposition=D.COMPLETE, started=on(WED, 11, 0))
    t10 = due_task(due=WED, dept=cardio, died_on=TUE)  # never called: deceased on record
    t11 = due_task(due=WED, dept=cardio)  # the family said the patient died
    call(t11, by=a1, disposition=D.DECEASED, started=on(WED, 15, 5))
    t12 = due_task(due=WED, dept=cardio)  # asked for a callback, not yet made
    call(t12, by=a1, disposition=D.CALLBACK, started=on(WED, 15, 15))
    t13 = due_task(due=TUE, dept=cardio, status=TaskStatus.CANCELLED)  # not due: no call
    t14 = due_task(due=THU, dept=cardio)  # not due in the period
    call(t14, by=a1, disposition=D.COMPLETE, started=on(THU, 10, 40))
    t15 = due_task(due=WED, dept=ortho)  # never called, has a number: not called yet
    return SimpleNamespace(**locals())
