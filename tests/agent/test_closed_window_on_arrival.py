"""Arriving outside calling hours: the console says so at once, with when the next window
opens (the claim's own answer), before anyone presses N."""

import pytest
from django.urls import reverse

from followups.models import QueueEntry
from tests.agent.conftest import at, html_of, when

pytestmark = pytest.mark.django_db


def home(client, moment):
    with when(moment):
        return client.get(reverse("agent:home"))


def test_between_windows_the_page_says_when_the_next_opens(client, as_agent, entry):
    html = html_of(home(client, at(12, 5)))

    assert 'data-reason="outside_window"' in html
    assert "Not in calling hours now. The next calls may be made from 15:00." in html
    assert not QueueEntry.objects.filter(claimed_by__isnull=False).exists()


def test_before_the_first_window_it_says_the_morning_window(client, as_agent, entry):
    html = html_of(home(client, at(9, 0)))

    assert "The next calls may be made from 10:30." in html


def test_inside_a_window_it_says_nothing_of_the_kind(client, as_agent, entry):
    html = html_of(home(client, at(10, 45)))

    assert 'id="no-call"' not in html
