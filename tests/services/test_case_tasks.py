"""A case's plan yields its tasks; moving the anchor moves untouched tasks only."""

import datetime as dt

import pytest

from followups.models import CaseKind, FollowUpTask, TaskStatus
from followups.services.cases import open_case, sync_case_tasks
from tests.factories import CustomerFactory, FollowUpPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return FollowUpPlanFactory(offsets=[3, 7, 30])


def open_discharge_case(plan, anchor=dt.date(2026, 11, 10)):
    return open_case(
        customer=CustomerFactory(), kind=CaseKind.DISCHARGE, anchor_date=anchor, plan=plan
    )


def test_opening_a_case_creates_one_task_per_plan_step(plan):
    case = open_discharge_case(plan)
    dues = sorted(case.tasks.values_list("due_date", flat=True))
    assert dues == [dt.date(2026, 11, 13), dt.date(2026, 11, 17), dt.date(2026, 12, 10)]


def test_syncing_again_creates_nothing(plan):
    case = open_discharge_case(plan)
    assert sync_case_tasks(case=case) == 0
    assert case.tasks.count() == 3


def test_a_new_anchor_moves_untouched_tasks_but_not_history(plan):
    case = open_discharge_case(plan)
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
    case = open_discharge_case(plan)
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
    case = open_discharge_case(plan)
    assert FollowUpTask.objects.get(case=case).deadline == dt.date(2026, 11, 25)
