"""Calling windows, quiet hours, timezones and daylight saving."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given

from followups.scheduling import (
    CallingRules,
    Window,
    day_status,
    is_callable,
    next_callable_moment,
    next_window_start,
    same_window,
    windows_on,
)
from tests.clock import SHANGHAI, shanghai

from .strategies import (
    PROPERTY_SETTINGS,
    calling_rules,
    in_utc,
    moments,
    outside_quiet_hours,
    reads_inside_a_window,
    wall_clock,
    with_windows,
)

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
CENTRE = CallingRules()
# A patient in Los Angeles on the Shanghai centre's default policy.
ABROAD = CENTRE.for_timezone("America/Los_Angeles")
TUESDAY = date(2026, 3, 10)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def as_utc(windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    return [(in_utc(start), in_utc(end)) for start, end in windows]


def test_default_policy_calls_late_morning_and_afternoon():
    assert windows_on(TUESDAY, CENTRE) == [
        (shanghai(2026, 3, 10, 10, 30), shanghai(2026, 3, 10, 11, 30)),
        (shanghai(2026, 3, 10, 15, 0), shanghai(2026, 3, 10, 17, 30)),
    ]


def test_windows_are_given_in_the_rules_timezone():
    start, _end = windows_on(TUESDAY, ABROAD)[0]
    assert start.tzinfo == LOS_ANGELES
    assert start.replace(tzinfo=None) == datetime(2026, 3, 10, 10, 30)


def test_windows_are_clipped_to_quiet_hours():
    rules = with_windows("07:00-09:00", "20:00-22:00")
    assert windows_on(TUESDAY, rules) == [
        (shanghai(2026, 3, 10, 8, 0), shanghai(2026, 3, 10, 9, 0)),
        (shanghai(2026, 3, 10, 20, 0), shanghai(2026, 3, 10, 21, 0)),
    ]


def test_a_window_inside_quiet_hours_disappears():
    rules = with_windows("06:00-07:30")
    assert windows_on(TUESDAY, rules) == []


def test_overlapping_and_touching_windows_are_one_window_in_order():
    rules = with_windows("15:00-16:00", "11:00-13:00", "10:00-12:00", "16:00-17:00")
    assert windows_on(TUESDAY, rules) == [
        (shanghai(2026, 3, 10, 10, 0), shanghai(2026, 3, 10, 13, 0)),
        (shanghai(2026, 3, 10, 15, 0), shanghai(2026, 3, 10, 17, 0)),
    ]


def test_a_closed_day_has_no_windows():
    national_day = date(2026, 10, 1)
    assert windows_on(national_day, CENTRE) == []


def test_a_window_must_end_after_it_starts():
    with pytest.raises(ValueError, match="end after it starts"):
        Window(time(11, 0), time(10, 0))
    with pytest.raises(ValueError, match="end after it starts"):
        Window(time(11, 0), time(11, 0))


def test_quiet_hours_must_leave_time_to_call():
    with pytest.raises(ValueError, match="quiet"):
        CallingRules(quiet_before=time(21, 0), quiet_after=time(8, 0))


def test_rules_refuse_an_unknown_timezone_or_weekday():
    with pytest.raises(ValueError, match="unknown timezone"):
        CallingRules(timezone="Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="weekdays"):
        CallingRules(weekdays=frozenset({7}))


def test_rules_accept_values_as_the_models_hold_them():
    from_models = CallingRules(
        weekdays="01234",
        windows=[Window(time(9, 0), time(11, 0))],
        holiday_rule="working_days",
        closed_days={date(2026, 3, 10)},
    )
    assert from_models == CallingRules(
        weekdays=frozenset({0, 1, 2, 3, 4}),
        windows=(Window(time(9, 0), time(11, 0)),),
        holiday_rule="working_days",
        closed_days=frozenset({date(2026, 3, 10)}),
    )
    assert hash(from_models)


def test_the_patients_own_timezone_wins_when_set():
    assert CENTRE.for_timezone("America/Los_Angeles").timezone == "America/Los_Angeles"
    assert CENTRE.for_timezone(None) is CENTRE
    assert CENTRE.for_timezone("") is CENTRE
    with pytest.raises(ValueError, match="unknown timezone"):
        CENTRE.for_timezone("Nowhere/Special")


@pytest.mark.parametrize(
    ("moment", "callable_"),
    [
        (shanghai(2026, 3, 10, 10, 29, 59), False),
        (shanghai(2026, 3, 10, 10, 30), True),
        (shanghai(2026, 3, 10, 11, 29, 59), True),
        (shanghai(2026, 3, 10, 11, 30), False),
        (shanghai(2026, 3, 10, 13, 0), False),
        (shanghai(2026, 3, 10, 17, 29), True),
        (shanghai(2026, 3, 10, 17, 30), False),
        # 02:30 UTC is 10:30 in Shanghai.
        (utc(2026, 3, 10, 2, 30), True),
        (shanghai(2026, 10, 1, 10, 45), False),
    ],
)
def test_a_moment_is_callable_only_inside_a_window_of_an_open_day(moment, callable_):
    assert is_callable(moment, CENTRE) is callable_


def test_quiet_hours_beat_a_window():
    rules = with_windows("07:00-09:00")
    assert is_callable(shanghai(2026, 3, 10, 7, 30), rules) is False
    assert is_callable(shanghai(2026, 3, 10, 8, 0), rules) is True


def test_naive_moments_are_refused():
    naive = datetime(2026, 3, 10, 10, 45)
    for ask in (is_callable, next_window_start, next_callable_moment):
        with pytest.raises(ValueError, match="timezone-aware"):
            ask(naive, CENTRE)


def test_in_the_middle_of_a_window_the_next_window_start_is_the_next_window():
    assert next_window_start(shanghai(2026, 3, 10, 10, 45), CENTRE) == shanghai(2026, 3, 10, 15, 0)


def test_at_a_window_start_the_next_window_start_is_that_moment():
    assert next_window_start(shanghai(2026, 3, 10, 10, 30), CENTRE) == shanghai(2026, 3, 10, 10, 30)


def test_after_the_last_window_the_next_window_is_tomorrow_morning():
    assert next_window_start(shanghai(2026, 3, 10, 17, 45), CENTRE) == shanghai(2026, 3, 11, 10, 30)


def test_the_next_window_start_skips_national_day():
    # 1 to 7 October 2026 are public holidays.
    assert next_window_start(shanghai(2026, 9, 30, 18, 0), CENTRE) == shanghai(2026, 10, 8, 10, 30)


def test_the_next_window_start_keeps_to_the_policy_weekdays():
    tuesdays_only = CallingRules(weekdays=frozenset({1}))
    assert next_window_start(shanghai(2026, 3, 10, 18, 0), tuesdays_only) == shanghai(
        2026, 3, 17, 10, 30
    )


def test_a_policy_without_windows_has_no_next_window():
    with pytest.raises(ValueError, match="no windows"):
        next_window_start(shanghai(2026, 3, 10, 9, 0), CallingRules(windows=()))


def test_a_policy_without_weekdays_has_no_next_window():
    with pytest.raises(ValueError, match="no calling window within 400 days"):
        next_window_start(shanghai(2026, 3, 10, 9, 0), CallingRules(weekdays=frozenset()))


def test_the_search_for_a_window_stops_at_the_horizon():
    only_on_june_first = CallingRules(
        weekdays=frozenset(), extra_working_days=frozenset({date(2026, 6, 1)})
    )
    with pytest.raises(ValueError, match="within 30 days"):
        next_window_start(shanghai(2026, 3, 10, 9, 0), only_on_june_first, horizon_days=30)
    assert next_window_start(shanghai(2026, 3, 10, 9, 0), only_on_june_first) == shanghai(
        2026, 6, 1, 10, 30
    )


def test_inside_a_window_the_next_callable_moment_is_now():
    assert next_callable_moment(shanghai(2026, 3, 10, 10, 45), CENTRE) == shanghai(
        2026, 3, 10, 10, 45
    )


def test_outside_a_window_the_next_callable_moment_is_the_next_window_start():
    assert next_callable_moment(shanghai(2026, 3, 10, 12, 0), CENTRE) == shanghai(
        2026, 3, 10, 15, 0
    )


def test_the_rules_do_not_read_the_clock():
    moment = shanghai(2026, 3, 10, 10, 45)
    expected = (
        windows_on(TUESDAY, CENTRE),
        is_callable(moment, CENTRE),
        next_window_start(moment, CENTRE),
        next_callable_moment(moment, CENTRE),
    )
    for now in (utc(2031, 7, 1, 3, 0), utc(2019, 1, 1, 23, 59)):
        with time_machine.travel(now, tick=False):
            assert datetime.now(UTC) == now
            assert (
                windows_on(TUESDAY, CENTRE),
                is_callable(moment, CENTRE),
                next_window_start(moment, CENTRE),
                next_callable_moment(moment, CENTRE),
            ) == expected


# --- Daylight saving: a patient in Los Angeles called by the Shanghai centre ----------------


# Pacific Standard Time is UTC-8, Daylight Time UTC-7: the clocks spring forward between 7 and
# 8 March 2026 (the windows come an hour earlier in UTC) and fall back between 31 October
# and 1 November (an hour later).
@pytest.mark.parametrize(
    ("day", "hours_behind_utc"),
    [(date(2026, 3, 7), 8), (date(2026, 3, 8), 7), (date(2026, 10, 31), 7), (date(2026, 11, 1), 8)],
)
def test_daylight_saving_moves_the_windows_in_utc(day, hours_behind_utc):
    def utc_on_the_day(clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=UTC) + timedelta(hours=hours_behind_utc)

    assert as_utc(windows_on(day, ABROAD)) == [
        (utc_on_the_day(time(10, 30)), utc_on_the_day(time(11, 30))),
        (utc_on_the_day(time(15, 0)), utc_on_the_day(time(17, 30))),
    ]


def test_the_patients_morning_is_the_centres_night():
    # 10:30 in Los Angeles on 8 March 2026 is 01:30 the next day in Shanghai.
    start, _end = windows_on(date(2026, 3, 8), ABROAD)[0]
    assert start.astimezone(SHANGHAI).replace(tzinfo=None) == datetime(2026, 3, 9, 1, 30)


NIGHT_OWLS = CallingRules(timezone="America/Los_Angeles", quiet_before=time(0, 0))


def night_shift(start: time, end: time) -> CallingRules:
    return CallingRules(
        timezone="America/Los_Angeles", quiet_before=time(0, 0), windows=(Window(start, end),)
    )


def test_a_window_ending_in_the_skipped_hour_ends_when_the_clocks_jump():
    # 02:00 PST jumps to 03:00 PDT at 10:00 UTC on 8 March 2026.
    rules = night_shift(time(1, 30), time(2, 30))
    assert as_utc(windows_on(date(2026, 3, 8), rules)) == [
        (utc(2026, 3, 8, 9, 30), utc(2026, 3, 8, 10, 0))
    ]


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clocks_jump():
    rules = night_shift(time(2, 30), time(4, 0))
    assert as_utc(windows_on(date(2026, 3, 8), rules)) == [
        (utc(2026, 3, 8, 10, 0), utc(2026, 3, 8, 11, 0))
    ]


def test_a_window_inside_the_skipped_hour_does_not_happen():
    rules = night_shift(time(2, 15), time(2, 45))
    assert windows_on(date(2026, 3, 8), rules) == []
    assert next_window_start(utc(2026, 3, 8, 9, 0), rules) == datetime(
        2026, 3, 9, 2, 15, tzinfo=LOS_ANGELES
    )


def test_a_window_in_the_repeated_hour_happens_twice():
    # 02:00 PDT falls back to 01:00 PST at 09:00 UTC on 1 November 2026: 01:10 is read twice.
    rules = night_shift(time(1, 10), time(1, 40))
    assert as_utc(windows_on(date(2026, 11, 1), rules)) == [
        (utc(2026, 11, 1, 8, 10), utc(2026, 11, 1, 8, 40)),
        (utc(2026, 11, 1, 9, 10), utc(2026, 11, 1, 9, 40)),
    ]
    assert is_callable(utc(2026, 11, 1, 9, 20), rules) is True
    assert is_callable(utc(2026, 11, 1, 8, 50), rules) is False
    assert in_utc(next_window_start(utc(2026, 11, 1, 8, 20), rules)) == utc(2026, 11, 1, 9, 10)


def test_a_window_across_the_repeated_hour_skips_the_readings_before_its_start():
    # 01:00 to 01:30 PST reads earlier than 01:30, so it is not in a 01:30 to 03:00 window.
    rules = night_shift(time(1, 30), time(3, 0))
    assert as_utc(windows_on(date(2026, 11, 1), rules)) == [
        (utc(2026, 11, 1, 8, 30), utc(2026, 11, 1, 9, 0)),
        (utc(2026, 11, 1, 9, 30), utc(2026, 11, 1, 11, 0)),
    ]


# --- Properties ---------------------------------------------------------------------------


def assert_callable_and_not_before(moment, after, rules) -> None:
    assert in_utc(moment) >= in_utc(after)
    assert is_callable(moment, rules)
    assert reads_inside_a_window(moment, rules)


@PROPERTY_SETTINGS
@given(rules=calling_rules(), after=moments)
def test_the_next_window_start_is_a_callable_moment_not_before_the_asked_time(rules, after):
    assert_callable_and_not_before(next_window_start(after, rules), after, rules)


@PROPERTY_SETTINGS
@given(rules=calling_rules(), after=moments)
def test_the_next_callable_moment_is_now_when_callable_else_a_window_start(rules, after):
    moment = next_callable_moment(after, rules)
    assert_callable_and_not_before(moment, after, rules)
    assert (in_utc(moment) == in_utc(after)) is is_callable(after, rules)


@PROPERTY_SETTINGS
@given(rules=calling_rules(), moment=moments)
def test_callable_means_the_wall_clock_reads_inside_a_window_on_an_open_day(rules, moment):
    day_is_open = day_status(wall_clock(moment, rules).date(), rules).open
    assert is_callable(moment, rules) is (day_is_open and reads_inside_a_window(moment, rules))


@PROPERTY_SETTINGS
@given(rules=calling_rules(), moment=moments)
def test_windows_are_ordered_apart_and_inside_the_allowed_hours(rules, moment):
    day = wall_clock(moment, rules).date()
    windows = [(in_utc(start), in_utc(end)) for start, end in windows_on(day, rules)]
    for start, end in windows:
        assert start < end
        assert is_callable(start, rules)
        assert outside_quiet_hours(start, rules)
        assert wall_clock(start, rules).date() == day
    for (_start, end), (next_start, _next_end) in zip(windows, windows[1:], strict=False):
        assert end < next_start


# --- One call per window to a person ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        (shanghai(2026, 3, 10, 10, 40), shanghai(2026, 3, 10, 11, 20), True),
        (shanghai(2026, 3, 10, 10, 40), shanghai(2026, 3, 10, 15, 0), False),
        (shanghai(2026, 3, 10, 15, 5), shanghai(2026, 3, 11, 15, 5), False),
        # Outside every window: no window is shared, not even with itself.
        (shanghai(2026, 3, 10, 12, 0), shanghai(2026, 3, 10, 12, 0), False),
    ],
)
def test_two_moments_share_a_window_only_inside_the_same_one(first, second, shared):
    assert same_window(first, second, CENTRE) is shared


@given(rules=calling_rules(), first=moments, second=moments)
@PROPERTY_SETTINGS
def test_sharing_a_window_is_symmetric_and_needs_both_moments_callable(rules, first, second):
    shared = same_window(first, second, rules)
    assert shared == same_window(second, first, rules)
    if shared:
        assert is_callable(first, rules) and is_callable(second, rules)
        assert same_window(first, first, rules)
