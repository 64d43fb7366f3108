"""The outcome sets the pace of the agents' loop (bench/bench_queue.py): the statements one
outcome sends are pinned here, so that none is added unnoticed.

Through the API as a client sends it (token auth, DRF, throttle), the second call of the
day (the first warms the per-process caches: permissions, the calling rules). In a test the
outcome's transaction is a savepoint inside the test's; in production it is BEGIN … COMMIT.
"""

import re
import uuid

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from followups.models import QueueEntry
from followups.services.locked_entry import locked_entry
from tests.api.monday import at, token_client_for
from tests.factories import (
    CaseFactory,
    FollowUpTaskFactory,
    default_plan,
    listed,
)

pytestmark = pytest.mark.django_db

# What one outcome of a call to a person with one follow-up due sends, in order.
ONE_FOLLOW_UP = [
    ("SELECT", "authtoken_token"),  # the token and its user (DRF's TokenAuthentication)
    # (The entry named in the body is not read first: the claim token names it, and the
    # entry is read below, locked; api/call_serializers.EntryReference.)
    ("SAVEPOINT", ""),  # the outcome's transaction (BEGIN in production)
    # The entry, its list, task, case, customer: locked (written by services/locked_entry.py).
    ("SELECT", "followups_queueentry"),
    ("SELECT", "followups_followuptask"),  # the person's other follow-ups due (ids)
    ("INSERT", "followups_callattempt"),  # the attempt (its key unique: a replay stops here)
    ("UPDATE", "followups_followuptask"),  # the follow-up's next step
    ("UPDATE", "followups_case"),  # the case's agent (its first call)
    ("UPDATE", "followups_queueentry"),  # the entry closed
    # The person's calls not yet tried (best time): their ids and moments alone.
    ("SELECT", "followups_followuptask"),
    # The call added to the day's figures the reports read (services/report_days.py), last;
    # a call with a script path adds its steps in one more.
    ("INSERT", "followups_callday"),
    ("RELEASE", ""),  # COMMIT in production
]


def statements(captured) -> list[tuple[str, str]]:
    """Each statement as (verb, first table)."""
    shown = []
    for query in captured:
        sql = query["sql"]
        verb = sql.split()[0]
        table = re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql)
        shown.append((verb, table.group(1) if table else ""))
    return shown


def outcome_of_next_call(client, minute: int) -> tuple[int, list]:
    """Claim the next call at 10:<minute>, record it complete three minutes later; the
    outcome's status and its statements."""
    with time_machine.travel(at(10, minute), tick=False):
        claimed = client.post("/api/v1/queue/next/")
    assert claimed.status_code == 200, claimed.content
    call = claimed.json()
    body = {
        "entry": call["id"],
        "claim_token": call["claim_token"],
        "idempotency_key": uuid.uuid4().hex,
        "disposition": "complete",
        "started_at": at(10, minute).isoformat(),
        "ended_at": at(10, minute + 3).isoformat(),
        "satisfaction": "satisfied",
    }
    with time_machine.travel(at(10, minute + 4), tick=False):
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/api/v1/outcomes/", body, format="json")
    return response.status_code, statements(captured.captured_queries)


def test_an_outcome_sends_the_listed_statements(agent):
    plan = default_plan()
    for priority in (0, 1):
        listed(plan, priority=priority)
    client = token_client_for(agent)
    outcome_of_next_call(client, 40)

    status, sent = outcome_of_next_call(client, 45)

    assert status == 201
    assert sent == ONE_FOLLOW_UP


def test_each_further_follow_up_on_the_call_adds_its_own_writes(agent):
    """A person with three follow-ups due: one read loads the two riding along (locked),
    then each follow-up has its three writes."""
    plan = default_plan()
    listed(plan, priority=0)
    person = listed(plan, priority=1)
    for _ in range(2):
        FollowUpTaskFactory(
            case=CaseFactory(plan=plan, customer=person.task.case.customer),
            due_date=person.task.due_date,
        )
    client = token_client_for(agent)
    outcome_of_next_call(client, 40)

    status, sent = outcome_of_next_call(client, 45)

    assert status == 201
    writes = ONE_FOLLOW_UP[4:7]  # the attempt, the follow-up's next step, the case's
    loaded = ("SELECT", "followups_followuptask")  # the two riding along, cases, locked
    assert sent == [*ONE_FOLLOW_UP[:4], loaded, *writes * 3, *ONE_FOLLOW_UP[7:]]


def test_the_locked_read_loads_what_the_orm_would(agent):
    """services/locked_entry.py writes the outcome's first read itself: the same instances
    as the ORM's locked select_related read, every field converted (the customer's phone
    number, the follow-up's JSON counts), each relation cached."""
    entry = listed(default_plan(), priority=0)
    entry.task.outcome_counts = {"no_answer": 2}
    entry.task.save()

    with transaction.atomic():
        ours = locked_entry(entry.pk)
        orms = (
            QueueEntry.objects.select_for_update(of=("self", "task", "task__case"))
            .select_related("call_list", "task__case__customer")
            .get(pk=entry.pk)
        )

    def fields(instance):
        return {name: value for name, value in vars(instance).items() if name != "_state"}

    pairs = [
        (ours, orms),
        (ours.call_list, orms.call_list),
        (ours.task, orms.task),
        (ours.task.case, orms.task.case),
        (ours.task.case.customer, orms.task.case.customer),
    ]
    for mine, theirs in pairs:
        assert type(mine) is type(theirs)
        assert fields(mine) == fields(theirs)
        assert not mine._state.adding and mine._state.db == theirs._state.db
        assert set(mine._state.fields_cache) == set(theirs._state.fields_cache)
    assert ours.task.case.customer.phone == entry.task.case.customer.phone
    assert ours.task.outcome_counts == {"no_answer": 2}


def test_the_locked_read_of_no_such_entry_is_does_not_exist(agent):
    with transaction.atomic(), pytest.raises(QueueEntry.DoesNotExist):
        locked_entry(0)
