"""Agent figures, and the share of calls made where the calling rules allow it."""

import datetime as dt

import pytest

from followups.models import CallingWindow, CallReview, Disposition, QueueEntry
from followups.reports.agents import agent_figures, agent_summary
from followups.reports.scope import ReportScope
from followups.scheduling import CallingRules, is_callable
from tests.calls import handed, record
from tests.clock import on
from tests.factories import UserFactory, default_plan, listed
from tests.reports.conftest import MON, TUE
from tests.reports.factories import agent, call, due_task

pytestmark = pytest.mark.django_db
D = Disposition


@pytest.fixture
def calls(db):
    a1, a2 = agent("a1", "李娜"), agent("a2", "王强")
    # 李娜: three calls in the windows, two people reached.
    x, y = due_task(due=MON), due_task(due=MON)
    c1 = call(x, by=a1, disposition=D.COMPLETE, started=on(MON, 10, 40), seconds=180)
    c2 = call(y, by=a1, disposition=D.NO_ANSWER, started=on(MON, 10, 50), seconds=60)
    call(y, by=a1, disposition=D.COMPLETE, started=on(MON, 15, 5), seconds=120)
    reviewer = UserFactory(username="boss", role="supervisor")
    CallReview.objects.create(attempt=c1, reviewer=reviewer, score=80)
    CallReview.objects.create(attempt=c2, reviewer=reviewer, score=90)
    # 王强: the customer booked a callback at 19:00, outside the windows: allowed.
    # Then a call at 20:00 to another customer, whose last call booked nothing: not allowed.
    z, w = due_task(due=TUE), due_task(due=TUE)
    call(z, by=a2, disposition=D.NO_ANSWER, started=on(TUE, 10, 45), seconds=60)
    call(
        z,
        by=a2,
        disposition=D.CALLBACK,
        started=on(TUE, 15, 10),
        seconds=90,
        callback_at=on(TUE, 19),
    )
    call(z, by=a2, disposition=D.COMPLETE, started=on(TUE, 19), seconds=300)
    outside = call(w, by=a2, disposition=D.NO_ANSWER, started=on(TUE, 20), seconds=30)
    return {"outside": outside}


def rows(report) -> dict:
    return {row[0]: row[1:] for row in report.table.rows}


def test_it_gives_each_agent_their_figures(calls, period):
    figures = rows(agent_figures(scope=period))
    # 李娜: 3 calls, 2 reaching the person (2/3), handle (180+60+120)/3 = 120 s,
    # 2 people reached, 3/2 = 1.5 calls per person, reviews (80+90)/2 = 85, all 3 inside.
    assert figures["李娜"] == [3, 2, pytest.approx(2 / 3), 120.0, 2, 1.5, 85.0, 1.0, 0]
    # 王强: 4 calls, 1 reached, handle (60+90+300+30)/4 = 120 s, 1 person, 4 calls per
    # person, no review; inside: 2 in windows + the booked callback = 3 of 4; 1 outside.
    assert figures["王强"] == [4, 1, 0.25, 120.0, 1, 4.0, None, 0.75, 1]


def test_it_lists_the_calls_outside_the_rules(calls, period):
    report = agent_figures(scope=period)
    # The 19:00 callback is outside the windows but allowed; the 20:00 call is not.
    assert report.outside.rows == [
        [calls["outside"].pk - 1, "王强", "2026-11-10 19:00:00", "Yes"],
        [calls["outside"].pk, "王强", "2026-11-10 20:00:00", "No"],
    ]
    # 7 calls, 6 allowed.
    assert report.allowed_share == pytest.approx(6 / 7)


def test_a_callback_in_the_quiet_hours_is_not_allowed(db, period):
    a1 = agent("a1", "李娜")
    task = due_task(due=MON)
    call(task, by=a1, disposition=D.CALLBACK, started=on(MON, 15), callback_at=on(MON, 21, 30))
    call(task, by=a1, disposition=D.COMPLETE, started=on(MON, 21, 30))
    # Quiet hours start at 21:00: the booked time does not make the call allowed.
    assert rows(agent_figures(scope=period))["李娜"][-2:] == [0.5, 1]


def test_the_windows_follow_the_customer_clock(db, period):
    a1 = agent("a1", "李娜")
    # Urumqi is two hours behind Shanghai: 12:40 in Shanghai is 10:40 there, in a window.
    far = due_task(due=MON, timezone="Asia/Urumqi")
    call(far, by=a1, disposition=D.COMPLETE, started=on(MON, 12, 40))
    # For a customer on Shanghai time, 12:40 is between the windows.
    near = due_task(due=MON)
    call(near, by=a1, disposition=D.COMPLETE, started=on(MON, 12, 40))
    assert rows(agent_figures(scope=period))["李娜"][-2:] == [0.5, 1]


@pytest.mark.parametrize(
    ("day", "hour", "minute", "second", "inside"),
    [
        (MON, 10, 30, 0, 1.0),  # a window opens
        (MON, 11, 29, 59, 1.0),  # last second of the morning window
        (MON, 11, 30, 0, 0.0),  # the window has closed
        (MON, 10, 29, 59, 0.0),  # not yet open
        (MON, 17, 29, 59, 1.0),
        (MON, 17, 30, 0, 0.0),
        (dt.date(2026, 10, 1), 10, 40, 0, 0.0),  # National Day: closed by default
        (dt.date(2026, 11, 15), 10, 40, 0, 1.0),  # a Sunday: open by default
    ],
)
def test_it_agrees_with_is_callable(db, day, hour, minute, second, inside):
    a1 = agent("a1", "李娜")
    started = on(day, hour, minute, second)
    call(due_task(due=day), by=a1, disposition=D.COMPLETE, started=started)
    report = agent_figures(scope=ReportScope(start=day, end=day))
    assert report.table.rows[0][-2] == inside
    assert is_callable(started, CallingRules()) is bool(inside)


def test_the_dashboard_summary_counts_calls_reached_and_handle_time(calls, period):
    # 李娜: 3 calls, 2 reached, (180+60+120)/3 = 120 s; 王强: 4 calls, 1 reached,
    # (60+90+300+30)/4 = 120 s.
    assert agent_summary(scope=period).rows == [
        ["李娜", 3, 2, pytest.approx(2 / 3), 120.0],
        ["王强", 4, 1, 0.25, 120.0],
    ]


def test_calls_are_judged_by_the_rules_in_force_when_they_were_made(db):
    """A call made in the 10:30 window stays inside the rules after the centre moves its
    windows: record_outcome keeps how it stood, the report reads that."""
    plan = default_plan()
    listed(plan, day=MON)
    a1 = agent("a1", "李娜")
    entry = handed(a1, on(MON, 10, 40))
    record(
        QueueEntry.objects.get(pk=entry.pk),
        a1,
        key="k1",
        disposition=D.COMPLETE,
        started_at=on(MON, 10, 40),
        ended_at=on(MON, 10, 43),
        now=on(MON, 10, 44),
    )
    # The centre now calls only in the afternoon.
    policy = plan.calling_policy
    CallingWindow.objects.filter(policy=policy).delete()
    CallingWindow.objects.create(policy=policy, starts_at=dt.time(14), ends_at=dt.time(16))

    report = agent_figures(scope=ReportScope(start=MON, end=MON))

    assert rows(report)["李娜"][-2:] == [1.0, 0]
    assert report.outside.rows == []
