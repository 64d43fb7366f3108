"""Booked callbacks: kept as asked, unless quiet hours or a closed day forbid it."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given

from followups.scheduling import CallingRules, Window, day_status, place_callback

from .strategies import (
    PROPERTY_SETTINGS,
    calling_rules,
    in_utc,
    moments,
    on_a_policy_day,
    outside_quiet_hours,
    wall_clock,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
CENTRE = CallingRules()


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_a_callback_outside_the_windows_is_kept_to_the_minute():
    assert place_callback(shanghai(2026, 3, 10, 19, 7), CENTRE) == (
        shanghai(2026, 3, 10, 19, 7),
        None,
    )


def test_a_callback_at_the_first_allowed_minute_is_kept():
    assert place_callback(shanghai(2026, 3, 10, 8, 0), CENTRE) == (
        shanghai(2026, 3, 10, 8, 0),
        None,
    )


def test_a_late_evening_callback_moves_to_eight_the_next_morning():
    assert place_callback(shanghai(2026, 3, 10, 22, 0), CENTRE) == (
        shanghai(2026, 3, 11, 8, 0),
        "quiet_hours",
    )


def test_a_callback_at_nine_in_the_evening_is_already_quiet():
    assert place_callback(shanghai(2026, 3, 10, 21, 0), CENTRE) == (
        shanghai(2026, 3, 11, 8, 0),
        "quiet_hours",
    )


def test_an_early_callback_moves_to_eight_the_same_morning():
    assert place_callback(shanghai(2026, 3, 10, 7, 0), CENTRE) == (
        shanghai(2026, 3, 10, 8, 0),
        "quiet_hours",
    )


def test_a_late_callback_before_a_holiday_moves_past_the_holiday():
    assert place_callback(shanghai(2026, 9, 30, 22, 0), CENTRE) == (
        shanghai(2026, 10, 8, 8, 0),
        "quiet_hours",
    )


def test_a_callback_on_a_closed_day_moves_to_the_next_open_day():
    # The National Day holiday runs 1 to 7 October 2026: the time is kept on the 8th.
    assert place_callback(shanghai(2026, 10, 3, 10, 0), CENTRE) == (
        shanghai(2026, 10, 8, 10, 0),
        "closed_day",
    )


def test_a_callback_on_a_holiday_saturday_keeps_its_time_on_the_first_day_back():
    assert place_callback(shanghai(2026, 10, 3, 14, 20), CENTRE) == (
        shanghai(2026, 10, 8, 14, 20),
        "closed_day",
    )


def test_a_callback_on_a_day_the_admin_closed_moves_to_the_next_day():
    rules = CallingRules(closed_days=frozenset({date(2026, 3, 10)}))
    assert place_callback(shanghai(2026, 3, 10, 16, 0), rules) == (
        shanghai(2026, 3, 11, 16, 0),
        "closed_day",
    )


@pytest.mark.parametrize(
    "requested",
    [shanghai(2026, 10, 3, 22, 0), shanghai(2026, 10, 7, 22, 0), shanghai(2026, 10, 7, 21, 0)],
)
def test_a_late_callback_on_a_holiday_moves_to_eight_on_the_first_day_back(requested):
    # 22:00 on the 8th would be quiet: the first allowed moment of that day, not of the 9th.
    assert place_callback(requested, CENTRE) == (shanghai(2026, 10, 8, 8, 0), "closed_day")


def test_an_early_callback_on_a_holiday_moves_to_eight_on_the_first_day_back():
    assert place_callback(shanghai(2026, 10, 3, 7, 0), CENTRE) == (
        shanghai(2026, 10, 8, 8, 0),
        "closed_day",
    )


def test_a_late_callback_on_a_day_the_admin_closed_moves_to_the_next_morning():
    rules = CallingRules(closed_days=frozenset({date(2026, 3, 10)}))
    assert place_callback(shanghai(2026, 3, 10, 22, 0), rules) == (
        shanghai(2026, 3, 11, 8, 0),
        "closed_day",
    )


def test_a_callback_on_a_closed_day_keeps_the_patients_wall_time():
    abroad = CallingRules(timezone="America/Los_Angeles")
    # Thursday 1 October 2026, 16:00 in Los Angeles (23:00 UTC), a Chinese holiday: the
    # time is kept on the 8th there (Daylight Time still: 23:00 UTC).
    placed, reason = place_callback(datetime(2026, 10, 1, 23, 0, tzinfo=UTC), abroad)
    assert (in_utc(placed), reason) == (datetime(2026, 10, 8, 23, 0, tzinfo=UTC), "closed_day")


def test_the_callback_is_judged_on_the_patients_clock():
    abroad = CallingRules(timezone="America/Los_Angeles")
    # 14:00 UTC is 07:00 in Los Angeles (Daylight Time): moved to 08:00 there, 15:00 UTC.
    placed, reason = place_callback(datetime(2026, 3, 10, 14, 0, tzinfo=UTC), abroad)
    assert placed.tzinfo == LOS_ANGELES
    assert in_utc(placed) == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert reason == "quiet_hours"


def test_windows_do_not_bind_a_callback_but_quiet_hours_do():
    mornings = CallingRules(windows=(Window(time(9, 0), time(10, 0)),), quiet_after=time(20, 0))
    assert place_callback(shanghai(2026, 3, 10, 19, 59), mornings)[1] is None
    assert place_callback(shanghai(2026, 3, 10, 20, 0), mornings)[1] == "quiet_hours"


def test_a_naive_callback_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        place_callback(datetime(2026, 3, 10, 19, 0), CENTRE)


# --- Properties ---------------------------------------------------------------------------


def allowed(moment: datetime, rules: CallingRules) -> bool:
    day = wall_clock(moment, rules).date()
    return outside_quiet_hours(moment, rules) and day_status(day, rules).open


@PROPERTY_SETTINGS
@given(rules=calling_rules(), requested=moments)
def test_a_placed_callback_is_never_in_quiet_hours_nor_on_a_closed_day(rules, requested):
    placed, _reason = place_callback(requested, rules)
    assert outside_quiet_hours(placed, rules)
    assert on_a_policy_day(placed, rules)
    assert allowed(placed, rules)
    assert in_utc(placed) >= in_utc(requested)


@PROPERTY_SETTINGS
@given(rules=calling_rules(), requested=moments)
def test_an_allowed_callback_is_kept_and_only_a_forbidden_one_moves(rules, requested):
    placed, reason = place_callback(requested, rules)
    if allowed(requested, rules):
        assert (in_utc(placed), reason) == (in_utc(requested), None)
    else:
        assert in_utc(placed) > in_utc(requested)
        assert reason in {"quiet_hours", "closed_day"}


@PROPERTY_SETTINGS
@given(rules=calling_rules(), requested=moments)
def test_a_callback_on_a_closed_day_goes_to_the_next_open_day_at_its_wall_time(rules, requested):
    day = wall_clock(requested, rules).date()
    if day_status(day, rules).open:
        return
    next_open = next(
        day + timedelta(days=offset)
        for offset in range(1, 400)
        if day_status(day + timedelta(days=offset), rules).open
    )
    placed, reason = place_callback(requested, rules)
    assert reason == "closed_day"
    assert wall_clock(placed, rules).date() == next_open
    kept = datetime.combine(next_open, wall_clock(requested, rules).time(), tzinfo=rules.zone)
    if wall_clock(in_utc(kept), rules) == kept and outside_quiet_hours(kept, rules):
        # The wall time exists that day and is allowed: kept to the second.
        assert in_utc(placed) == in_utc(kept)
