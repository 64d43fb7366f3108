"""Recurring steps for chronic follow-up: a step that comes back every month keeps its next
calls made ahead (two at most, 90 days at most) as calls are made, until the case closes."""

import datetime as dt

import pytest
import time_machine

from followups.models import CaseKind, CaseStatus, PlanStep, TaskStatus
from followups.services.call_lists import build_call_lists
from followups.services.cases import open_case, sync_case_tasks, top_up_recurring
from tests.calls import call
from tests.clock import at
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2026, 11, 10)


@pytest.fixture
def chronic(plan):
    """A plan with a call on day 3 and, from day 30, a call every month."""
    PlanStep.objects.create(plan=plan, offset_days=3)
    PlanStep.objects.create(plan=plan, offset_days=30, repeat_every=1, repeat_unit="months")
    return plan


def opened(plan):
    with time_machine.travel(at(9, 0, ANCHOR), tick=False):
        return open_case(
            customer=CustomerFactory(), kind=CaseKind.DISCHARGE, anchor_date=ANCHOR, plan=plan
        )


def waiting(case) -> list[tuple[int, dt.date]]:
    return list(
        case.tasks.filter(status=TaskStatus.PENDING, step__repeat_every__isnull=False)
        .order_by("occurrence")
        .values_list("occurrence", "due_date")
    )


def test_a_new_case_has_its_next_two_monthly_calls_made_ahead(chronic):
    case = opened(chronic)
    assert sorted(case.tasks.values_list("due_date", flat=True)) == [
        dt.date(2026, 11, 13),
        dt.date(2026, 12, 10),
        dt.date(2027, 1, 10),
    ]
    assert sync_case_tasks(case=case, today=ANCHOR) == 0


def test_a_monthly_call_made_brings_the_next_one(chronic, me):
    case = opened(chronic)
    day = dt.date(2026, 12, 10)
    with time_machine.travel(at(7, 30, day), tick=False):
        build_call_lists(day=day)
    with time_machine.travel(at(10, 40, day), tick=False):
        call(me, at(10, 40, day), "complete")
    done = case.tasks.get(occurrence=1, step__repeat_every=1)
    assert done.status == TaskStatus.DONE
    assert waiting(case) == [(2, dt.date(2027, 1, 10)), (3, dt.date(2027, 2, 10))]


def test_the_daily_top_up_makes_the_calls_that_came_inside_the_horizon(chronic):
    case = opened(chronic)
    # The December call ends without the service hearing of it (e.g. window missed).
    case.tasks.filter(due_date=dt.date(2026, 12, 10)).update(status=TaskStatus.WINDOW_MISSED)
    assert top_up_recurring(today=dt.date(2026, 12, 20)) == 1
    assert waiting(case) == [(2, dt.date(2027, 1, 10)), (3, dt.date(2027, 2, 10))]
    # A second run the same day makes nothing more.
    assert top_up_recurring(today=dt.date(2026, 12, 20)) == 0


def test_a_closed_case_gets_no_more_calls(chronic):
    case = opened(chronic)
    case.tasks.update(status=TaskStatus.DONE)
    case.status = CaseStatus.CLOSED
    case.save()
    assert top_up_recurring(today=dt.date(2027, 1, 5)) == 0
    assert case.tasks.filter(status=TaskStatus.PENDING).count() == 0


def test_a_step_no_longer_repeating_cancels_its_untouched_repeats(chronic):
    case = opened(chronic)
    monthly = chronic.steps.get(offset_days=30)
    monthly.repeat_every, monthly.repeat_unit = None, ""
    monthly.save()
    sync_case_tasks(case=case, today=ANCHOR)
    assert list(
        case.tasks.filter(status=TaskStatus.PENDING)
        .order_by("due_date")
        .values_list("due_date", flat=True)
    ) == [dt.date(2026, 11, 13), dt.date(2026, 12, 10)]
