"""A waiting call on the agent's list that may not be made yet (outside calling hours, a
retry's time not come) shows "Call from …", disabled, at the time the claim's own rule
gives — the time the notice on arrival says — instead of "Call now"; the page is told in
how many seconds to offer it."""

import pytest
from django.urls import reverse

from tests.agent.conftest import at, html_of, listed_entry, when

pytestmark = pytest.mark.django_db


def home(client, moment):
    with when(moment):
        return client.get(reverse("agent:home"))


def row_of(html: str, entry) -> str:
    return html[html.index(f'data-entry="{entry.pk}"') :].split("</tr>")[0]


def test_between_windows_a_waiting_call_says_from_when_it_may_be_made(
    client, as_agent, agent, plan, version
):
    entry = listed_entry(plan, agent)

    html = html_of(home(client, at(12, 5)))

    row = row_of(html, entry)
    assert "The next calls may be made from 15:00." in html
    assert "Call from 15:00</button>" in row
    assert 'title="This call may be made from 15:00."' in row
    assert "disabled" in row
    assert "Call now</button>" not in row
    assert 'class="row-link"' not in row
    # Offered by the page once 15:00 has come: 2 h 55 min from now (and a second).
    assert 'data-callable-in="10501"' in row


def test_after_the_last_window_it_says_the_next_days_window(client, as_agent, agent, plan, version):
    entry = listed_entry(plan, agent)

    row = row_of(html_of(home(client, at(18, 0))), entry)

    assert "Call from 2026-11-24 10:30</button>" in row


def test_a_retry_not_yet_due_says_its_time_inside_a_window(client, as_agent, agent, plan, version):
    entry = listed_entry(plan, agent)
    entry.task.earliest_at = at(11, 15)
    entry.task.save()

    row = row_of(html_of(home(client, at(10, 45))), entry)

    assert "Call from 11:15</button>" in row
    assert "Call now</button>" not in row


def test_inside_a_window_a_due_call_may_be_taken(client, as_agent, agent, plan, version):
    entry = listed_entry(plan, agent)

    row = row_of(html_of(home(client, at(10, 45))), entry)

    assert "Call now</button>" in row
    assert reverse("agent:take", args=[entry.pk]) in row
    assert 'class="row-link"' in row
    assert "Call from" not in row
