"""The morning count of the due days (services/due_days.count_past_days) beside a change
not yet committed on another connection, on real PostgreSQL: the changed day is left (its
advisory lock is held by the change's trigger), the others are stored, and the next count
stores the changed day as committed."""

import datetime as dt
import threading
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from followups.models import Case, CaseKind, DueDay, FollowUpTask, TaskStatus
from followups.reports.due_days import DayCounts, counted_days, due_tasks
from followups.reports.scope import ReportScope
from followups.services.due_days import count_past_days
from tests.clock import MONDAY
from tests.factories import CaseFactory, FollowUpTaskFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = MONDAY
D, E = TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=21)
WAIT = 10  # seconds, at most, for the other connection


@contextmanager
def held_elsewhere(change):
    """``change`` made in a transaction of another connection, kept open (uncommitted)
    inside the block and committed at its end."""
    held, commit, failed = threading.Event(), threading.Event(), []

    def work():
        try:
            with transaction.atomic():
                change()
                held.set()
                assert commit.wait(WAIT)
        except BaseException as error:  # shown in the test's thread
            failed.append(error)
            held.set()
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert held.wait(WAIT)
        assert not failed, failed
        yield
    finally:
        commit.set()
        thread.join(WAIT)
    assert not thread.is_alive() and not failed, failed


def stored_as_counted(day: dt.date) -> bool:
    """The day's row says what its tasks say now."""
    row = DayCounts.of(DueDay.objects.values().get(day=day))
    now = counted_days(due_tasks(ReportScope(start=day, end=day)), [day])[day]
    return (row.agents, row.departments, row.outcomes) == (
        now.agents,
        now.departments,
        now.outcomes,
    )


def test_a_day_changed_by_an_open_transaction_is_left_then_counted(postgres):
    on_d = FollowUpTaskFactory(case=CaseFactory(), due_date=D)
    FollowUpTaskFactory(case=CaseFactory(), due_date=E)
    missed = FollowUpTask.objects.filter(pk=on_d.pk)

    with held_elsewhere(lambda: missed.update(status=TaskStatus.WINDOW_MISSED)):
        assert count_past_days(today=TODAY) == 399  # every past day but D
        days = set(DueDay.objects.values_list("day", flat=True))
        assert D not in days and E in days

    assert count_past_days(today=TODAY) == 1
    assert DueDay.objects.get(day=D).departments == [[None, CaseKind.DISCHARGE, 1, 0, 0, 1]]
    assert stored_as_counted(D) and stored_as_counted(E)


def test_a_task_added_while_its_case_changes_kind_leaves_no_stale_day(postgres):
    case = CaseFactory(kind=CaseKind.DISCHARGE)
    FollowUpTaskFactory(case=case, due_date=D)
    count_past_days(today=TODAY)
    changed = Case.objects.filter(pk=case.pk)

    with held_elsewhere(lambda: changed.update(kind=CaseKind.CONSULTATION)):
        # Not blocked: the task's foreign key takes a key-share lock, the kind's update
        # only a no-key one.
        FollowUpTaskFactory(case=case, due_date=E, occurrence=2)
        count_past_days(today=TODAY)
        # E is left: its task's case is being changed, and the change's trigger did not
        # see the task.
        assert not DueDay.objects.filter(day=E).exists()
    count_past_days(today=TODAY)

    assert stored_as_counted(D)
    assert stored_as_counted(E)


def test_under_another_isolation_level_a_change_to_a_task_is_refused(postgres):
    # The triggers could miss a row a count committed meanwhile (REPEATABLE READ reads the
    # transaction's first snapshot): they refuse, rather than leave a wrong day standing.
    task = FollowUpTaskFactory(due_date=D)
    count_past_days(today=TODAY)
    with pytest.raises(DatabaseError, match="READ COMMITTED"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        FollowUpTask.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    assert FollowUpTask.objects.get(pk=task.pk).status == TaskStatus.PENDING
    assert stored_as_counted(D)
