"""My callbacks: the callbacks the agent booked that are still to make, the upcoming ones
soonest first, then the late ones."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from followups.models import QueueEntryStatus, TaskKind
from tests.agent.conftest import at, html_of, listed_entry, when
from tests.clock import MONDAY, TUESDAY
from tests.factories import CallAttemptFactory, CallListFactory, due_follow_up

pytestmark = pytest.mark.django_db


def booked(entry, agent, moment):
    booked_on(entry.task, agent, moment)


def booked_on(task, agent, moment):
    """A callback at `moment` the agent booked on the follow-up, as record_outcome books it
    (its next call then)."""
    CallAttemptFactory(task=task, agent=agent, disposition="callback", started_at=at(9))
    task.kind, task.callback_at = TaskKind.CALLBACK, moment
    task.earliest_at = moment
    task.save()


def test_it_lists_my_callbacks_upcoming_first(client, as_agent, agent, other_agent, plan):
    tomorrow = listed_entry(plan, agent, name="甲", phone="+8613800000001")
    today = listed_entry(plan, agent, name="乙", phone="+8613800000002")
    late = listed_entry(plan, agent, name="丙", phone="+8613800000003")
    theirs = listed_entry(plan, other_agent, name="丁", phone="+8613800000004")
    booked(tomorrow, agent, at(15, 30, TUESDAY))
    booked(today, agent, at(16, 0))
    booked(late, agent, at(10, 0))
    booked(theirs, other_agent, at(16, 0))

    with when(at(10, 45)):
        html = html_of(client.get(reverse("agent:callbacks")))

    order = [html.index(f'data-task="{e.task_id}"') for e in (today, tomorrow, late)]
    assert order == sorted(order)
    assert f'data-task="{theirs.task_id}"' not in html
    assert "2026-11-24 15:30" in html

    def row(entry):
        return html[html.index(f'data-task="{entry.task_id}"') :].split("</tr>")[0]

    # A passed one is marked in the list's words.
    assert "Callback missed: 2026-11-23 10:00</span>" in row(late)
    assert "Callback missed" not in row(today) and "Callback missed" not in row(tomorrow)


def test_each_waiting_callback_offers_the_call_as_the_list_does(client, as_agent, agent, plan):
    late = listed_entry(plan, agent, name="甲", phone="+8613800000001")
    later = listed_entry(plan, agent, name="乙", phone="+8613800000002")
    booked(late, agent, at(10, 0))
    booked(later, agent, at(16, 0))

    with when(at(10, 45)):
        html = html_of(client.get(reverse("agent:callbacks")))

    def row(entry):
        return html[html.index(f'data-task="{entry.task_id}"') :].split("</tr>")[0]

    take = reverse("agent:take", args=[late.pk])
    assert f'action="{take}"' in row(late)
    assert ">Call now</button>" in row(late)
    # Not before its time: said, and disabled until then.
    assert f'action="{reverse("agent:take", args=[later.pk])}"' in row(later)
    assert re.search(r"<button[^>]*disabled[^>]*>Call from 16:00</button>", row(later))
    assert ">Call now</button>" not in row(later)


@pytest.mark.parametrize("elsewhere", ["yesterday's list", "a colleague's list", "done"])
def test_a_callback_not_waiting_on_my_list_today_offers_no_call(
    client, as_agent, agent, other_agent, plan, elsewhere
):
    entry = listed_entry(plan, agent, name="甲", phone="+8613800000001")
    booked(entry, agent, at(10, 0))
    if elsewhere == "yesterday's list":
        entry.call_list = CallListFactory(day=MONDAY - dt.timedelta(days=1))
    elif elsewhere == "a colleague's list":
        entry.assigned_agent = other_agent
    else:
        entry.status = QueueEntryStatus.DONE
    entry.save()

    with when(at(10, 45)):
        html = html_of(client.get(reverse("agent:callbacks")))

    assert f'data-task="{entry.task_id}"' in html
    assert "take-call" not in html


def test_a_callback_offers_only_the_call_that_covers_it(client, as_agent, agent, plan):
    """The person waits on today's list for another follow-up: a callback of theirs due
    today rides along with that call; one booked for another day does not."""
    entry = listed_entry(plan, agent, name="甲", phone="+8613800000001")
    customer = entry.task.case.customer
    tomorrow = due_follow_up(plan, customer)
    this_afternoon = due_follow_up(plan, customer)
    booked_on(tomorrow, agent, at(15, 30, TUESDAY))
    booked_on(this_afternoon, agent, at(16, 0))

    with when(at(10, 45)):
        html = html_of(client.get(reverse("agent:callbacks")))

    def row(task):
        return html[html.index(f'data-task="{task.pk}"') :].split("</tr>")[0]

    assert "2026-11-24 15:30" in row(tomorrow)
    assert "take-call" not in row(tomorrow)
    take = reverse("agent:take", args=[entry.pk])
    assert f'action="{take}"' in row(this_afternoon)
    assert ">Call now</button>" in row(this_afternoon)


def test_the_home_page_links_to_them(client, as_agent, entry):
    with when(at(10, 45)):
        html = html_of(client.get(reverse("agent:home")))

    assert f'href="{reverse("agent:callbacks")}"' in html
