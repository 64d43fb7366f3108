"""Today's queue: waiting calls per agent, and moving them to another agent."""

import pytest
import time_machine
from django.urls import reverse

from followups.models import AuditAction, AuditEvent, CallList, QueueEntry
from tests.reports.conftest import WED
from tests.reports.factories import agent, due_task

pytestmark = pytest.mark.django_db
NOW = "2026-11-11 09:00 +0800"


@pytest.fixture
def entries(db):
    a1, a2 = agent("a1", "李娜"), agent("a2", "王强")
    call_list = CallList.objects.create(day=WED)
    made = [
        QueueEntry.objects.create(call_list=call_list, task=due_task(due=WED), assigned_agent=a1)
        for _ in range(3)
    ]
    return a1, a2, made


def test_it_counts_the_waiting_calls_per_agent(client, supervisor, entries):
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("supervisor:queue"))
    rows = [
        (row["assigned_agent__username"], row["waiting"]) for row in response.context["per_agent"]
    ]
    assert rows == [("a1", 3)]
    assert len(response.context["entries"]) == 3


def test_it_moves_the_chosen_calls_to_another_agent(client, supervisor, entries):
    a1, a2, made = entries
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("supervisor:queue"), {"entries": [made[0].pk, made[2].pk], "to_agent": a2.pk}
        )
    assert response.status_code == 302
    assigned = dict(QueueEntry.objects.values_list("pk", "assigned_agent"))
    assert assigned == {made[0].pk: a2.pk, made[1].pk: a1.pk, made[2].pk: a2.pk}
    assert AuditEvent.objects.get().action == AuditAction.REASSIGN


def test_it_lists_the_follow_ups_whose_number_needs_fixing_with_the_builds_counts(
    client, supervisor
):
    from followups.services.call_lists import build_call_lists

    no_number = due_task(due=WED, phone="")
    wrong = due_task(due=WED, phone="+8613812345678")
    wrong.status, wrong.needs_number_fix = "suspended", True
    wrong.save()
    due_task(due=WED)
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        build_call_lists(day=WED)
        response = client.get(reverse("supervisor:queue"), HTTP_ACCEPT_LANGUAGE="en")

    assert [task.pk for task in response.context["needing_number"]] == [no_number.pk, wrong.pk]
    html = response.content.decode()
    assert "Number needs fixing: 2 follow-ups" in html
    assert "138****5678" in html and "12345678" not in html
    build = dict(response.context["build"])
    assert (build["Added"], build["Skipped: No phone number"]) == (1, 1)
    assert build["Newly flagged: number needs fixing"] == 1


def test_it_lists_each_person_once_with_the_follow_ups_their_call_covers(client, supervisor):
    from followups.services.call_lists import build_call_lists
    from tests.factories import CustomerFactory
    from tests.reports.conftest import MON, THU

    person = CustomerFactory(name="张伟")
    overdue = due_task(due=MON, customer=person)
    today = due_task(due=WED, customer=person)
    due_task(due=THU, customer=person)  # not due yet: not on today's call
    alone = due_task(due=WED)
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        build_call_lists(day=WED)
        response = client.get(reverse("supervisor:queue"))

    entries = {entry.customer_id: entry for entry in response.context["entries"]}
    assert set(entries) == {person.pk, alone.case.customer_id}
    # The person's overdue follow-up leads; today's rides along: one call covers two.
    assert entries[person.pk].task_id == overdue.pk
    assert entries[person.pk].follow_ups == 2
    assert entries[alone.case.customer_id].follow_ups == 1
    html = response.content.decode()
    assert "Follow-ups on the call" in html
    assert html.count('class="text-end queue-follow-ups"') == 2
    build = dict(response.context["build"])
    assert build["Added"] == 2
    assert build["Follow-ups riding along on their person's call"] == 1
    assert today.pk not in {entry.task_id for entry in entries.values()}


def test_the_queue_page_reads_the_covered_follow_ups_in_one_query(
    client, supervisor, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from followups.services.call_lists import build_call_lists
    from tests.factories import CustomerFactory

    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        due_task(due=WED, customer=(first := CustomerFactory()))
        due_task(due=WED, customer=first)
        build_call_lists(day=WED)
        client.get(reverse("supervisor:queue"))  # the session and caches warm
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("supervisor:queue"))
        for _ in range(5):
            person = CustomerFactory()
            due_task(due=WED, customer=person)
            due_task(due=WED, customer=person)
        build_call_lists(day=WED)
        with django_assert_max_num_queries(len(few)):
            response = client.get(reverse("supervisor:queue"))
    assert [entry.follow_ups for entry in response.context["entries"]] == [2] * 6


def test_each_waiting_call_says_why_it_stands_where_it_does(client, supervisor):
    import datetime as dt
    import re

    call_list = CallList.objects.create(day=WED)
    callback = due_task(due=WED)
    callback.kind = "callback"
    callback.callback_at = dt.datetime.fromisoformat("2026-11-11 15:30 +08:00")
    callback.save()
    near = due_task(due=WED)
    near.deadline = dt.date(2026, 11, 13)
    near.save()
    late = due_task(due=dt.date(2026, 11, 8))
    today = due_task(due=WED)
    for priority, task in enumerate((callback, near, late, today)):
        QueueEntry.objects.create(
            call_list=call_list, task=task, customer=task.case.customer, priority=priority
        )
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("supervisor:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    cells = re.findall(r'<td class="queue-why">(.*?)</td>', html, re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
    assert texts == [
        "Callback 11-11 15:30",
        "Deadline in 2 days",
        "Overdue 3 days",
        "Due today",
    ]


def test_the_give_to_picker_offers_agents_by_name_and_not_the_admin(client, supervisor, entries):
    from tests.factories import UserFactory

    UserFactory(username="admin", role="admin", is_superuser=True)
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("supervisor:queue"))
    choices = [label for value, label in response.context["form"].fields["to_agent"].choices]
    assert choices == ["---------", "李娜", "王强"]


def test_the_choose_all_box_is_labelled_and_reassigning_asks_first(client, supervisor, entries):
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("supervisor:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="choose-all"' in html and "All on this page</label>" in html
    assert 'data-confirm-many="Move {count} calls from {from} to {to}?"' in html
    assert 'data-agent="李娜"' in html


def test_reassigning_nothing_says_so_in_red_and_moves_nothing(client, supervisor, entries):
    a1, _a2, _made = entries
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("supervisor:queue"), {}, follow=True)
    html = response.content.decode()
    assert "alert-danger" in html and "alert-error" not in html
    assert "Choose the calls and the agent to give them to." in html
    assert set(QueueEntry.objects.values_list("assigned_agent", flat=True)) == {a1.pk}
