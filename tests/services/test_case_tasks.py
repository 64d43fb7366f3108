"""A case's plan yields its tasks; moving the anchor moves untouched tasks only."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from followups.models import CaseKind, FollowUpTask, TaskStatus
from followups.services.cases import open_case, schedule_intent_call, sync_case_tasks
from tests.clock import SHANGHAI, shanghai
from tests.factories import CustomerFactory, FollowUpPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return FollowUpPlanFactory(offsets=[3, 7, 30])


def opened(kind=CaseKind.DISCHARGE, *, customer=None, anchor=dt.date(2026, 11, 10), **fields):
    """A case of `customer` (a new one by default), opened by the case service."""
    customer = customer or CustomerFactory()
    return open_case(customer=customer, kind=kind, anchor_date=anchor, **fields)


def test_opening_a_case_creates_one_task_per_plan_step(plan):
    case = opened(plan=plan)
    dues = sorted(case.tasks.values_list("due_date", flat=True))
    assert dues == [dt.date(2026, 11, 13), dt.date(2026, 11, 17), dt.date(2026, 12, 10)]


def test_syncing_again_creates_nothing(plan):
    case = opened(plan=plan)
    assert sync_case_tasks(case=case) == 0
    assert case.tasks.count() == 3


def test_a_new_anchor_moves_untouched_tasks_but_not_history(plan):
    case = opened(plan=plan)
    first = case.tasks.get(due_date=dt.date(2026, 11, 13))
    first.status, first.attempts = TaskStatus.DONE, 1
    first.save()
    case.anchor_date = dt.date(2026, 11, 20)
    case.save()
    sync_case_tasks(case=case)
    first.refresh_from_db()
    assert first.due_date == dt.date(2026, 11, 13)
    assert sorted(
        case.tasks.filter(status=TaskStatus.PENDING).values_list("due_date", flat=True)
    ) == [
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 20),
    ]


def test_a_new_plan_cancels_the_old_plans_untouched_tasks(plan):
    case = opened(plan=plan)
    case.plan = FollowUpPlanFactory(offsets=[1])
    case.save()
    assert sync_case_tasks(case=case) == 1
    assert case.tasks.filter(status=TaskStatus.CANCELLED).count() == 3
    assert list(
        case.tasks.filter(status=TaskStatus.PENDING).values_list("due_date", flat=True)
    ) == [dt.date(2026, 11, 11)]


def test_a_step_deadline_is_carried_to_its_task(db):
    plan = FollowUpPlanFactory(offsets=[])
    plan.steps.create(offset_days=1, deadline_days=15)
    case = opened(plan=plan)
    assert FollowUpTask.objects.get(case=case).deadline == dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("intent", "due"),
    [("A", dt.date(2026, 11, 13)), ("B", dt.date(2026, 11, 17)), ("C", dt.date(2026, 12, 1))],
)
def test_an_intent_class_yields_its_routine_call(intent, due):
    plan = FollowUpPlanFactory(offsets=[])
    case = opened(CaseKind.CONSULTATION, plan=plan, intent_class=intent)
    assert list(case.tasks.values_list("due_date", flat=True)) == [due]


def test_class_d_gets_no_routine_call():
    case = opened(CaseKind.PURCHASE, intent_class="D")
    assert not case.tasks.exists()


def test_changing_the_class_reschedules_the_pending_routine_call():
    case = opened(CaseKind.POLICY, intent_class="C")
    case.intent_class = "A"
    case.save()
    schedule_intent_call(case=case, last_call=dt.date(2026, 11, 12))
    assert list(case.tasks.filter(status="pending").values_list("due_date", flat=True)) == [
        dt.date(2026, 11, 15)
    ]


def test_each_task_carries_the_first_moment_it_may_be_called(plan):
    case = opened(plan=plan, anchor=dt.date(2026, 9, 28))
    earliest = {task.due_date: task.earliest_at.astimezone(SHANGHAI) for task in case.tasks.all()}
    # Days 3 and 7 fall in the National Day holiday (1–7 October 2026): the first open
    # day after it is Thursday 8 October.
    assert earliest[dt.date(2026, 10, 1)] == shanghai(2026, 10, 8, 10, 30)
    assert earliest[dt.date(2026, 10, 5)] == shanghai(2026, 10, 8, 10, 30)
    assert earliest[dt.date(2026, 10, 28)] == shanghai(2026, 10, 28, 10, 30)


def test_a_customer_abroad_gets_the_first_window_on_their_own_clock(plan):
    customer = CustomerFactory(timezone="America/Los_Angeles")
    case = opened(customer=customer, plan=plan)
    first = case.tasks.get(due_date=dt.date(2026, 11, 13))
    assert first.earliest_at == dt.datetime(
        2026, 11, 13, 10, 30, tzinfo=ZoneInfo("America/Los_Angeles")
    )
