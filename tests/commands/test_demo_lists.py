"""The demo data's lists: built each morning for two weeks from the day `seed_demo` ran,
every day's list holds each person once, however many follow-ups of theirs are due."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, F, Max

from followups.models import CallList, QueueEntry
from followups.services import person_calls
from followups.services.call_lists import build_call_lists
from tests.clock import SHANGHAI

pytestmark = pytest.mark.django_db

SEEDED_ON = dt.date(2026, 11, 23)  # a Monday
DAYS = 14


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(6, 30), tzinfo=SHANGHAI)


def test_no_person_is_listed_twice_on_any_day_of_the_demo_fortnight():
    with time_machine.travel(morning(SEEDED_ON), tick=False):
        call_command("seed_demo", stdout=io.StringIO())

    reports = {}
    for offset in range(DAYS):
        day = SEEDED_ON + dt.timedelta(days=offset)
        with time_machine.travel(morning(day), tick=False):
            reports[day] = build_call_lists(day=day)

    # The demo's history left a list for each of its days too, each person once on it.
    assert CallList.objects.filter(day__gte=SEEDED_ON).count() == DAYS
    assert CallList.objects.filter(day__lt=SEEDED_ON).count() > 40
    per_person = QueueEntry.objects.values("call_list__day", "customer_id").annotate(n=Count("pk"))
    twice = [row for row in per_person if row["n"] > 1]
    assert twice == []
    assert per_person.aggregate(most=Max("n"))["most"] == 1
    # Every entry is its lead follow-up's person.
    assert not QueueEntry.objects.exclude(customer_id=F("task__case__customer_id")).exists()

    # A second run of a morning's build lists nobody again.
    with time_machine.travel(morning(SEEDED_ON) + dt.timedelta(hours=1), tick=False):
        assert build_call_lists(day=SEEDED_ON).added == 0
    assert per_person.aggregate(most=Max("n"))["most"] == 1

    # Not vacuous: the lists are full, and people with several follow-ups due are on them.
    listed = QueueEntry.objects.filter(call_list__day__gte=SEEDED_ON).count()
    assert listed > 50
    assert sum(report.riding_along for report in reports.values()) > 0
    several = [entry for day in reports for entry, count in _carried(day).items() if count > 1]
    assert several, "no listed person has more than one follow-up due"


def _carried(day: dt.date) -> dict[int, int]:
    entries = QueueEntry.objects.filter(call_list__day=day).select_related("call_list")
    return person_calls.carried_counts(entries)
