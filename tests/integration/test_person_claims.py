"""No person is claimed twice in one window, whatever the plans, callbacks and retries: a
property test on real PostgreSQL, with agents working the day's list in threads.

Hypothesis draws a few people with one to three follow-ups due on a Monday (scheduled
calls, retries planned for the morning or the afternoon, callbacks booked for various
times), and, for four to eight agents, what each says happened on the calls they get (no
answer, busy, done, a callback booked for later, a relative answering, or walking away
from the call). The list is built by the morning build; then, at a sequence of moments
across the day (the windows 10:30–11:30 and 15:00–17:30 of the default policy, and a few
moments between and after them, when only booked callbacks may be made), every agent asks
for the next call at once, each in their own thread with their own database connection,
and records its outcome through the real services. After each step and at the end:

* no two live claims are on one person at the same moment, and no claim hands out a
  person someone else is on the phone with;
* a person is called (an attempt that is no other's companion, same_call_as NULL) at
  most once in a calling window, and outside the windows not at all, unless the call was
  a callback they booked;
* at most HUIFANG_CALLS_PER_PERSON_PER_DAY calls that are not booked callbacks a day;
* one queue entry per list and person, counting the calls made to that person.

Both claims (one statement, ORM) run it. Django's test transactions and threads do not mix:
the test runs on a committed database (transactional) and empties the tables it fills
before each example.
"""

import datetime as dt
import queue
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from followups.models import CallAttempt, QueueEntry, QueueEntryStatus, TaskKind
from followups.services import call_lists, calling_rules, contact
from followups.services import claims as queue_service
from followups.services.call_lists import build_call_lists
from followups.services.claims import claim_next_call
from followups.services.leases import claim_token
from tests.calls import record
from tests.clock import MONDAY, SHANGHAI
from tests.factories import (
    CaseFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    UserFactory,
    default_plan,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The default policy's windows (tests/factories.py), on the center's clock.
WINDOWS = {
    "morning": (dt.time(10, 30), dt.time(11, 30)),
    "afternoon": (dt.time(15, 0), dt.time(17, 30)),
}
# When the agents ask: around and in the windows every `step` minutes, and a few moments
# between and after them (booked callbacks only).
WORKED = [(dt.time(10, 20), dt.time(11, 40)), (dt.time(14, 50), dt.time(17, 40))]
BETWEEN = [dt.time(12, 35), dt.time(13, 50), dt.time(18, 10), dt.time(19, 30)]
AGENT_NAMES = [f"person-claims-agent{n}" for n in range(8)]


def at_clock(clock: dt.time, day: dt.date = MONDAY) -> dt.datetime:
    """That `clock` time of `day` on the centre's clock (tests/clock.py's `at` takes numbers)."""
    return dt.datetime.combine(day, clock, tzinfo=SHANGHAI)


def window_of(moment: dt.datetime) -> str | None:
    clock = moment.astimezone(SHANGHAI).time()
    for name, (start, end) in WINDOWS.items():
        if start <= clock < end:
            return name
    return None


# --- What hypothesis draws ---------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One follow-up of a person, due (or overdue) on Monday."""

    kind: str  # scheduled, retry, callback
    clock: dt.time | None  # a retry's earliest moment, a callback's booked time
    overdue_days: int
    window_days: int  # the follow-up window ends this many days after Monday


@dataclass(frozen=True)
class Action:
    """What an agent records on the call they got."""

    disposition: str  # or "walk away": no outcome, the lease runs out
    callback_minutes: int | None = None  # a callback (or a relative's word) for later
    minutes: int = 2  # how long the call took


def follow_ups(kind: TaskKind, clocks: str, *, overdue: tuple[int, int], window: int):
    """Follow-ups of `kind` at one of the `clocks` ("10:30 15:41"; none if empty), overdue
    by so many days, their windows ending up to `window` days after Monday."""
    times = [dt.time.fromisoformat(clock) for clock in clocks.split()]
    return st.builds(
        Plan,
        kind=st.just(kind.value),
        clock=st.sampled_from(times) if times else st.none(),
        overdue_days=st.integers(*overdue),
        window_days=st.integers(0, window),
    )


RETRIES_AT = "10:30 10:52 11:17 15:00 15:41 16:33 17:12"
CALLBACKS_AT = "10:44 11:20 12:30 15:02 15:25 16:48 18:00"
plans = st.one_of(
    follow_ups(TaskKind.SCHEDULED, "", overdue=(0, 3), window=3),
    follow_ups(TaskKind.RETRY, RETRIES_AT, overdue=(1, 3), window=3),
    follow_ups(TaskKind.CALLBACK, CALLBACKS_AT, overdue=(0, 2), window=2),
)
people = st.lists(st.lists(plans, min_size=1, max_size=3), min_size=2, max_size=6)
actions = st.one_of(
    st.builds(
        Action,
        disposition=st.sampled_from(["no_answer", "busy", "complete", "family", "walk away"]),
        minutes=st.integers(1, 4),
    ),
    st.builds(
        Action,
        disposition=st.sampled_from(["callback", "family"]),
        callback_minutes=st.sampled_from([5, 12, 25, 50, 120, 280]),
        minutes=st.integers(1, 4),
    ),
)
crews = st.integers(4, 8).flatmap(
    lambda size: st.lists(st.lists(actions, min_size=1, max_size=5), min_size=size, max_size=size)
)


def moments(offset: int, step: int) -> list[dt.datetime]:
    found = [at_clock(clock) for clock in BETWEEN]
    for start, end in WORKED:
        moment, last = at_clock(start) + dt.timedelta(minutes=offset), at_clock(end)
        while moment < last:
            found.append(moment)
            moment += dt.timedelta(minutes=step)
    return sorted(found)


# --- Agents in threads -------------------------------------------------------------------------


class Crew:
    """One thread per agent, each with its own database connection, kept for an example:
    `run` hands every agent a piece of work at once and returns what each gave back."""

    def __init__(self, size: int):
        self.inboxes = [queue.Queue() for _ in range(size)]
        self.outbox = queue.Queue()
        self.threads = [
            threading.Thread(target=self._work, args=(index,), daemon=True) for index in range(size)
        ]
        for thread in self.threads:
            thread.start()

    def _work(self, index: int) -> None:
        try:
            while True:
                job = self.inboxes[index].get()
                if job is None:
                    return
                try:
                    self.outbox.put((index, True, job()))
                except Exception as error:  # raised in the test's thread by run()
                    self.outbox.put((index, False, error))
        finally:
            connection.close()

    def run(self, jobs: dict[int, object]) -> dict[int, object]:
        start = threading.Barrier(len(jobs)) if jobs else None

        def together(job):
            def wrapped():
                start.wait(timeout=60)
                return job()

            return wrapped

        for index, job in jobs.items():
            self.inboxes[index].put(together(job))
        results, errors = {}, []
        for _ in jobs:
            index, ok, value = self.outbox.get(timeout=120)
            if ok:
                results[index] = value
            else:
                errors.append(value)
        if errors:
            raise errors[0]
        return results

    def stop(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for thread in self.threads:
            thread.join(timeout=60)


# --- The day -----------------------------------------------------------------------------------


@dataclass
class Call:
    key: str
    customer_id: int
    entry_id: int
    started_at: dt.datetime
    booked: bool  # a callback the person (or a relative for them) booked, its time come


@dataclass
class Day:
    limit: int
    calls: dict[str, Call] = field(default_factory=dict)
    claims: list[tuple[dt.datetime, int, int]] = field(default_factory=list)  # (t, agent, entry)


def empty_the_tables() -> None:
    """What an example wrote goes (the agents and the data migrations made stay). One
    transaction: the foreign keys are checked at its end, so the order does not matter."""
    tables = [
        name
        for name in connection.introspection.django_table_names(only_existing=True)
        if name.startswith("followups_")
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    calling_rules.forget_calling_rules()
    call_lists.forget_working_agents()
    contact._staffing.clear()
    contact._similar.clear()


def make_people(plan, drawn: list[list[Plan]]) -> list[int]:
    customer_ids = []
    for index, follow_ups in enumerate(drawn):
        customer = CustomerFactory(name=f"病人{index}", phone=f"+86139{index:08d}")
        customer_ids.append(customer.pk)
        for drawn_plan in follow_ups:
            moment = at_clock(drawn_plan.clock) if drawn_plan.clock else None
            FollowUpTaskFactory(
                case=CaseFactory(customer=customer, anchor_date=MONDAY, plan=plan),
                kind=drawn_plan.kind,
                due_date=MONDAY - dt.timedelta(days=drawn_plan.overdue_days),
                window_ends_on=MONDAY + dt.timedelta(days=drawn_plan.window_days),
                earliest_at=moment,
                callback_at=moment if drawn_plan.kind == TaskKind.CALLBACK else None,
            )
    return customer_ids


def check_claims(day: Day, now: dt.datetime, handed: dict[int, QueueEntry]) -> None:
    """Right after the agents asked at `now`."""
    live = (
        QueueEntry.objects.filter(status=QueueEntryStatus.CLAIMED, lease_expires_at__gte=now)
        .values("customer_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not list(live), f"two live claims on one person at {now:%H:%M}: {list(live)}"
    people = Counter(entry.customer_id for entry in handed.values())
    assert max(people.values(), default=0) <= 1, f"one person handed twice at {now:%H:%M}"


def check_calls(day: Day) -> None:
    """Every call made so far, person by person."""
    rows = CallAttempt.objects.filter(same_call_as__isnull=True).values_list(
        "idempotency_key", "task__case__customer_id", "started_at", "queue_entry_id"
    )
    by_person = defaultdict(list)
    for key, customer_id, started_at, entry_id in rows:
        assert key in day.calls, f"a call nobody in the test made: {key}"
        call = day.calls[key]
        assert (customer_id, entry_id, started_at) == (
            call.customer_id,
            call.entry_id,
            call.started_at,
        ), key
        by_person[customer_id].append(call)
    for customer_id, calls in by_person.items():
        calls.sort(key=lambda call: call.started_at)
        history = [
            f"{c.started_at.astimezone(SHANGHAI):%H:%M}{' (booked)' if c.booked else ''}"
            for c in calls
        ]
        unbooked = [call for call in calls if not call.booked]
        assert len(unbooked) <= day.limit, (
            f"person {customer_id}: {len(unbooked)} calls that were no booked callback"
            f" (limit {day.limit}): {history}"
        )
        for index, call in enumerate(calls):
            if call.booked:
                continue
            window = window_of(call.started_at)
            assert window is not None, f"person {customer_id} called outside the windows: {history}"
            earlier = [c for c in calls[:index] if window_of(c.started_at) == window]
            assert not earlier, (
                f"person {customer_id} called twice in the {window} window: {history}"
            )


def check_entries(day: Day) -> None:
    doubled = (
        QueueEntry.objects.values("call_list_id", "customer_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not list(doubled), f"a person twice on one list: {list(doubled)}"
    made = Counter(call.entry_id for call in day.calls.values())
    for entry_id, calls_made in QueueEntry.objects.values_list("pk", "calls_made"):
        assert calls_made == made.get(entry_id, 0), (entry_id, calls_made, made)


def work_the_day(*, drawn_people, scripts, offset, step, limit) -> None:
    empty_the_tables()
    with override_settings(HUIFANG_CALLS_PER_PERSON_PER_DAY=limit):
        _work_the_day(
            Day(limit=limit), drawn_people=drawn_people, scripts=scripts, offset=offset, step=step
        )


def _work_the_day(day: Day, *, drawn_people, scripts, offset, step) -> None:
    make_people(default_plan(), drawn_people)
    agents = [UserFactory(username=name, role="agent") for name in AGENT_NAMES[: len(scripts)]]
    with time_machine.travel(at_clock(dt.time(7)), tick=False):
        build_call_lists(day=MONDAY)
    check_entries(day)

    next_action = [0] * len(agents)
    away_until: dict[int, dt.datetime] = {}
    crew = Crew(len(agents))
    try:
        for now in moments(offset, step):
            if not QueueEntry.objects.filter(
                status__in=[QueueEntryStatus.WAITING, QueueEntryStatus.CLAIMED]
            ).exists():
                break  # everyone's call of the day is over
            asking = [i for i in range(len(agents)) if away_until.get(i, now) <= now]
            handed = crew.run(
                {i: partial(claim_next_call, agent=agents[i], now=now) for i in asking}
            )
            for i, claim in handed.items():
                if claim.entry is None and claim.reason == queue_service.OUTSIDE_WINDOW:
                    # The screen says when the next calls may be made: back then.
                    away_until[i] = claim.next_possible_at or now
            handed = {i: claim.entry for i, claim in handed.items() if claim.entry is not None}
            check_claims(day, now, handed)

            jobs = {}
            for i, entry in handed.items():
                action = scripts[i][next_action[i] % len(scripts[i])]
                next_action[i] += 1
                day.claims.append((now, i, entry.pk))
                if action.disposition == "walk away":
                    # Gone till the lease has run out; nothing is recorded.
                    away_until[i] = entry.lease_expires_at + dt.timedelta(minutes=1)
                    continue
                key = f"{agents[i].pk}-{now:%H%M}"
                task = entry.task
                day.calls[key] = Call(
                    key=key,
                    customer_id=entry.customer_id,
                    entry_id=entry.pk,
                    started_at=now,
                    booked=task.kind == TaskKind.CALLBACK
                    and task.callback_at is not None
                    and task.callback_at <= now,
                )
                ended = now + dt.timedelta(minutes=action.minutes)
                callback_at = (
                    now + dt.timedelta(minutes=action.callback_minutes)
                    if action.callback_minutes is not None
                    else None
                )
                said = {"disposition": action.disposition, "callback_at": callback_at}
                times = {"started_at": now, "ended_at": ended, "now": ended}
                token = claim_token(entry, agents[i])
                jobs[i] = partial(record, entry, agents[i], key=key, token=token, **said, **times)
            crew.run(jobs)
            check_calls(day)
            check_entries(day)
    finally:
        crew.stop()
    check_calls(day)
    check_entries(day)
    # What the example got to (pytest --hypothesis-show-statistics).
    per_person = Counter(call.customer_id for call in day.calls.values())
    unbooked = Counter(call.customer_id for call in day.calls.values() if not call.booked)
    event(f"a person called at the day's limit: {day.limit in unbooked.values()}")
    event(
        f"a person called past it on callbacks: {max(per_person.values(), default=0) > day.limit}"
    )
    event(f"a booked callback called: {any(call.booked for call in day.calls.values())}")
    event(f"a call walked away from: {len(day.claims) > len(day.calls)}")


@hypothesis_settings(
    max_examples=9,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn_people=people,
    scripts=crews,
    offset=st.integers(0, 6),
    step=st.sampled_from([7, 10, 15]),
    limit=st.sampled_from([2, 1]),  # HUIFANG_CALLS_PER_PERSON_PER_DAY: the default, and 1
)
def test_no_person_is_called_twice_in_a_window_whatever_the_plans_callbacks_and_retries(
    postgres, claim_path, drawn_people, scripts, offset, step, limit
):
    work_the_day(drawn_people=drawn_people, scripts=scripts, offset=offset, step=step, limit=limit)
