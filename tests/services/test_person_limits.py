"""One person, one call at a time: a person is called at most once in a calling window and
at most HUIFANG_CALLS_PER_PERSON_PER_DAY times a day, a callback they booked excepted; the
day's list holds one entry per person, with their other due follow-ups riding along.

Every test runs on both claims (the one-statement claim on PostgreSQL and the ORM claim),
through the real services: the list build, the claim and the outcome."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from followups.models import (
    CallAttempt,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.services import person_calls
from followups.services.call_lists import build_call_lists
from followups.services.claims import claim_next_call
from tests.calls import call, handed, record
from tests.clock import MONDAY, TUESDAY, at
from tests.factories import CustomerFactory, UserFactory, default_plan, due_follow_up, on_list

# Both claims must keep the limits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("claim_path")]


@pytest.fixture
def three_windows_plan():
    """Windows 10:30–11:30, 15:00–16:00 and 16:30–17:30: a retry may fall in a third
    window of the same day."""
    return default_plan(
        windows=[
            (dt.time(10, 30), dt.time(11, 30)),
            (dt.time(15), dt.time(16)),
            (dt.time(16, 30), dt.time(17, 30)),
        ]
    )


def follow_up(plan, customer=None, *, window_ends_on=MONDAY, **fields):
    """A follow-up due Monday of a new case of `customer` (a new person by default), its
    window ending that day unless said."""
    return due_follow_up(plan, customer, window_ends_on=window_ends_on, **fields)


def build(day: dt.date = MONDAY):
    with time_machine.travel(at(7, day=day), tick=False):
        return build_call_lists(day=day)


def nothing_for(agent, now: dt.datetime) -> bool:
    return claim_next_call(agent=agent, now=now).entry is None


def calls_to(customer) -> int:
    """Calls made to the person: attempts that are no other attempt's companion."""
    return CallAttempt.objects.filter(
        task__case__customer=customer, same_call_as__isnull=True
    ).count()


def test_after_a_no_answer_the_person_comes_back_only_in_another_window(plan, me, colleague):
    task = follow_up(plan)
    build()

    first = call(me, at(10, 40), "no_answer")

    entry = QueueEntry.objects.get(pk=first.pk)
    task.refresh_from_db()
    assert (entry.status, entry.calls_made) == (QueueEntryStatus.WAITING, 1)
    assert task.earliest_at == at(15, 0)  # the retry: this afternoon
    # Not again in the morning window, whoever asks.
    for moment in (at(10, 43), at(11, 0), at(11, 29)):
        assert nothing_for(colleague, moment), moment
        assert nothing_for(me, moment), moment
    # Not between the windows either.
    assert nothing_for(colleague, at(13, 0))
    # In the afternoon window it comes back.
    again = claim_next_call(agent=colleague, now=at(15, 5))
    assert again.entry is not None and again.entry.pk == entry.pk


def test_after_two_calls_the_person_is_done_for_the_day_even_with_a_retry_planned_later(
    three_windows_plan, me, colleague
):
    plan = three_windows_plan
    customer = CustomerFactory()
    first_case = follow_up(
        plan, customer, window_ends_on=TUESDAY, max_attempts=10
    )  # many calls left: its retry goes to the next window, this afternoon
    build()

    entry_pk = call(me, at(10, 40), "no_answer").pk
    first_case.refresh_from_db()
    assert first_case.earliest_at == at(15, 0)
    # A second case of the person opens at noon, due today: it joins the person's call.
    with time_machine.travel(at(12, 0), tick=False):
        opened_at_noon = follow_up(plan, customer, window_ends_on=MONDAY)

    assert call(colleague, at(15, 5), "no_answer").pk == entry_pk

    opened_at_noon.refresh_from_db()
    first_case.refresh_from_db()
    # The newer follow-up's own retry is planned for the third window of today...
    assert opened_at_noon.status == TaskStatus.PENDING
    assert opened_at_noon.earliest_at == at(16, 30)
    assert first_case.earliest_at > at(23, 59)
    # ...but the person has had the day's two calls: the entry is done.
    entry = QueueEntry.objects.get(pk=entry_pk)
    assert (entry.status, entry.calls_made) == (QueueEntryStatus.DONE, 2)
    for moment in (at(16, 30), at(16, 45), at(17, 20)):
        assert nothing_for(me, moment), moment
        assert nothing_for(colleague, moment), moment
    assert calls_to(customer) == 2


def test_a_callback_booked_later_the_same_day_still_comes_back_as_a_third_call(plan, me, colleague):
    task = follow_up(plan)
    customer = task.case.customer
    build()

    entry_pk = call(me, at(10, 40), "no_answer").pk
    call(colleague, at(15, 5), "callback", callback_at=at(16, 45))

    entry = QueueEntry.objects.get(pk=entry_pk)
    assert (entry.status, entry.calls_made) == (QueueEntryStatus.WAITING, 2)
    assert entry.task.kind == TaskKind.CALLBACK
    assert nothing_for(me, at(16, 40))  # not before the time the person gave

    third = call(me, at(16, 45), "no_answer")

    assert third.pk == entry_pk
    assert calls_to(customer) == 3
    entry.refresh_from_db()
    assert (entry.status, entry.calls_made) == (QueueEntryStatus.DONE, 3)
    assert nothing_for(colleague, at(17, 20))


def test_with_one_call_a_day_the_person_does_not_come_back_after_one_call(plan, me, colleague):
    with override_settings(HUIFANG_CALLS_PER_PERSON_PER_DAY=1):
        task = follow_up(plan)
        build()

        entry_pk = call(me, at(10, 40), "no_answer").pk

        task.refresh_from_db()
        entry = QueueEntry.objects.get(pk=entry_pk)
        assert task.status == TaskStatus.PENDING
        assert task.earliest_at == at(15, 0)  # a retry is planned this afternoon...
        assert (entry.status, entry.calls_made) == (QueueEntryStatus.DONE, 1)  # ...not today
        assert nothing_for(colleague, at(15, 5))
        assert nothing_for(colleague, at(17, 0))
        assert calls_to(task.case.customer) == 1


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_the_claim_refuses_an_entry_at_the_days_limit(plan, me, settings, limit):
    settings.HUIFANG_CALLS_PER_PERSON_PER_DAY = limit
    at_limit = on_list(follow_up(plan), MONDAY, calls_made=limit)
    under = on_list(follow_up(plan), MONDAY, calls_made=limit - 1, priority=10)

    claim = claim_next_call(agent=me, now=at(10, 40))

    assert claim.entry is not None and claim.entry.pk == under.pk
    assert nothing_for(UserFactory(username="other", role="agent"), at(10, 41))
    at_limit.refresh_from_db()
    assert at_limit.status == QueueEntryStatus.WAITING


def test_the_claim_hands_out_a_booked_callback_past_the_days_limit(plan, me):
    booked = follow_up(plan, kind=TaskKind.CALLBACK, callback_at=at(15, 30), earliest_at=at(15, 30))
    entry = on_list(booked, MONDAY, calls_made=2)

    assert nothing_for(me, at(15, 29))
    claim = claim_next_call(agent=me, now=at(15, 30))

    assert claim.entry is not None and claim.entry.pk == entry.pk


def test_two_cases_of_one_person_due_today_make_one_entry_and_one_call_covers_both(plan, me):
    first = follow_up(plan)
    customer = first.case.customer
    second = follow_up(plan, customer)
    someone_else = follow_up(plan)

    report = build()

    assert (report.added, report.riding_along) == (2, 1)
    entry = QueueEntry.objects.get(customer=customer)
    assert QueueEntry.objects.filter(call_list=entry.call_list, customer=customer).count() == 1
    assert {t.pk for t in person_calls.carried_tasks(entry)} == {first.pk, second.pk}
    assert person_calls.carried_tasks(entry)[0].pk == entry.task_id  # the lead first
    assert QueueEntry.objects.get(customer=someone_else.case.customer).task == someone_else

    # The call on the entry settles both follow-ups at once, and counts as one call.
    taken = handed(me, at(10, 40))
    assert taken.pk == entry.pk
    result = record(taken, me, key="both", ended_at=at(10, 45), now=at(10, 45))
    assert {attempt.task_id for attempt in result.settled} == {first.pk, second.pk}
    assert set(
        FollowUpTask.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {TaskStatus.DONE}
    assert calls_to(customer) == 1
    entry.refresh_from_db()
    assert (entry.status, entry.calls_made) == (QueueEntryStatus.DONE, 1)


def test_a_person_with_two_callbacks_booked_today_is_called_at_the_earlier_one(plan, me):
    """The time a person asked to be called is kept: with two booked callbacks on one day,
    the earlier one leads the person's entry, and the later one rides along with it."""
    early = follow_up(plan, kind=TaskKind.CALLBACK, callback_at=at(10, 44), earliest_at=at(10, 44))
    # An older follow-up (due two days ago), with a callback booked for this afternoon.
    follow_up(
        plan,
        early.case.customer,
        kind=TaskKind.CALLBACK,
        callback_at=at(16, 48),
        earliest_at=at(16, 48),
        due_date=MONDAY - dt.timedelta(days=2),
    )
    build()

    claim = claim_next_call(agent=me, now=at(10, 50))

    assert claim.entry is not None, (claim.reason, claim.next_possible_at)
    assert claim.entry.task_id == early.pk
