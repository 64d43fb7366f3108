"""Many agents claiming at once on real PostgreSQL (FOR UPDATE SKIP LOCKED): each entry is
handed out exactly once, expired leases come back, late submits are kept and flagged."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection

from followups.models import (
    CallAttempt,
    CallList,
    Case,
    CaseKind,
    Customer,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
)
from followups.services.claims import claim_next_call
from followups.services.leases import claim_token
from tests.calls import record
from tests.clock import MONDAY, at
from tests.factories import UserFactory, default_plan

pytestmark = pytest.mark.django_db(transaction=True)

IN_WINDOW = at(10, 40)
AGENTS = 16


def list_entries(count: int, *, agents=()) -> list[int]:
    """`count` entries on Monday's list; every other one assigned round-robin to `agents`."""
    plan = default_plan()
    customers = Customer.objects.bulk_create(
        Customer(name=f"客户{n}", phone=f"+86139{n:08d}") for n in range(count)
    )
    cases = Case.objects.bulk_create(
        Case(customer=c, kind=CaseKind.DISCHARGE, anchor_date=MONDAY, plan=plan) for c in customers
    )
    tasks = FollowUpTask.objects.bulk_create(FollowUpTask(case=c, due_date=MONDAY) for c in cases)
    call_list = CallList.objects.create(day=MONDAY)
    entries = QueueEntry.objects.bulk_create(
        QueueEntry(
            call_list=call_list,
            task=task,
            customer_id=task.case.customer_id,
            priority=n % 7,
            assigned_agent=agents[n // 2 % len(agents)] if agents and n % 2 else None,
        )
        for n, task in enumerate(tasks)
    )
    return [entry.pk for entry in entries]


def run_at_once(work, arguments) -> list:
    """Run `work(argument)` in one thread per argument, started together; each thread has
    its own database connection and closes it at the end."""
    start = threading.Barrier(len(arguments))
    results, errors = [None] * len(arguments), []

    def worker(index, argument):
        try:
            start.wait()
            results[index] = work(argument)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(index, argument))
        for index, argument in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return results


def test_sixteen_agents_claiming_at_once_get_every_entry_exactly_once(postgres):
    agents = [UserFactory(username=f"agent{n}", role="agent") for n in range(AGENTS)]
    entry_ids = list_entries(2000, agents=agents)

    def work_until_empty(agent) -> list[int]:
        taken = []
        for _ in range(5000):
            claim = claim_next_call(agent=agent, now=IN_WINDOW)
            if claim.entry is None:
                if claim.reason == "all_done":
                    return taken
                continue  # all_claimed: the last entries are in other agents' hands
            taken.append(claim.entry.pk)
            QueueEntry.objects.filter(pk=claim.entry.pk).update(
                status=QueueEntryStatus.DONE, closed_at=IN_WINDOW
            )
        raise AssertionError("the queue never emptied")

    taken = run_at_once(work_until_empty, agents)

    claimed = Counter(pk for per_agent in taken for pk in per_agent)
    assert sorted(claimed) == sorted(entry_ids)
    assert set(claimed.values()) == {1}
    assert all(per_agent for per_agent in taken)  # nobody was starved
    assert QueueEntry.objects.exclude(status=QueueEntryStatus.DONE).count() == 0
    # Each agent took their own calls before any from the team pool: once they took a
    # colleague's, none of their own was left to take.
    for agent, per_agent in zip(agents, taken, strict=True):
        own = set(agent.assigned_entries.values_list("pk", flat=True))
        mine = [pk in own for pk in per_agent]
        assert mine == sorted(mine, reverse=True)


def test_expired_leases_come_back_and_late_submits_are_kept_and_flagged(postgres):
    first = [UserFactory(username=f"first{n}", role="agent") for n in range(AGENTS)]
    second = [UserFactory(username=f"second{n}", role="agent") for n in range(AGENTS)]
    entry_ids = list_entries(AGENTS)

    def claim(agent, now):
        """The entry handed to the agent and the claim token that proves it."""
        entry = claim_next_call(agent=agent, now=now).entry
        return entry.pk, claim_token(entry, agent)

    handed = run_at_once(lambda agent: claim(agent, IN_WINDOW), first)
    held = [entry_pk for entry_pk, _token in handed]
    later = IN_WINDOW + dt.timedelta(minutes=16)  # the 15-minute leases have run out
    retaken = run_at_once(lambda agent: claim_next_call(agent=agent, now=later).entry.pk, second)

    assert sorted(held) == sorted(entry_ids)
    assert sorted(retaken) == sorted(entry_ids)

    def submit_late(pair):
        agent, (entry_pk, token) = pair
        return record(
            QueueEntry.objects.get(pk=entry_pk),
            agent,
            key=f"late-{agent.pk}",
            started_at=IN_WINDOW,
            ended_at=IN_WINDOW + dt.timedelta(minutes=17),
            now=later + dt.timedelta(minutes=1),
            token=token,
        ).attempt.pk

    attempts = run_at_once(submit_late, list(zip(first, handed, strict=True)))

    assert CallAttempt.objects.filter(pk__in=attempts, after_lease_lost=True).count() == AGENTS
    holders = dict(QueueEntry.objects.values_list("pk", "claimed_by_id"))
    assert holders == {entry_pk: agent.pk for agent, entry_pk in zip(second, retaken, strict=True)}


def test_one_key_submitted_twice_at_once_is_stored_once(postgres):
    agent = UserFactory(username="double-click", role="agent")
    (entry_pk,) = list_entries(1)
    token = claim_token(claim_next_call(agent=agent, now=IN_WINDOW).entry, agent)

    def submit(_):
        result = record(
            QueueEntry.objects.get(pk=entry_pk),
            agent,
            key="same-key",
            disposition="no_answer",
            started_at=IN_WINDOW,
            ended_at=IN_WINDOW + dt.timedelta(minutes=1),
            now=IN_WINDOW + dt.timedelta(minutes=2),
            token=token,
        )
        return result.attempt.pk, result.created

    results = run_at_once(submit, range(4))

    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False, False, False, True]
    assert CallAttempt.objects.count() == 1
    assert FollowUpTask.objects.get().attempts == 1


def test_one_agent_asking_twice_at_once_gets_one_call(postgres):
    """A double click on "next call": the agent's lock makes the second request wait for
    the first and hand back the same call, not take a second one."""
    agent = UserFactory(username="double-claim", role="agent")
    list_entries(10, agents=[agent])

    def ask(_):
        return claim_next_call(agent=agent, now=IN_WINDOW).entry.pk

    for _round in range(5):
        taken = run_at_once(ask, range(4))
        assert len(set(taken)) == 1
        assert QueueEntry.objects.filter(status=QueueEntryStatus.CLAIMED).count() == 1
        QueueEntry.objects.filter(pk=taken[0]).update(status=QueueEntryStatus.DONE)


def test_a_new_database_connection_prepares_the_claim_again(postgres):
    agent, other = (UserFactory(username=name, role="agent") for name in ("first", "second"))
    list_entries(2)
    assert claim_next_call(agent=agent, now=IN_WINDOW).entry is not None
    connection.close()  # as after a restart of the database or CONN_MAX_AGE running out
    assert claim_next_call(agent=other, now=IN_WINDOW).entry is not None


def test_agents_with_nothing_left_share_busy_colleagues_calls_and_abandoned_ones_once(postgres):
    owners = [UserFactory(username=f"owner{n}", role="agent") for n in range(AGENTS // 2)]
    helpers = [UserFactory(username=f"helper{n}", role="agent") for n in range(AGENTS)]
    # Every entry is an owner's (the first owner gets the unassigned half too); each owner
    # takes one of theirs now.
    entry_ids = list_entries(AGENTS, agents=owners)
    QueueEntry.objects.filter(assigned_agent__isnull=True).update(assigned_agent=owners[0])
    held = run_at_once(lambda agent: claim_next_call(agent=agent, now=IN_WINDOW).entry.pk, owners)
    waiting = set(entry_ids) - set(held)

    # The owners are on the phone; sixteen colleagues with no list ask at once.
    first_round = run_at_once(
        lambda agent: getattr(claim_next_call(agent=agent, now=IN_WINDOW).entry, "pk", None),
        helpers,
    )
    taken = [pk for pk in first_round if pk is not None]
    assert sorted(taken) == sorted(waiting)  # each waiting call once, no held one
    assert not set(taken) & set(held)

    # The owners walk away from their calls; once the leases run out the calls come back,
    # each to exactly one of the colleagues asking (those still holding one keep it).
    later = IN_WINDOW + dt.timedelta(minutes=20)
    QueueEntry.objects.filter(pk__in=taken).update(
        status=QueueEntryStatus.DONE, closed_at=IN_WINDOW
    )
    second_round = run_at_once(
        lambda agent: getattr(claim_next_call(agent=agent, now=later).entry, "pk", None),
        helpers,
    )
    again = [pk for pk in second_round if pk is not None]
    assert sorted(again) == sorted(held)
