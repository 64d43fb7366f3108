"""The supervisor's verbs on calls: review, reassign, send back; each one audited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from followups.models import (
    AuditAction,
    AuditEvent,
    CallList,
    CaseStatus,
    QueueEntry,
    QueueEntryStatus,
    TaskStatus,
)
from followups.services.reviews import reassign_entries, review_call, send_case_back
from tests.factories import UserFactory, on_list
from tests.reports.conftest import WED
from tests.reports.factories import agent, due_task

pytestmark = pytest.mark.django_db
TODAY = WED  # of the reports' week: Wednesday 11 November 2026


def test_a_review_stores_the_score_and_comment_and_is_audited(made_call, supervisor):
    review = review_call(attempt=made_call, reviewer=supervisor, score=85, comment=" 礼貌周到 ")
    review.refresh_from_db()
    assert (review.attempt, review.reviewer, review.score, review.comment) == (
        made_call,
        supervisor,
        85,
        "礼貌周到",
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id, event.detail) == (
        AuditAction.REVIEW_CALL,
        supervisor,
        str(made_call.pk),
        {"score": 85},
    )


@pytest.mark.parametrize("score", [-1, 101])
def test_a_score_outside_0_to_100_is_refused(made_call, supervisor, score):
    with pytest.raises(ValidationError):
        review_call(attempt=made_call, reviewer=supervisor, score=score)
    assert not made_call.reviews.exists()
    assert not AuditEvent.objects.exists()


@pytest.fixture
def todays_list(db):
    a1, a2 = agent("a1"), agent("a2")
    entries = [on_list(due_task(due=TODAY), TODAY, assigned_agent=a1) for _ in range(3)]
    entries[2].status = QueueEntryStatus.CLAIMED
    entries[2].save()
    old = on_list(due_task(due=TODAY), TODAY - dt.timedelta(days=1), assigned_agent=a1)
    return a1, a2, entries, old


def test_reassigning_moves_only_todays_waiting_entries(todays_list, supervisor):
    a1, a2, entries, old = todays_list
    ids = [entry.pk for entry in entries] + [old.pk]
    moved = reassign_entries(day=TODAY, entry_ids=ids, to_agent=a2, by=supervisor)
    # Two waiting entries of today move; the claimed one and yesterday's stay with a1.
    assert moved == 2
    assigned = dict(QueueEntry.objects.values_list("pk", "assigned_agent"))
    assert assigned == {
        entries[0].pk: a2.pk,
        entries[1].pk: a2.pk,
        entries[2].pk: a1.pk,
        old.pk: a1.pk,
    }
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.REASSIGN
    assert event.detail == {
        "day": "2026-11-11",
        "entries": sorted([entries[0].pk, entries[1].pk]),
        "count": 2,
    }


def test_calls_go_only_to_someone_who_works_the_queue(todays_list, supervisor):
    _, _, entries, _ = todays_list
    with pytest.raises(ValidationError):
        reassign_entries(day=TODAY, entry_ids=[entries[0].pk], to_agent=supervisor, by=supervisor)
    assert not AuditEvent.objects.exists()


def test_sending_a_closed_case_back_reopens_it_with_a_task_for_tomorrow(supervisor):
    task = due_task(due=TODAY - dt.timedelta(days=5), status=TaskStatus.CANCELLED)
    case = task.case
    case.status, case.closed_reason = CaseStatus.CLOSED, "refused"
    case.save()
    new = send_case_back(
        case=case, by=supervisor, due_date=TODAY + dt.timedelta(days=1), today=TODAY
    )
    case.refresh_from_db()
    assert (case.status, case.closed_reason, case.closed_at) == (CaseStatus.OPEN, "", None)
    new.refresh_from_db()
    assert (new.case, new.status, new.due_date, new.attempts) == (
        case,
        TaskStatus.PENDING,
        dt.date(2026, 11, 12),
        0,
    )
    # The first window of the due day: 10:30 in Shanghai.
    assert new.earliest_at.isoformat() == "2026-11-12T02:30:00+00:00"
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id) == (AuditAction.REOPEN_CASE, str(case.pk))
    assert event.detail == {"task": new.pk, "due_date": "2026-11-12", "reopened": True}


def test_a_case_is_not_sent_back_twice_for_the_same_day(supervisor):
    task = due_task(due=TODAY)
    with pytest.raises(ValidationError):
        send_case_back(case=task.case, by=supervisor, due_date=TODAY, today=TODAY)
    assert task.case.tasks.count() == 1


@pytest.mark.parametrize("days", [-1, 2])
def test_a_case_goes_back_only_for_today_or_tomorrow(supervisor, days):
    task = due_task(due=TODAY - dt.timedelta(days=9), status=TaskStatus.DONE)
    with pytest.raises(ValidationError):
        send_case_back(
            case=task.case, by=supervisor, due_date=TODAY + dt.timedelta(days=days), today=TODAY
        )
    assert task.case.tasks.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_case_sent_back_for_today_joins_todays_list(
    supervisor, django_capture_on_commit_callbacks
):
    agent("a1")
    CallList.objects.create(day=TODAY)
    task = due_task(due=TODAY - dt.timedelta(days=9), status=TaskStatus.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        new = send_case_back(case=task.case, by=supervisor, due_date=TODAY, today=TODAY)
    # The day's list was built already: a second build adds the new task.
    assert list(QueueEntry.objects.values_list("task", flat=True)) == [new.pk]


def test_the_reassign_target_must_be_active(todays_list, supervisor):
    _, _, entries, _ = todays_list
    gone = UserFactory(username="gone", role="agent", is_active=False)
    with pytest.raises(ValidationError):
        reassign_entries(day=TODAY, entry_ids=[entries[0].pk], to_agent=gone, by=supervisor)
