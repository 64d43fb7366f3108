"""The callback picker's check: a requested time is kept, or moved out of quiet hours or
off a closed day by the case's calling rules; a time in the past is refused."""

import re
from html import unescape

import pytest
from django.urls import reverse

from followups.models import HolidayOverride
from tests.agent.conftest import at, htmx, when

pytestmark = pytest.mark.django_db


def check(client, entry, ticket, requested, moment=None):
    with when(moment or at(10, 42)):
        response = client.post(
            reverse("agent:callback_check", args=[entry.pk]),
            {"ticket": ticket, "callback_at": requested},
            **htmx(),
        )
    assert response.status_code == 200
    return unescape(re.sub(r"\s+", " ", response.content.decode())).strip()


def test_a_time_outside_quiet_hours_is_kept(client, held, ticket):
    said = check(client, held, ticket, "2026-11-24T12:15")

    assert 'data-check="kept"' in said
    assert "Kept: the callback is at 2026-11-24 12:15." in said


def test_a_time_in_quiet_hours_is_moved_to_the_morning(client, held, ticket):
    said = check(client, held, ticket, "2026-11-23T22:00")

    assert 'data-check="moved"' in said
    assert "Will be moved to 2026-11-24 08:00 because that time is in quiet hours." in said


def test_a_time_on_a_closed_day_is_moved_to_the_next_open_day(client, held, ticket, plan):
    HolidayOverride.objects.create(
        policy=plan.calling_policy, day=at(0, 0).date().replace(day=25), kind="closed"
    )

    said = check(client, held, ticket, "2026-11-25T10:00")

    assert (
        "The center does not call on that day: will be moved to 2026-11-26 10:00, the same time"
        " on the next day it calls."
    ) in said


def test_a_time_in_the_past_is_refused(client, held, ticket):
    said = check(client, held, ticket, "2026-11-23T10:41")

    assert 'data-check="past"' in said
    assert "This time has passed: choose a later one." in said


def test_the_current_minute_still_counts_as_now(client, held, ticket):
    said = check(client, held, ticket, "2026-11-23T10:42", moment=at(10, 42).replace(second=30))

    assert 'data-check="kept"' in said


def test_a_customer_on_another_clock_is_told_in_both(client, held, ticket):
    customer = held.task.case.customer
    customer.timezone = "Asia/Urumqi"
    customer.save()

    # 09:30 in Shanghai is 07:30 in Urumqi: before the quiet hours end at 08:00 there.
    said = check(client, held, ticket, "2026-11-24T09:30")

    assert (
        "Will be moved to 2026-11-24 10:00 because that time is in quiet hours. "
        "(08:00 on the customer's clock, Asia/Urumqi)" in said
    )


def test_an_empty_or_garbled_time_says_nothing_or_asks_again(client, held, ticket):
    assert check(client, held, ticket, "") == ""
    assert "Enter a date and a time." in check(client, held, ticket, "tomorrow")


def test_it_needs_the_ticket_of_the_call(client, held, ticket, other_agent):
    client.force_login(other_agent)
    with when(at(10, 42)):
        response = client.post(
            reverse("agent:callback_check", args=[held.pk]),
            {"ticket": ticket, "callback_at": "2026-11-24T12:15"},
        )

    assert response.status_code == 403


def test_a_kept_time_outside_the_windows_says_someone_must_be_working_then(client, held, ticket):
    """20:00 is the customer's to choose (windows do not bind a callback), but no window
    lists a call then: the agent is told, with the day's windows."""
    said = check(client, held, ticket, "2026-11-24T20:00")

    assert "Kept: the callback is at 2026-11-24 20:00." in said
    assert 'data-check="outside-windows"' in said
    assert "outside the calling windows (10:30–11:30, 15:00–17:30)" in said


def test_a_time_inside_a_window_has_no_warning(client, held, ticket):
    said = check(client, held, ticket, "2026-11-24T15:30")

    assert 'data-check="kept"' in said and "outside-windows" not in said


def test_a_time_moved_out_of_quiet_hours_to_before_the_windows_says_so_too(client, held, ticket):
    said = check(client, held, ticket, "2026-11-23T23:30")

    assert "Will be moved to 2026-11-24 08:00" in said
    assert 'data-check="outside-windows"' in said
