"""The agent's home: today's list with masked numbers and statuses, the counts, the big
Next call button, and the way back to a call still open."""

import pytest
from django.urls import reverse

from tests.agent.conftest import at, html_of, when

pytestmark = pytest.mark.django_db


def home(client, moment):
    with when(moment):
        return client.get(reverse("agent:home"))


def test_it_lists_my_calls_with_their_numbers_masked(client, as_agent, entry):
    response = home(client, at(9, 0))

    html = html_of(response)
    row = html[html.index(f'data-entry="{entry.pk}"') :].split("</tr>")[0]
    assert "张先生" in row
    assert '<td class="phone-masked">138****5678</td>' in row
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
