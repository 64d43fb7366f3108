"""One call settles two follow-ups of a case, one of them its routine call: the routine call
settled on the call keeps its own due day and window, and the case is left exactly one
next routine call, one cadence on."""

import datetime as dt

import pytest

from followups.models import CaseKind, FollowUpTask, PlanStep, TaskStatus
from tests.calls import handed, record
from tests.clock import MONDAY, at
from tests.factories import CaseFactory, FollowUpTaskFactory, on_list

pytestmark = pytest.mark.django_db


def test_the_routine_call_settled_on_the_call_is_not_moved_and_one_next_one_follows(plan, me):
    step = PlanStep.objects.create(plan=plan, offset_days=13)
    case = CaseFactory(plan=plan, kind=CaseKind.CONSULTATION, intent_class="C")
    # The case's day-13 call leads; its routine call, due the same Monday with the window
    # schedule_intent_call gives it (7 days), rides along.
    lead = FollowUpTaskFactory(case=case, step=step, due_date=MONDAY)
    routine = FollowUpTaskFactory(case=case, due_date=MONDAY, window_ends_on=dt.date(2026, 11, 30))
    entry = on_list(lead, MONDAY)
    assert handed(me, at(10, 40)).pk == entry.pk

    # The lead is settled first, and its new class A asks for a routine call 3 days on.
    result = record(entry, me, intent_class="A")

    assert [attempt.task_id for attempt in result.settled] == [lead.pk, routine.pk]
    routine.refresh_from_db()
    # The person's page: the routine call made on Monday, as it was due ...
    assert (routine.status, routine.due_date, routine.window_ends_on) == (
        TaskStatus.DONE,
        MONDAY,
        dt.date(2026, 11, 30),
    )
    # ... and one next routine call, due Thursday with its own 7-day window.
    pending = FollowUpTask.objects.filter(
        case=case, step__isnull=True, status=TaskStatus.PENDING
    ).values_list("due_date", "window_ends_on")
    assert list(pending) == [(dt.date(2026, 11, 26), dt.date(2026, 12, 3))]
