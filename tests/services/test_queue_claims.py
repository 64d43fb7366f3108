"""Claiming the next call: who gets which entry, when, under a lease, and why not."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from followups.models import (
    AuditAction,
    AuditEvent,
    DutyDay,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.services.call_lists import build_call_lists
from followups.services.claims import claim_next_call
from followups.services.leases import release_expired_leases, renew_lease, reveal_phone
from tests.clock import MONDAY, TUESDAY, at
from tests.factories import CustomerFactory, UserFactory, due_follow_up, listed, on_list

# Every claim test runs on both claims; the messages are asserted in English (the msgids).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("claim_path", "english")]


def agent(name: str):
    return UserFactory(username=name, role="agent")


def test_it_hands_out_callbacks_then_near_deadlines_overdue_intent_a_then_the_rest(plan):
    plain = due_follow_up(plan)
    intent_a = due_follow_up(plan, intent_class="A")
    overdue = due_follow_up(plan, due_date=MONDAY - dt.timedelta(days=1))
    near_deadline = due_follow_up(plan, deadline=MONDAY + dt.timedelta(days=2))
    callback = due_follow_up(plan, kind=TaskKind.CALLBACK, callback_at=at(10, 35))
    build_call_lists(day=MONDAY)  # nobody on duty yet: every entry is in the pool

    claimed = [
        claim_next_call(agent=agent(f"a{n}"), now=at(10, 40)).entry.task_id for n in range(5)
    ]

    assert claimed == [callback.pk, near_deadline.pk, overdue.pk, intent_a.pk, plain.pk]


def test_entries_of_equal_priority_go_in_the_order_they_were_listed(plan):
    first, second = listed(plan, priority=7), listed(plan, priority=7)
    taken = [claim_next_call(agent=agent(name), now=at(10, 40)).entry for name in ("x", "y")]
    assert [entry.pk for entry in taken] == [first.pk, second.pk]


def test_it_takes_the_claim_and_a_fifteen_minute_lease(plan):
    entry = listed(plan)
    me = agent("me")

    claim = claim_next_call(agent=me, now=at(10, 40))

    assert (claim.entry.pk, claim.reason, claim.next_possible_at) == (entry.pk, None, None)
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.CLAIMED
    assert (entry.claimed_by, entry.claimed_at) == (me, at(10, 40))
    assert entry.lease_expires_at == at(10, 55)


def test_an_agents_own_entries_come_before_better_ones_from_the_pool(plan):
    me = agent("me")
    mine = listed(plan, agent=me, priority=500)
    pooled = listed(plan, priority=100)

    assert claim_next_call(agent=me, now=at(10, 40)).entry.pk == mine.pk
    assert claim_next_call(agent=agent("other"), now=at(10, 40)).entry.pk == pooled.pk


def test_once_their_own_are_done_agents_work_the_pool(plan):
    me = agent("me")
    pooled = listed(plan, priority=100)
    assert claim_next_call(agent=me, now=at(10, 40)).entry.pk == pooled.pk


def test_with_nothing_of_their_own_an_agent_takes_a_busy_colleagues_waiting_call(plan):
    colleague, me = agent("colleague"), agent("me")
    on_the_phone = listed(plan, agent=colleague, priority=1)
    waiting = listed(plan, agent=colleague, priority=2)
    assert claim_next_call(agent=colleague, now=at(10, 40)).entry.pk == on_the_phone.pk

    claim = claim_next_call(agent=me, now=at(10, 41))

    assert claim.entry.pk == waiting.pk
    # The claim says whose call it was; the list still says it is the colleague's.
    assert claim.entry.from_colleague_id == colleague.pk
    waiting.refresh_from_db()
    assert (waiting.claimed_by, waiting.assigned_agent) == (me, colleague)


def test_a_colleagues_call_is_taken_only_when_none_of_ones_own_may_be_called(plan):
    colleague, me = agent("colleague"), agent("me")
    theirs = listed(plan, agent=colleague, priority=1)
    # Mine may be called from 10:45; theirs now.
    mine = listed(plan, agent=me, priority=9, earliest_at=at(10, 45))

    assert claim_next_call(agent=me, now=at(10, 40)).entry.pk == theirs.pk
    assert claim_next_call(agent=agent("third"), now=at(10, 46)).entry.pk == mine.pk


def test_an_own_call_is_not_reported_as_a_colleagues(plan):
    me = agent("me")
    mine = listed(plan, agent=me)

    claim = claim_next_call(agent=me, now=at(10, 40))

    assert (claim.entry.pk, claim.entry.from_colleague_id) == (mine.pk, None)


def test_a_call_whose_lease_ran_out_goes_back_to_the_pool(plan):
    colleague, me = agent("colleague"), agent("me")
    abandoned = listed(plan, agent=colleague)
    assert claim_next_call(agent=colleague, now=at(10, 31)).entry.pk == abandoned.pk

    # The colleague left it: at 10:46 the 15-minute lease has run out.
    claim = claim_next_call(agent=me, now=at(10, 47))

    assert claim.entry.pk == abandoned.pk
    abandoned.refresh_from_db()
    assert (abandoned.claimed_by, abandoned.lease_expires_at) == (me, at(11, 2))


def test_entries_of_an_agent_off_the_days_roster_go_to_the_pool(plan):
    me, absent = agent("me"), agent("absent")
    DutyDay.objects.create(agent=me, day=MONDAY)
    theirs = listed(plan, agent=absent)
    assert claim_next_call(agent=me, now=at(10, 40)).entry.pk == theirs.pk


def test_entries_of_an_inactive_agent_go_to_the_pool(plan):
    gone = UserFactory(username="gone", role="agent", is_active=False)
    theirs = listed(plan, agent=gone)
    assert claim_next_call(agent=agent("me"), now=at(10, 40)).entry.pk == theirs.pk


def test_without_the_pool_agents_get_only_their_own(plan, settings):
    settings.HUIFANG_CLAIM_FROM_POOL = False
    listed(plan, priority=1)
    me = agent("me")
    mine = listed(plan, agent=me, priority=9)

    assert claim_next_call(agent=me, now=at(10, 40)).entry.pk == mine.pk
    assert claim_next_call(agent=agent("other"), now=at(10, 40)).reason == "nothing_assigned"


def test_at_noon_it_says_the_next_window_starts_at_three(plan):
    entry = listed(plan)

    claim = claim_next_call(agent=agent("me"), now=at(12, 0))

    assert (claim.entry, claim.reason) == (None, "outside_window")
    assert claim.next_possible_at == at(15, 0)
    assert claim.message == "Not in calling hours now. The next calls may be made from 15:00."
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.WAITING


def test_after_the_last_window_it_names_the_next_days_window(plan):
    listed(plan)
    claim = claim_next_call(agent=agent("me"), now=at(18, 0))
    assert claim.next_possible_at == at(10, 30, day=TUESDAY)
    assert claim.message.endswith("from 2026-11-24 10:30.")


def test_a_retry_waits_for_its_earliest_moment(plan):
    retry = listed(plan, kind=TaskKind.RETRY, earliest_at=at(15, 0))

    early = claim_next_call(agent=agent("early"), now=at(10, 40))
    on_time = claim_next_call(agent=agent("on-time"), now=at(15, 5))

    assert (early.reason, early.next_possible_at) == ("outside_window", at(15, 0))
    assert on_time.entry.pk == retry.pk


def test_without_a_list_it_says_so(plan):
    claim = claim_next_call(agent=agent("me"), now=at(10, 40))
    assert (claim.entry, claim.reason, claim.next_possible_at) == (None, "no_list", None)
    assert claim.message == "Today's call list has not been built yet."


def test_when_colleagues_hold_every_call_it_says_when_a_lease_ends(plan):
    listed(plan)
    claim_next_call(agent=agent("first"), now=at(10, 40))

    claim = claim_next_call(agent=agent("second"), now=at(10, 45))

    assert (claim.entry, claim.reason) == (None, "all_claimed")
    assert claim.next_possible_at == at(10, 55)


def test_when_every_call_is_made_it_says_all_done(plan):
    entry = listed(plan)
    entry.status = QueueEntryStatus.DONE
    entry.save()
    other = listed(plan)
    other.task.status = TaskStatus.DONE
    other.task.save()

    claim = claim_next_call(agent=agent("me"), now=at(10, 40))

    assert (claim.entry, claim.reason, claim.next_possible_at) == (None, "all_done", None)
    assert claim.message == "All of today's calls are done."


def test_a_customer_put_on_do_not_call_after_the_build_is_not_called(plan):
    entry = listed(plan)
    customer = entry.task.case.customer
    customer.do_not_call = True
    customer.save()
    assert claim_next_call(agent=agent("me"), now=at(10, 40)).reason == "all_done"


def test_an_expired_lease_returns_the_call_to_the_pool(plan):
    entry = listed(plan)
    first, second = agent("first"), agent("second")
    claim_next_call(agent=first, now=at(10, 40))

    claim = claim_next_call(agent=second, now=at(10, 56))

    assert claim.entry.pk == entry.pk
    entry.refresh_from_db()
    assert (entry.claimed_by, entry.claimed_at, entry.lease_expires_at) == (
        second,
        at(10, 56),
        at(11, 11),
    )


def test_a_live_claim_is_not_taken_by_another_agent(plan):
    listed(plan)
    claim_next_call(agent=agent("first"), now=at(10, 40))
    assert claim_next_call(agent=agent("second"), now=at(10, 55)).reason == "all_claimed"


def test_asking_again_returns_the_call_held_with_a_fresh_lease(plan):
    held = listed(plan, priority=500)
    me = agent("me")
    claim_next_call(agent=me, now=at(10, 40))
    listed(plan, priority=1)  # better, but the agent is still on the first call

    claim = claim_next_call(agent=me, now=at(10, 50))

    assert claim.entry.pk == held.pk
    assert claim.entry.lease_expires_at == at(11, 5)
    assert QueueEntry.objects.filter(claimed_by=me).count() == 1
    held.refresh_from_db()
    assert held.lease_expires_at == at(11, 5)


def test_a_booked_callback_due_now_is_handed_out_outside_the_windows(plan):
    listed(plan, priority=1)
    callback = listed(plan, priority=900, kind=TaskKind.CALLBACK, callback_at=at(12, 10))

    claim = claim_next_call(agent=agent("me"), now=at(12, 15))

    assert claim.entry.pk == callback.pk


def test_a_booked_callback_is_not_handed_out_before_its_time(plan):
    listed(plan, kind=TaskKind.CALLBACK, callback_at=at(16, 0), earliest_at=at(16, 0))
    claim = claim_next_call(agent=agent("me"), now=at(15, 30))
    assert (claim.reason, claim.next_possible_at) == ("outside_window", at(16, 0))


def test_a_booked_callback_is_never_handed_out_in_quiet_hours(plan):
    listed(plan, kind=TaskKind.CALLBACK, callback_at=at(20, 30))

    claim = claim_next_call(agent=agent("me"), now=at(21, 30))

    assert (claim.entry, claim.reason) == (None, "outside_window")
    assert claim.next_possible_at == at(8, 0, day=TUESDAY)


def test_a_customer_in_los_angeles_is_called_in_los_angeles_hours(plan):
    # 15:30 in Shanghai on Monday is 23:30 on Sunday in Los Angeles (PST, 16 hours behind).
    los_angeles = listed(plan, CustomerFactory(timezone="America/Los_Angeles"), priority=1)
    shanghai = listed(plan, priority=2)

    first = claim_next_call(agent=agent("first"), now=at(15, 30))
    second = claim_next_call(agent=agent("second"), now=at(15, 31))

    assert first.entry.pk == shanghai.pk
    assert (second.entry, second.reason) == (None, "outside_window")
    # 10:30 on Monday in Los Angeles is 02:30 on Tuesday in Shanghai.
    assert second.next_possible_at == at(2, 30, day=TUESDAY)
    tuesday = on_list(los_angeles.task, TUESDAY, priority=1)
    assert claim_next_call(agent=agent("night"), now=at(2, 45, day=TUESDAY)).entry.pk == tuesday.pk


def test_only_the_holder_renews_the_lease(plan):
    entry = listed(plan)
    me = agent("me")
    claim_next_call(agent=me, now=at(10, 40))

    renewed = renew_lease(entry=entry, agent=me, now=at(10, 50))

    assert renewed.lease_expires_at == at(11, 5)
    with pytest.raises(PermissionDenied):
        renew_lease(entry=entry, agent=agent("other"), now=at(10, 51))
    entry.refresh_from_db()
    assert entry.lease_expires_at == at(11, 5)


def test_a_lease_taken_over_cannot_be_renewed(plan):
    entry = listed(plan)
    first = agent("first")
    claim_next_call(agent=first, now=at(10, 40))
    claim_next_call(agent=agent("second"), now=at(10, 56))
    with pytest.raises(PermissionDenied):
        renew_lease(entry=entry, agent=first, now=at(10, 57))


def test_the_holder_sees_the_number_and_the_reveal_is_audited(plan):
    entry = listed(plan)
    me = agent("me")
    claim_next_call(agent=me, now=at(10, 40))

    phone = reveal_phone(entry=entry, agent=me, now=at(10, 41))

    assert phone == str(entry.task.case.customer.phone)
    assert phone.startswith("+86138")
    event = AuditEvent.objects.get()
    assert (event.actor, event.action) == (me, AuditAction.REVEAL_PHONE)
    assert event.detail == {"entry": entry.pk, "task": entry.task_id}
    assert phone not in str(event.detail) + event.target_id


@pytest.mark.parametrize("when", [at(10, 56), None])
def test_nobody_else_sees_the_number(plan, when):
    entry = listed(plan)
    me = agent("me")
    claim_next_call(agent=me, now=at(10, 40))
    asker, now = (me, when) if when else (agent("other"), at(10, 41))

    with pytest.raises(PermissionDenied):
        reveal_phone(entry=entry, agent=asker, now=now)

    assert not AuditEvent.objects.exists()


def test_releasing_expired_leases_puts_them_back(plan):
    expired, live = listed(plan), listed(plan)
    claim_next_call(agent=agent("a"), now=at(10, 30))
    claim_next_call(agent=agent("b"), now=at(10, 40))

    assert release_expired_leases(now=at(10, 50)) == 1

    expired.refresh_from_db()
    live.refresh_from_db()
    assert (expired.status, expired.claimed_by) == (QueueEntryStatus.WAITING, None)
    assert live.status == QueueEntryStatus.CLAIMED


def test_the_minutely_task_releases_expired_leases(plan):
    from followups.tasks import release_expired_leases_task

    listed(plan)
    claim_next_call(agent=agent("a"), now=at(10, 30))
    with time_machine.travel(at(10, 50), tick=False):
        assert release_expired_leases_task.delay().get() == 1
    assert QueueEntry.objects.get().status == QueueEntryStatus.WAITING


def test_a_person_another_agent_is_calling_is_not_handed_to_a_second_agent(plan):
    first = agent("first")
    customer = CustomerFactory()
    # Last night's list still has a call to them under a live lease (a late submit).
    sunday = MONDAY - dt.timedelta(days=1)
    on_list(
        due_follow_up(plan, customer, due_date=sunday),
        sunday,
        status=QueueEntryStatus.CLAIMED,
        claimed_by=first,
        claimed_at=at(10, 30),
        lease_expires_at=at(10, 55),
    )
    today = listed(plan, customer, priority=1)
    someone_else = listed(plan, priority=3)

    # Their entry on today's list waits while the first agent is on the phone with them.
    assert claim_next_call(agent=agent("second"), now=at(10, 41)).entry.pk == someone_else.pk
    assert claim_next_call(agent=agent("third"), now=at(10, 42)).reason == "all_claimed"
    # Once that lease has run out (10:55) the person may be called again.
    assert claim_next_call(agent=agent("fourth"), now=at(10, 56)).entry.pk == today.pk
