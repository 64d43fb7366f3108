"""When plan steps and intent-class calls fall due."""

from datetime import date

import pytest

from followups.scheduling import IntentCadence, IntentClass, due_dates, next_intent_call_date


def test_steps_fall_due_their_offset_in_days_after_the_anchor():
    discharged = date(2026, 3, 10)
    assert due_dates(discharged, [0, 1, 7, 30]) == [
        date(2026, 3, 10),
        date(2026, 3, 11),
        date(2026, 3, 17),
        date(2026, 4, 9),
    ]


def test_due_dates_count_calendar_days_across_month_leap_day_and_year_end():
    assert due_dates(date(2028, 2, 28), [1, 2]) == [date(2028, 2, 29), date(2028, 3, 1)]
    assert due_dates(date(2026, 12, 25), [7]) == [date(2027, 1, 1)]


def test_due_dates_ignore_holidays_which_the_calling_windows_deal_with():
    assert due_dates(date(2026, 9, 30), [1]) == [date(2026, 10, 1)]


def test_due_dates_keep_the_order_of_the_steps():
    assert due_dates(date(2026, 3, 10), [30, 1]) == [date(2026, 4, 9), date(2026, 3, 11)]


def test_a_plan_without_steps_has_no_due_dates():
    assert due_dates(date(2026, 3, 10), []) == []


def test_a_step_before_the_anchor_is_refused():
    with pytest.raises(ValueError, match="before its anchor"):
        due_dates(date(2026, 3, 10), [7, -1])


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        (IntentClass.A, date(2026, 3, 13)),
        (IntentClass.B, date(2026, 3, 17)),
        (IntentClass.C, date(2026, 3, 31)),
        (IntentClass.D, None),
    ],
)
def test_intent_classes_are_called_at_their_default_cadence(intent, expected):
    assert next_intent_call_date(date(2026, 3, 10), intent) == expected


def test_intent_cadence_can_be_configured():
    cadence = IntentCadence(a_days=2, b_days=10, c_days=14, d_days=90)
    last_call = date(2026, 3, 10)
    assert [next_intent_call_date(last_call, intent, cadence) for intent in IntentClass] == [
        date(2026, 3, 12),
        date(2026, 3, 20),
        date(2026, 3, 24),
        date(2026, 6, 8),
    ]


def test_intent_class_may_be_given_as_stored_text():
    assert next_intent_call_date(date(2026, 3, 10), "B") == date(2026, 3, 17)


@pytest.mark.parametrize("c_days", [13, 29])
def test_class_c_cadence_stays_between_two_and_four_weeks(c_days):
    with pytest.raises(ValueError, match="14 to 28"):
        IntentCadence(c_days=c_days)


def test_class_c_cadence_accepts_both_ends_of_the_range():
    assert IntentCadence(c_days=14).c_days == 14
    assert IntentCadence(c_days=28).c_days == 28
