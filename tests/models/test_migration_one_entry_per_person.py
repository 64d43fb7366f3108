"""Migrations 0012 and 0013 on a real database: lists made when a person could have several
entries a day become one entry per person and day, and nothing recorded is lost.

The database is taken back to 0011 with Django's migration executor, filled with the
historical models of that state, and migrated forward again; the test ends on the latest
migrations whatever happens, so the tests after it find the schema they expect."""

import pytest

from tests.clock import MONDAY, TUESDAY, at
from tests.models.migrating import migrate_to_latest, migrated_back, models_then

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("followups", "0011_person_level_audit")]


TOUCHED = (  # what the tests write, children first
    ("followups", "ScriptAnswer"),
    ("followups", "CallAttempt"),
    ("followups", "QueueEntry"),
    ("followups", "CallList"),
    ("followups", "FollowUpTask"),
    ("followups", "Case"),
    ("followups", "Customer"),
    ("auth", "User"),
)


@pytest.fixture
def old_apps(postgres_only):
    """The app registry as of 0011, on a database migrated back to it (and forward after)."""
    with migrated_back(BEFORE, TOUCHED) as apps_then:
        yield apps_then


@pytest.fixture
def then(old_apps):
    """The models the tests write, as of 0011: then.Customer, then.QueueEntry, …"""
    return models_then(old_apps, TOUCHED)


def counts(apps_now) -> dict[str, int]:
    return {
        name: apps_now.get_model("followups", name).objects.count()
        for name in ("FollowUpTask", "CallAttempt", "ScriptAnswer", "Case", "Customer")
    }


def test_several_entries_of_one_person_become_the_one_still_to_be_worked(old_apps, then):
    agent = then.User.objects.create(username="migrating-agent")
    zhang = then.Customer.objects.create(name="张三", phone="+8613812345678")
    li = then.Customer.objects.create(name="李四", phone="+8613812345679")

    def task_of(customer, kind="discharge"):
        case = then.Case.objects.create(customer=customer, kind=kind, anchor_date=MONDAY)
        return then.FollowUpTask.objects.create(case=case, due_date=MONDAY)

    called, still_due, lis = task_of(zhang), task_of(zhang, "outpatient"), task_of(li)
    monday = then.CallList.objects.create(day=MONDAY)
    done = then.QueueEntry.objects.create(
        call_list=monday, task=called, priority=1, status="done", closed_at=at(10, 45)
    )
    waiting = then.QueueEntry.objects.create(
        call_list=monday, task=still_due, priority=5, status="waiting"
    )
    li_entry = then.QueueEntry.objects.create(call_list=monday, task=lis, priority=3)
    attempt = then.CallAttempt.objects.create(
        task=called,
        queue_entry=done,
        agent=agent,
        started_at=at(10, 40),
        ended_at=at(10, 45),
        disposition="complete",
        idempotency_key="zhang-monday-morning",
    )
    for position, (node, value) in enumerate([("greeting", "ok"), ("satisfaction", "5")], 1):
        then.ScriptAnswer.objects.create(
            attempt=attempt, position=position, node_id=node, value=value
        )
    # The person on another day's list keeps that entry: one entry per person *and day*.
    tuesday_entry = then.QueueEntry.objects.create(
        call_list=then.CallList.objects.create(day=TUESDAY), task=still_due, priority=5
    )
    before = counts(old_apps)

    migrate_to_latest()

    from followups.models import CallAttempt as Attempt
    from followups.models import QueueEntry as Entry
    from followups.models import ScriptAnswer as Answer

    entries = {entry.pk: entry for entry in Entry.objects.all()}
    # One entry per person on Monday's list; the kept one is the one still to be worked.
    monday_people = [e.customer_id for e in entries.values() if e.call_list_id == monday.pk]
    assert sorted(monday_people) == sorted([zhang.pk, li.pk])
    assert set(entries) == {waiting.pk, li_entry.pk, tuesday_entry.pk}
    kept = entries[waiting.pk]
    assert (kept.customer_id, kept.task_id, kept.status) == (zhang.pk, still_due.pk, "waiting")
    assert (entries[li_entry.pk].customer_id, entries[li_entry.pk].task_id) == (li.pk, lis.pk)
    assert entries[tuesday_entry.pk].customer_id == zhang.pk
    # The call made on the merged entry, with its script path, now names the kept entry.
    moved = Attempt.objects.get(pk=attempt.pk)
    assert (moved.queue_entry_id, moved.task_id) == (kept.pk, called.pk)
    assert list(
        Answer.objects.filter(attempt_id=attempt.pk)
        .order_by("position")
        .values_list("node_id", "value")
    ) == [("greeting", "ok"), ("satisfaction", "5")]
    # Nothing recorded is lost.
    from django.apps import apps as current_apps

    assert counts(current_apps) == before
    # The calls already made that day are counted on the person's entry.
    assert kept.calls_made == 1
    assert entries[li_entry.pk].calls_made == 0
    assert entries[tuesday_entry.pk].calls_made == 0


def test_a_person_with_a_claimed_and_a_done_entry_keeps_the_claimed_one_with_both_calls(
    old_apps, then
):
    """The keeping order: claimed before waiting before done before cancelled, then the
    most urgent (lowest priority); calls on every merged entry are counted on the kept one."""
    agent = then.User.objects.create(username="migrating-agent-2")
    wang = then.Customer.objects.create(name="王五", phone="+8613812345670")
    tasks = [
        then.FollowUpTask.objects.create(
            case=then.Case.objects.create(customer=wang, kind="discharge", anchor_date=MONDAY),
            due_date=MONDAY,
        )
        for _ in range(4)
    ]
    monday = then.CallList.objects.create(day=MONDAY)
    statuses = ["cancelled", "done", "claimed", "waiting"]
    entries = [
        then.QueueEntry.objects.create(
            call_list=monday,
            task=task,
            status=status,
            priority=priority,
            claimed_by=agent if status == "claimed" else None,
            claimed_at=at(10, 50) if status == "claimed" else None,
            lease_expires_at=at(11, 5) if status == "claimed" else None,
        )
        for task, status, priority in zip(tasks, statuses, [0, 1, 9, 2], strict=True)
    ]
    for n, (entry, hour) in enumerate([(entries[1], 10), (entries[2], 15)]):
        then.CallAttempt.objects.create(
            task=entry.task,
            queue_entry=entry,
            agent=agent,
            started_at=at(hour, 40),
            ended_at=at(hour, 45),
            disposition="no_answer",
            idempotency_key=f"wang-{n}",
        )
    before = counts(old_apps)

    migrate_to_latest()

    from django.apps import apps as current_apps

    from followups.models import CallAttempt as Attempt
    from followups.models import QueueEntry as Entry

    (kept,) = Entry.objects.all()
    assert (kept.pk, kept.status, kept.customer_id) == (entries[2].pk, "claimed", wang.pk)
    assert set(Attempt.objects.values_list("queue_entry_id", flat=True)) == {kept.pk}
    assert kept.calls_made == 2
    assert counts(current_apps) == before


def test_entries_of_different_people_with_no_calls_get_their_person_and_no_call_counted(
    old_apps, then
):
    """The plain case: nothing to merge, no call made yet."""

    monday = then.CallList.objects.create(day=MONDAY)
    person_of = {}
    for n in range(3):
        customer = then.Customer.objects.create(name=f"客户{n}", phone=f"+861381234567{n}")
        case = then.Case.objects.create(customer=customer, kind="discharge", anchor_date=MONDAY)
        task = then.FollowUpTask.objects.create(case=case, due_date=MONDAY)
        person_of[then.QueueEntry.objects.create(call_list=monday, task=task).pk] = customer.pk
    before = counts(old_apps)

    migrate_to_latest()

    from django.apps import apps as current_apps

    from followups.models import QueueEntry as Entry

    assert dict(Entry.objects.values_list("pk", "customer_id")) == person_of
    assert set(Entry.objects.values_list("calls_made", flat=True)) == {0}
    assert counts(current_apps) == before
