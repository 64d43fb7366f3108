"""The supervisor's home: today's figures and the last 30 days (or 90, or 365) at a
glance."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.clock import on
from tests.factories import CustomerFactory
from tests.reports.conftest import MON
from tests.reports.factories import call, due_task, script_version

pytestmark = pytest.mark.django_db


def test_it_shows_reach_reasons_satisfaction_and_waiting_problems(
    client, supervisor, made_call, urgent, a1
):
    call(due_task(due=MON), by=a1, disposition="no_answer", started=on(MON, 15))
    client.force_login(supervisor)
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        response = client.get(reverse("supervisor:home"))
    context = response.context
    # Due in the 30 days: made_call's task (reached) and the no-answer one: 1 of 2.
    assert (context["funnel"].due, context["funnel"].reached) == (2, 1)
    assert context["rate_text"] == "50.0 %"
    assert context["funnel"].unreached["no_answer"] == 1
    # The urgent escalation was due at 12:40 on Monday: open, overdue, not acknowledged.
    assert (
        context["open_escalations"],
        context["overdue_escalations"],
        context["urgent_escalations"],
    ) == (1, 1, 1)
    assert list(context["waiting_escalations"]) == [urgent]
    html = response.content.decode()
    assert 'id="chart-unreached"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_it_shows_the_deaths_reported_on_calls_of_the_last_thirty_days(client, supervisor, a1):
    reported = call(due_task(due=MON), by=a1, disposition="deceased", started=on(MON, 10, 40))
    call(due_task(due=MON), by=a1, disposition="complete", started=on(MON, 10, 50))
    client.force_login(supervisor)
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        response = client.get(reverse("supervisor:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert list(response.context["deaths_reported"]) == [reported]
    assert "every call to these people has stopped" in response.content.decode()


def one_call_on_two_follow_ups(agent, lead_disposition: str):
    """A call at 15:00 on Monday to a person with two follow-ups due: the lead one ends
    `lead_disposition`, the other is done on the same call."""
    person = CustomerFactory()
    first = due_task(due=MON, customer=person)
    lead = call(first, by=agent, disposition=lead_disposition, started=on(MON, 15))
    other = due_task(due=MON, customer=person)
    call(other, by=agent, disposition="complete", started=on(MON, 15), same_call_as=lead)


def test_the_agents_at_a_glance_count_one_call_per_person_called(client, supervisor, a1):
    one_call_on_two_follow_ups(a1, "complete")
    client.force_login(supervisor)
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        response = client.get(reverse("supervisor:home"))
    # One call settled two follow-ups: one call, reaching the person, 180 s.
    assert response.context["agents"].rows == [["李娜", 1, 1, 1.0, 180.0]]
    # The follow-up rate still counts both tasks.
    assert (response.context["funnel"].due, response.context["funnel"].reached) == (2, 2)


def test_todays_calls_count_a_call_to_a_person_once_reached_on_any_follow_up(
    client, supervisor, a1
):
    one_call_on_two_follow_ups(a1, "refused")
    call(due_task(due=MON), by=a1, disposition="no_answer", started=on(MON, 15, 10))
    client.force_login(supervisor)
    with time_machine.travel("2026-11-09 16:00 +0800", tick=False):
        response = client.get(reverse("supervisor:home"))

    assert (response.context["calls"], response.context["reached"]) == (2, 1)


def test_the_period_can_be_widened_to_a_year_and_an_unknown_one_stays_thirty_days(
    client, supervisor, a1
):
    """MON is 2026-11-09; seen on 2026-11-11. A task due 200 days before counts in the
    365-day view only; the period's links say which one is shown."""
    long_ago = MON - dt.timedelta(days=200)
    call(due_task(due=long_ago), by=a1, disposition="complete", started=on(long_ago, 10, 40))
    call(due_task(due=MON), by=a1, disposition="no_answer", started=on(MON, 15))
    client.force_login(supervisor)
    url = reverse("supervisor:home")
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        year = client.get(url, {"days": "365"}, HTTP_ACCEPT_LANGUAGE="en")
        month = client.get(url, {"days": "7"}, HTTP_ACCEPT_LANGUAGE="en")

    assert (year.context["funnel"].due, year.context["funnel"].reached) == (2, 1)
    assert year.context["scope"].start == dt.date(2025, 11, 12)
    html = year.content.decode()
    assert "The last 365 days (2025-11-12 to 2026-11-11)" in html
    assert 'href="?days=365" aria-current="page"' in html
    assert (month.context["funnel"].due, month.context["funnel"].reached) == (1, 0)
    assert "The last 30 days (2026-10-13 to 2026-11-11)" in month.content.decode()


def test_the_dashboard_names_how_each_reached_share_is_counted(client, supervisor, a1):
    version = script_version(1)
    call(due_task(due=MON), by=a1, disposition="complete", started=on(MON, 10, 40), version=version)
    client.force_login(supervisor)
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        response = client.get(reverse("supervisor:home"))
    html = response.content.decode()
    # The follow-up rate is by follow-up; the agents' and the versions' shares say theirs.
    rate_card = html.split('id="dashboard-reach"', 1)[1].split('id="dashboard-rate"', 1)[0]
    assert "by follow-up" in rate_card
    assert "Reached share (by call)" in [c.label for c in response.context["agents"].columns]
    assert "Reached share (by call)</th>" in html
    assert "Reached share (by follow-up called)</th>" in html
