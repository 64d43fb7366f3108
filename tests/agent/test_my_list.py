"""The agent's list as a call centre keeps it: where each person stands (reached, not
reached and when the next try is, a callback booked), a search of the agent's own list,
pages of 20, sorting by a column, and a row that opens its call."""

import pytest
from django.urls import reverse

from followups.models import QueueEntryStatus, TaskKind, TaskStatus
from tests import factories
from tests.agent.conftest import at, html_of, listed_entry, when
from tests.clock import MONDAY

pytestmark = pytest.mark.django_db


def home(client, moment=None, **query):
    with when(moment or at(10, 45)):
        if "q" in query:  # the search box posts; the list is at the address it leads to
            landed = client.post(reverse("agent:home"), query)
            assert landed.status_code == 302 and query["q"] not in landed.url
            return client.get(landed.url)
        return client.get(reverse("agent:home"), query)


def row_of(html: str, entry) -> str:
    return html[html.index(f'data-entry="{entry.pk}"') :].split("</tr>")[0]


def called(entry, disposition, *, agent, **task):
    """A call on the entry at 10:35 ended with `disposition`; the task left as `task` says."""
    factories.called(entry, disposition, agent=agent, started_at=at(10, 35), **task)


def test_each_row_says_where_the_person_stands(client, as_agent, agent, plan, version):
    reached = listed_entry(plan, agent, name="甲", phone="+8613800000001")
    no_answer = listed_entry(plan, agent, name="乙", phone="+8613800000002")
    callback = listed_entry(plan, agent, name="丙", phone="+8613800000003")
    refused = listed_entry(plan, agent, name="丁", phone="+8613800000004")
    called(reached, "complete", agent=agent, status=TaskStatus.DONE)
    called(no_answer, "no_answer", agent=agent, earliest_at=at(15, 0))
    called(callback, "callback", agent=agent, kind=TaskKind.CALLBACK, callback_at=at(16, 30))
    called(refused, "refused", agent=agent, status=TaskStatus.CANCELLED)

    html = html_of(home(client))

    assert "Reached: complete" in row_of(html, reached)
    assert "Not reached: next try 15:00" in row_of(html, no_answer)
    assert "Callback booked: 16:30" in row_of(html, callback)
    assert "Refused" in row_of(html, refused)
    assert "Done" not in row_of(html, no_answer) + row_of(html, callback)


def test_a_retry_on_another_day_shows_its_date(client, as_agent, agent, plan, version):
    entry = listed_entry(plan, agent)
    called(entry, "busy", agent=agent, earliest_at=at(10, 30, MONDAY.replace(day=24)))

    assert "Not reached: next try 2026-11-24 10:30" in row_of(html_of(home(client)), entry)


def test_the_search_finds_my_people_by_name_or_last_four_digits(
    client, as_agent, agent, plan, version
):
    zhang = listed_entry(plan, agent, name="张三", phone="+8613812345678")
    li = listed_entry(plan, agent, name="李梅", phone="+8613998765432")

    by_name = html_of(home(client, q="李"))
    by_phone = html_of(home(client, q="5678"))
    nobody = html_of(home(client, q="王"))

    assert f'data-entry="{li.pk}"' in by_name and f'data-entry="{zhang.pk}"' not in by_name
    assert f'data-entry="{zhang.pk}"' in by_phone and f'data-entry="{li.pk}"' not in by_phone
    assert "Nobody on your list today matches “王”." in nobody


def test_the_list_comes_in_pages_of_twenty(client, as_agent, agent, plan, version):
    entries = [
        listed_entry(plan, agent, name=f"客户{n:02}", phone=f"+86138000000{n:02}")
        for n in range(25)
    ]

    first = html_of(home(client))
    second = html_of(home(client, page=2))

    assert first.count("<tr data-entry=") == 20
    assert second.count("<tr data-entry=") == 5
    assert "25 people" in first
    assert 'href="?page=2"' in first
    assert f'data-entry="{entries[0].pk}"' in first


def test_a_column_sorts_the_list_both_ways(client, as_agent, agent, plan, version):
    b = listed_entry(plan, agent, name="Bai", phone="+8613800000001")
    a = listed_entry(plan, agent, name="An", phone="+8613800000002")

    up = html_of(home(client, sort="name"))
    down = html_of(home(client, sort="-name"))

    assert up.index(f'data-entry="{a.pk}"') < up.index(f'data-entry="{b.pk}"')
    assert down.index(f'data-entry="{b.pk}"') < down.index(f'data-entry="{a.pk}"')
    assert 'aria-sort="ascending"' in up and 'href="?sort=-name"' in up


def test_a_row_picked_on_the_list_opens_its_call(client, as_agent, agent, plan, version):
    listed_entry(plan, agent, name="甲", phone="+8613800000001")
    second = listed_entry(plan, agent, name="乙", phone="+8613800000002")

    with when(at(10, 45)):
        response = client.post(reverse("agent:take", args=[second.pk]))

    assert response.status_code == 302
    assert response.url == reverse("agent:call", args=[second.pk])
    second.refresh_from_db()
    assert (second.status, second.claimed_by) == (QueueEntryStatus.CLAIMED, agent)


def test_a_row_picked_outside_calling_hours_says_when(client, as_agent, agent, plan, version):
    entry = listed_entry(plan, agent)

    with when(at(12, 5)):
        response = client.post(reverse("agent:take", args=[entry.pk]), follow=True)

    assert "This person may not be called now: from 15:00." in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.WAITING


def booked_callback(entry, moment):
    """The entry's follow-up is a callback booked for `moment`, the entry still waiting."""
    entry.task.kind, entry.task.callback_at = TaskKind.CALLBACK, moment
    entry.task.save()


def test_a_callback_whose_time_has_passed_stands_out_in_its_place(
    client, as_agent, agent, plan, version
):
    waiting = listed_entry(plan, agent, name="甲", phone="+8613800000001")
    upcoming = listed_entry(plan, agent, name="乙", phone="+8613800000002")
    missed = listed_entry(plan, agent, name="丙", phone="+8613800000003")
    missed_first = listed_entry(plan, agent, name="丁", phone="+8613800000004")
    booked_callback(upcoming, at(16, 30))
    booked_callback(missed, at(10, 35))
    booked_callback(missed_first, at(10, 32))

    html = html_of(home(client, at(10, 45)))

    assert "Callback missed: 10:35" in row_of(html, missed)
    assert "table-warning" in row_of(html, missed) and "Call now" in row_of(html, missed)
    assert "Callback booked: 16:30" in row_of(html, upcoming)
    assert "missed" not in row_of(html, upcoming) + row_of(html, waiting)
    # Marked, not moved: the list keeps the order Next call hands the calls out in.
    order = [html.index(f'data-entry="{e.pk}"') for e in (waiting, upcoming, missed, missed_first)]
    assert order == sorted(order)


def test_a_callback_missed_on_an_earlier_day_shows_its_date(client, as_agent, agent, plan):
    entry = listed_entry(plan, agent)
    booked_callback(entry, at(16, 0, MONDAY.replace(day=20)))

    assert "Callback missed: 2026-11-20 16:00" in row_of(html_of(home(client)), entry)
