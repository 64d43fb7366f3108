"""Recurring steps (chronic follow-up): a step that comes back every N days or months, its
calls made ahead within a bounded horizon."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups.scheduling import (
    RECURRING_AHEAD,
    RECURRING_HORIZON_DAYS,
    RepeatUnit,
    add_months,
    occurrence_day,
    occurrences_ahead,
)

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))
units = st.sampled_from(list(RepeatUnit))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 3, 31), 3, dt.date(2026, 6, 30)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 12, 1), 12, dt.date(2027, 12, 1)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_a_clamped_month_end_does_not_pull_later_calls_to_the_28th():
    first = dt.date(2026, 1, 31)
    assert [occurrence_day(first, 1, RepeatUnit.MONTHS, n) for n in (1, 2, 3, 4)] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]


def test_a_monthly_step_keeps_two_calls_ahead_within_ninety_days():
    # Step due 2026-12-10 (made, waiting); the next two would be 01-10 and 02-10, but only
    # one more may wait.
    found = occurrences_ahead(
        first=dt.date(2026, 12, 10),
        every=1,
        unit=RepeatUnit.MONTHS,
        made=1,
        waiting=1,
        today=dt.date(2026, 11, 10),
    )
    assert found == [(2, dt.date(2027, 1, 10))]


def test_a_quarterly_call_is_made_once_it_comes_inside_the_horizon():
    first = dt.date(2026, 11, 10)
    ahead = dict(first=first, every=3, unit=RepeatUnit.MONTHS, made=1, waiting=0)
    # The second call is due 2027-02-10: 92 days after 11-10, 89 after 11-13.
    assert occurrences_ahead(**ahead, today=dt.date(2026, 11, 10)) == []
    assert occurrences_ahead(**ahead, today=dt.date(2026, 11, 13)) == [(2, dt.date(2027, 2, 10))]


def test_every_call_already_made_is_never_made_again():
    found = occurrences_ahead(
        first=dt.date(2026, 1, 1),
        every=7,
        unit=RepeatUnit.DAYS,
        made=5,
        waiting=0,
        today=dt.date(2026, 1, 29),
    )
    assert found[0] == (6, dt.date(2026, 2, 5))


@given(first=days, every=st.integers(1, 36), unit=units, later=st.integers(1, 60))
def test_due_days_rise_with_the_occurrence(first, every, unit, later):
    previous = occurrence_day(first, every, unit, later)
    assert occurrence_day(first, every, unit, later + 1) > previous


@given(
    first=days,
    every=st.integers(1, 36),
    unit=units,
    made=st.integers(1, 40),
    waiting=st.integers(0, 3),
    today=days,
)
def test_calls_made_ahead_rise_stay_inside_the_horizon_and_the_limit(
    first, every, unit, made, waiting, today
):
    found = occurrences_ahead(
        first=first, every=every, unit=unit, made=made, waiting=waiting, today=today
    )
    horizon = today + dt.timedelta(days=RECURRING_HORIZON_DAYS)
    assert all(due <= horizon for _occurrence, due in found)
    assert [occurrence for occurrence, _due in found] == list(
        range(made + 1, made + 1 + len(found))
    )
    assert all(a[1] < b[1] for a, b in zip(found, found[1:], strict=False))
    assert waiting + len(found) <= max(RECURRING_AHEAD, waiting)
    if found:
        assert found[0][1] > occurrence_day(first, every, unit, made)


@given(first=days, months=st.integers(0, 120))
def test_adding_months_never_moves_more_than_the_months_allow(first, months):
    moved = add_months(first, months)
    assert (moved.year * 12 + moved.month) - (first.year * 12 + first.month) == months
    assert moved.day <= first.day
