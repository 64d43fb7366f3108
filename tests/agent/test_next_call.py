"""The "Next call" button: one click claims the call and opens its screen in place; with
nothing to hand out the page says why in an agent's words, and when to look again."""

from html import unescape

import pytest
from django.urls import reverse

from followups.models import CallList, QueueEntryStatus
from tests.agent.conftest import at, html_of, htmx, when
from tests.clock import MONDAY
from tests.factories import CallListFactory

pytestmark = pytest.mark.django_db


def next_call(client, moment, **headers):
    with when(moment):
        return client.post(reverse("agent:next"), **headers)


def test_it_claims_the_next_call_and_opens_its_screen_in_place(client, as_agent, agent, entry):
    response = next_call(client, at(10, 40), **htmx())

    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("agent:call", args=[entry.pk])
    html = response.content.decode()
    assert 'id="script-runner"' in html
    assert "138****5678" in html
    assert "12345678" not in html
    assert "<html" not in html
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by, entry.claimed_at) == (
        QueueEntryStatus.CLAIMED,
        agent,
        at(10, 40),
    )


def test_without_htmx_it_takes_the_agent_to_the_call_screen(client, as_agent, agent, entry):
    response = next_call(client, at(10, 40))

    assert response.status_code == 302
    assert response.url == reverse("agent:call", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.claimed_by == agent


def test_a_second_click_opens_the_same_call(client, as_agent, agent, entry, other_agent):
    next_call(client, at(10, 40), **htmx())

    response = next_call(client, at(10, 41), **htmx())

    assert response["HX-Push-Url"] == reverse("agent:call", args=[entry.pk])
    entry.refresh_from_db()
    assert (entry.claimed_by, entry.claimed_at) == (agent, at(10, 40))


def reason_of(response) -> tuple[str, str, str]:
    html = unescape(response.content.decode())
    return (
        html.split('data-reason="')[1].split('"')[0],
        html.split('<h2 class="h5 mb-1">')[1].split("</h2>")[0],
        html.split('id="no-call-message">')[1].split("</p>")[0],
    )


def test_between_windows_it_says_when_the_next_window_starts(client, as_agent, entry):
    response = next_call(client, at(12, 5), **htmx())

    assert response.status_code == 200
    assert reason_of(response) == (
        "outside_window",
        "Outside calling hours",
        "Not in calling hours now. The next calls may be made from 15:00.",
    )
    assert "HX-Push-Url" not in response
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.WAITING, None)


def told(client, agent, moment) -> tuple[str, str, str]:
    """Why the button gives agent-a no call at `moment`: the reason, a title, a message."""
    client.force_login(agent)
    return reason_of(next_call(client, moment, **htmx()))


def test_before_the_list_is_built_it_says_so(client, agent, version):
    assert told(client, agent, at(10, 40)) == (
        "no_list",
        "Today's list is not ready",
        "Today's call list has not been built yet.",
    )
    assert not CallList.objects.exists()


def test_when_every_call_is_done_it_says_so(client, agent, entry):
    entry.status = QueueEntryStatus.DONE
    entry.save()

    assert told(client, agent, at(10, 40)) == (
        "all_done",
        "All done for today",
        "All of today's calls are done.",
    )


def test_with_an_empty_list_it_says_nothing_is_assigned(client, agent, version):
    CallListFactory(day=MONDAY)

    assert told(client, agent, at(10, 40)) == (
        "nothing_assigned",
        "Nothing for you today",
        "No calls are assigned to you today.",
    )


def test_when_others_hold_every_call_it_says_when_to_try_again(
    client, as_agent, other_agent, entry
):
    entry.status = QueueEntryStatus.CLAIMED
    entry.claimed_by, entry.claimed_at = other_agent, at(10, 40)
    entry.lease_expires_at = at(10, 55)
    entry.save()

    response = next_call(client, at(10, 45), **htmx())

    assert reason_of(response) == (
        "all_claimed",
        "Every call is being handled",
        "Every call that can be made now is being handled by other agents. Try again soon.",
    )
    assert 'id="next-possible">Try again from 10:55.</p>' in response.content.decode()
    entry.refresh_from_db()
    assert entry.claimed_by == other_agent


def test_without_htmx_the_reason_comes_on_the_whole_page(client, as_agent, entry):
    response = next_call(client, at(12, 5))

    html = html_of(response)
    assert "<html" in html
    assert "Not in calling hours now. The next calls may be made from 15:00." in html
