"""The agent's home: today's list with masked numbers and statuses, the counts, the big
Next call button, and the way back to a call still open."""

import re

import pytest
from django.urls import reverse

from followups.models import QueueEntryStatus, TaskStatus
from tests import factories
from tests.agent.conftest import at, html_of, listed_entry, when
from tests.clock import TUESDAY

pytestmark = pytest.mark.django_db


def home(client, moment):
    with when(moment):
        return client.get(reverse("agent:home"))


def test_it_lists_my_calls_with_their_numbers_masked(client, as_agent, entry):
    response = home(client, at(9, 0))

    html = html_of(response)
    row = html[html.index(f'data-entry="{entry.pk}"') :].split("</tr>")[0]
    assert "张先生" in row
    assert re.search(r'<td class="phone-masked[^"]*">138\*\*\*\*5678</td>', row)
    assert "Waiting" in row
    assert "12345678" not in html
    assert f'hx-post="{reverse("agent:next")}"' in html
    assert 'id="next-call-button"' in html


def test_a_call_still_open_can_be_returned_to(client, as_agent, held):
    response = home(client, at(10, 45))

    html = response.content.decode()
    call = reverse("agent:call", args=[held.pk])
    assert f'<a class="btn btn-sm btn-primary" href="{call}">Back to the call</a>' in html
    row = html[html.index(f'data-entry="{held.pk}"') :].split("</tr>")[0]
    assert f'href="{call}">Open: back to the call</a>' in row


def test_a_call_whose_lease_ran_out_is_not_offered(client, as_agent, held):
    response = home(client, at(11, 0))

    assert 'id="held-call"' not in response.content.decode()


def count_on(html: str, card: str) -> tuple[str, int]:
    """The label and the figure of the count card `card` (its id)."""
    found = re.search(
        rf'id="{card}" title="[^"]+">.*?<div class="text-muted small">([^<]+)</div>'
        r'<div class="display-6">(\d+)</div>',
        html,
        re.S,
    )
    assert found, card
    return found.group(1), int(found.group(2))


def test_each_count_says_what_it_counts(client, as_agent, agent, plan, version):
    listed_entry(plan, agent, name="甲", phone="+8613800000001")
    tomorrow = listed_entry(plan, agent, name="乙", phone="+8613800000002")
    reached = listed_entry(plan, agent, name="丙", phone="+8613800000003")
    closed = listed_entry(plan, agent, name="丁", phone="+8613800000004")
    factories.called(
        tomorrow, "no_answer", agent=agent, started_at=at(10, 35), earliest_at=at(10, 30, TUESDAY)
    )
    factories.called(
        reached, "complete", agent=agent, started_at=at(10, 40), status=TaskStatus.DONE
    )
    closed.status = QueueEntryStatus.CANCELLED  # the case closed: off the list today
    closed.save()

    html = html_of(home(client, at(10, 45)))

    assert count_on(html, "count-to-call") == ("Still to call today", 1)
    # Not reached with the next try tomorrow, reached, taken off: no more call today.
    assert count_on(html, "count-finished") == ("No more calls today", 3)
    assert count_on(html, "count-calls") == ("Calls I made today", 2)
    assert count_on(html, "count-center")[0] == "Follow-ups due, whole center"
    assert "My calls today" not in html[html.index('id="my-counts"') :]
    assert 'title="People on your list still to call today' in html


def test_on_a_phone_a_row_keeps_the_name_the_case_and_the_call_button(client, as_agent, entry):
    html = html_of(home(client, at(10, 45)))

    row = html[html.index(f'data-entry="{entry.pk}"') :].split("</tr>")[0]
    cells = re.findall(r"<td( class=\"[^\"]*\")?>", row)
    shown = [cell for cell in cells if "d-none" not in cell]
    assert len(cells) == 8 and len(shown) == 2  # the person and where they stand
    assert 'class="person text-nowrap"' in shown[0] and "person-state" in shown[1]
    assert '<div class="d-md-none small text-muted">Discharge follow-up</div>' in row
    assert "Call now" in row
