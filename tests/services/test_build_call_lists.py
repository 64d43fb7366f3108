"""The daily list: due and overdue open tasks of callable customers, once each, balanced."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command

from followups.models import (
    CallList,
    CaseStatus,
    HolidayOverride,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.services.call_lists import build_call_lists
from tests.clock import MONDAY, SHANGHAI, at
from tests.factories import CaseFactory, FollowUpTaskFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

NATIONAL_DAY = dt.date(2026, 10, 1)


@pytest.fixture
def policy(plan):
    return plan.calling_policy


def task(plan, due=MONDAY, **case_fields):
    return FollowUpTaskFactory(case=CaseFactory(plan=plan, **case_fields), due_date=due)


def test_due_and_overdue_tasks_go_on_the_list_and_future_ones_do_not(plan):
    due = task(plan, due=MONDAY)
    overdue = task(plan, due=MONDAY - dt.timedelta(days=4))
    task(plan, due=MONDAY + dt.timedelta(days=1))
    report = build_call_lists(day=MONDAY)
    assert report.added == 2
    listed = set(QueueEntry.objects.values_list("task_id", flat=True))
    assert listed == {due.pk, overdue.pk}


def test_second_build_adds_nothing(plan):
    for _ in range(5):
        task(plan)
    assert build_call_lists(day=MONDAY).added == 5
    second = build_call_lists(day=MONDAY)
    assert (second.added, second.already_listed) == (0, 5)
    assert QueueEntry.objects.count() == 5


def test_it_skips_and_counts_who_may_not_be_called(plan):
    task(plan)
    task(plan, customer__do_not_call=True)
    task(plan, customer__phone="")
    task(plan, status=CaseStatus.CLOSED)
    deceased = PatientFactory(died_on=MONDAY - dt.timedelta(days=2))
    task(plan, customer=deceased.customer, patient=deceased)
    done = task(plan)
    done.status = TaskStatus.DONE
    done.save()
    report = build_call_lists(day=MONDAY)
    assert report.added == 1
    assert dict(report.skipped) == {
        "do_not_call": 1,
        "no_phone_number": 1,
        "case_closed": 1,
        "deceased": 1,
    }
    assert CallList.objects.get(day=MONDAY).report["skipped"]["deceased"] == 1


def test_nobody_is_listed_on_a_public_holiday(plan):
    task(plan, due=NATIONAL_DAY)
    report = build_call_lists(day=NATIONAL_DAY)
    assert report.added == 0
    assert report.skipped == {"closed_day": 1}


def test_an_admin_closed_day_wins(plan, policy):
    HolidayOverride.objects.create(policy=policy, day=MONDAY, kind="closed", note="training")
    task(plan)
    assert build_call_lists(day=MONDAY).skipped == {"closed_day": 1}


def test_a_policy_calling_on_holidays_lists_them(plan, policy):
    policy.holiday_rule = "call_on_holidays"
    policy.save()
    task(plan, due=NATIONAL_DAY)
    assert build_call_lists(day=NATIONAL_DAY).added == 1


def test_a_year_without_official_schedule_is_reported_not_fatal(plan):
    day = dt.date(2027, 3, 1)
    task(plan, due=day)
    report = build_call_lists(day=day)
    assert report.added == 1
    assert report.calendar_warnings == [2027]


def test_the_order_is_callbacks_deadlines_overdue_intent_then_due_date(plan):
    plain = task(plan, due=MONDAY)
    intent_a = task(plan, due=MONDAY, intent_class="A")
    overdue = task(plan, due=MONDAY - dt.timedelta(days=1))
    near_deadline = task(plan, due=MONDAY)
    near_deadline.deadline = MONDAY + dt.timedelta(days=2)
    near_deadline.save()
    callback = task(plan, due=MONDAY)
    callback.kind = TaskKind.CALLBACK
    callback.save()
    build_call_lists(day=MONDAY)
    order = list(QueueEntry.objects.order_by("priority").values_list("task_id", flat=True))
    assert order == [callback.pk, near_deadline.pk, overdue.pk, intent_a.pk, plain.pk]


def test_entries_are_shared_evenly_among_agents(plan):
    agents = [UserFactory(username=f"agent{n}", role="agent") for n in range(3)]
    UserFactory(username="boss", role="supervisor")
    for _ in range(9):
        task(plan)
    build_call_lists(day=MONDAY)
    load = Counter(QueueEntry.objects.values_list("assigned_agent_id", flat=True))
    assert load == {agent.pk: 3 for agent in agents}


def test_a_case_stays_with_its_agent(plan):
    keeper = UserFactory(username="keeper", role="agent")
    UserFactory(username="other", role="agent")
    kept = task(plan, agent=keeper)
    build_call_lists(day=MONDAY)
    assert QueueEntry.objects.get(task=kept).assigned_agent == keeper


def test_an_inactive_agent_gets_nothing(plan):
    UserFactory(username="away", role="agent", is_active=False)
    present = UserFactory(username="here", role="agent")
    task(plan)
    build_call_lists(day=MONDAY)
    assert QueueEntry.objects.get().assigned_agent == present


def test_the_command_prints_what_it_added(plan, capsys):
    task(plan)
    call_command("build_call_lists", "--date", MONDAY.isoformat())
    assert capsys.readouterr().out.splitlines()[0] == (
        "Call list 2026-11-23: added 1 entries (0 already on the list)."
    )


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD"):
        call_command("build_call_lists", "--date", "23/11/2026")


def test_an_admin_window_change_reaches_the_next_build(plan, policy):
    """A list is about days, windows about hours: an admin who removes every weekday
    from the policy closes tomorrow for it."""
    policy.weekdays = "56"  # weekends only
    policy.save()
    task(plan, due=MONDAY)
    assert build_call_lists(day=MONDAY).skipped == {"closed_day": 1}


def test_only_agents_on_the_days_roster_get_entries(plan):
    from followups.models import DutyDay

    rostered = UserFactory(username="rostered", role="agent")
    UserFactory(username="day-off", role="agent")
    DutyDay.objects.create(agent=rostered, day=MONDAY)
    for _ in range(3):
        task(plan)
    build_call_lists(day=MONDAY)
    assert set(QueueEntry.objects.values_list("assigned_agent_id", flat=True)) == {rostered.pk}


def test_the_beat_task_and_the_command_build_the_same_list(plan):
    from followups.tasks import build_call_lists_task

    UserFactory(username="a1", role="agent")
    UserFactory(username="a2", role="agent")
    for n in range(6):
        task(plan, due=MONDAY - dt.timedelta(days=n % 3), intent_class="AB"[n % 2])

    def listed():
        return sorted(
            QueueEntry.objects.values_list("task_id", "priority", "assigned_agent__username")
        )

    report = build_call_lists_task.delay(MONDAY.isoformat()).get()
    by_task = listed()
    QueueEntry.objects.all().delete()
    call_command("build_call_lists", "--date", MONDAY.isoformat())
    assert report["added"] == 6
    assert listed() == by_task


def test_a_new_days_build_closes_what_was_left_on_earlier_lists(plan):
    """Sunday's untaken calls are cancelled on Sunday's list and listed again on Monday; a
    call somebody still holds is left to them; Monday's own list is not touched by an
    early build of Tuesday's."""
    sunday = MONDAY - dt.timedelta(days=1)
    left, held = task(plan, due=sunday), task(plan, due=sunday)
    with time_machine.travel(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI), tick=False):
        build_call_lists(day=sunday)
        QueueEntry.objects.filter(task=held).update(
            status=QueueEntryStatus.CLAIMED,
            claimed_by=UserFactory(role="agent"),
            lease_expires_at=dt.datetime(2026, 11, 23, 9, 10, tzinfo=SHANGHAI),
        )

    with time_machine.travel(dt.datetime(2026, 11, 23, 7, 30, tzinfo=SHANGHAI), tick=False):
        report = build_call_lists(day=MONDAY)
        build_call_lists(day=MONDAY + dt.timedelta(days=1))

    statuses = dict(
        QueueEntry.objects.filter(call_list__day=sunday).values_list("task_id", "status")
    )
    assert statuses == {left.pk: QueueEntryStatus.CANCELLED, held.pk: QueueEntryStatus.CLAIMED}
    assert report.closed_earlier == 1
    assert report.as_dict()["closed_earlier"] == 1
    monday = QueueEntry.objects.filter(call_list__day=MONDAY)
    assert set(monday.values_list("status", flat=True)) == {QueueEntryStatus.WAITING}
    assert left.pk in set(monday.values_list("task_id", flat=True))


# --- The follow-up window, the next call's moment, numbers to fix ------------------------------


def building(day: dt.date):
    """The build as the morning task runs it, at 07:30 on the day."""
    return time_machine.travel(at(7, 30, day=day), tick=False)


def test_a_task_whose_window_passed_unreached_ends_window_missed_and_leaves_the_list(plan):
    missed = task(plan, due=MONDAY - dt.timedelta(days=8))
    missed.window_ends_on = MONDAY - dt.timedelta(days=1)
    missed.save()
    last_day = task(plan, due=MONDAY - dt.timedelta(days=7))
    last_day.window_ends_on = MONDAY
    last_day.save()

    with building(MONDAY):
        report = build_call_lists(day=MONDAY)

    assert (report.window_missed, report.added) == (1, 1)
    missed.refresh_from_db()
    assert (missed.status, missed.status_reason) == (TaskStatus.WINDOW_MISSED, "window_missed")
    assert list(QueueEntry.objects.values_list("task_id", flat=True)) == [last_day.pk]
    assert CallList.objects.get(day=MONDAY).report["window_missed"] == 1


def test_building_tomorrows_list_early_leaves_todays_last_chances_alone(plan):
    ends_today = task(plan, due=MONDAY - dt.timedelta(days=7))
    ends_today.window_ends_on = MONDAY
    ends_today.save()

    with building(MONDAY):
        report = build_call_lists(day=MONDAY + dt.timedelta(days=1))

    ends_today.refresh_from_db()
    assert (report.window_missed, ends_today.status) == (0, TaskStatus.PENDING)


def test_a_retry_planned_for_a_later_day_waits_for_that_days_list(plan):
    # Due last Friday, retried on Wednesday afternoon: its due date stays Friday's.
    retried = task(plan, due=MONDAY - dt.timedelta(days=3))
    retried.kind, retried.earliest_at = TaskKind.RETRY, at(15, 0, day=MONDAY + dt.timedelta(2))
    retried.save()

    with building(MONDAY):
        assert build_call_lists(day=MONDAY).added == 0
    with building(MONDAY + dt.timedelta(days=2)):
        assert build_call_lists(day=MONDAY + dt.timedelta(days=2)).added == 1


def test_a_task_without_a_number_is_flagged_and_listed_once_a_number_is_added(plan):
    nameless = task(plan, customer__phone="")

    with building(MONDAY):
        report = build_call_lists(day=MONDAY)

    nameless.refresh_from_db()
    assert (report.skipped["no_phone_number"], report.flagged_needs_number) == (1, 1)
    assert (nameless.status, nameless.needs_number_fix) == (TaskStatus.PENDING, True)

    customer = nameless.case.customer
    customer.phone = "+8613812345678"
    customer.save()
    tuesday = MONDAY + dt.timedelta(days=1)
    with building(tuesday):
        assert build_call_lists(day=tuesday).added == 1
    nameless.refresh_from_db()
    assert nameless.needs_number_fix is False


def test_the_migration_puts_a_retried_steps_due_date_back_and_gives_open_tasks_a_window(plan):
    import importlib

    from django.apps import apps

    from followups.models import PlanStep

    step = PlanStep.objects.create(plan=plan, offset_days=3, window_days=5)
    case = CaseFactory(plan=plan, anchor_date=MONDAY)
    # A retry of the old rules had moved the due date to the retry's day.
    moved = FollowUpTaskFactory(
        case=case, step=step, kind=TaskKind.RETRY, due_date=MONDAY + dt.timedelta(days=4)
    )
    no_step = FollowUpTaskFactory(case=case, due_date=MONDAY)
    migration = importlib.import_module("followups.migrations.0010_contact_strategy")

    migration.repair_due_dates_and_windows(apps, None)

    moved.refresh_from_db()
    no_step.refresh_from_db()
    assert (moved.due_date, moved.window_ends_on) == (
        MONDAY + dt.timedelta(days=3),
        MONDAY + dt.timedelta(days=8),
    )
    assert (no_step.due_date, no_step.window_ends_on) == (MONDAY, MONDAY + dt.timedelta(days=7))


# --- One person, one entry ----------------------------------------------------------------------


def test_a_person_with_several_follow_ups_due_is_listed_once_led_by_the_most_urgent(plan):
    first = task(plan, due=MONDAY - dt.timedelta(days=3))
    customer = first.case.customer
    second = task(plan, customer=customer)
    callback = FollowUpTaskFactory(
        case=CaseFactory(plan=plan, customer=customer),
        due_date=MONDAY,
        kind=TaskKind.CALLBACK,
        callback_at=dt.datetime(2026, 11, 23, 15, 30, tzinfo=SHANGHAI),
        earliest_at=dt.datetime(2026, 11, 23, 15, 30, tzinfo=SHANGHAI),
    )
    someone_else = task(plan)

    report = build_call_lists(day=MONDAY)

    assert (report.added, report.riding_along) == (2, 2)
    entry = QueueEntry.objects.get(customer=customer)
    assert entry.task == callback  # a booked callback leads the person's call
    assert QueueEntry.objects.get(customer=someone_else.case.customer).task == someone_else
    assert second.pk not in set(QueueEntry.objects.values_list("task_id", flat=True))


def test_a_follow_up_that_comes_due_after_the_persons_call_lists_them_again(plan):
    called = task(plan)
    build_call_lists(day=MONDAY)
    entry = QueueEntry.objects.get()
    entry.status, entry.calls_made = QueueEntryStatus.DONE, 1
    entry.closed_at = dt.datetime(2026, 11, 23, 10, 45, tzinfo=SHANGHAI)
    entry.save()
    called.status = TaskStatus.DONE
    called.save()
    # A supervisor sends another case of the same person back for a call today.
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI)):
        sent_back = task(plan, customer=called.case.customer)

    report = build_call_lists(day=MONDAY)

    entry.refresh_from_db()
    assert (report.added, report.listed_again) == (0, 1)
    assert (entry.status, entry.task, entry.calls_made) == (QueueEntryStatus.WAITING, sent_back, 1)
    assert QueueEntry.objects.count() == 1


def test_a_person_at_the_days_limit_of_calls_is_not_listed_again(plan, settings):
    settings.HUIFANG_CALLS_PER_PERSON_PER_DAY = 1
    called = task(plan)
    build_call_lists(day=MONDAY)
    QueueEntry.objects.update(
        status=QueueEntryStatus.DONE,
        calls_made=1,
        closed_at=dt.datetime(2026, 11, 23, 10, 45, tzinfo=SHANGHAI),
    )
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI)):
        task(plan, customer=called.case.customer)

    report = build_call_lists(day=MONDAY)

    assert (report.listed_again, report.already_listed) == (0, 2)
    assert QueueEntry.objects.get().status == QueueEntryStatus.DONE
