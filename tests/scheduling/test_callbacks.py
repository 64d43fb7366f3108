"""Booked callbacks: kept as asked, unless quiet hours or a closed day forbid it."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given

from followups.scheduling import (
    CallingRules,
    day_status,
    is_callable,
    place_callback,
    windows_missed_by,
)
from tests.clock import SHANGHAI, shanghai

from .strategies import (
    PROPERTY_SETTINGS,
    calling_rules,
    in_utc,
    moments,
    on_a_policy_day,
    outside_quiet_hours,
    wall_clock,
    with_windows,
)

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
CENTRE = CallingRules()


def moment(text: str) -> datetime:
    """A moment of 2026 on the centre's clock, "03-10 19:07"."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


# The National Day holiday runs 1 to 7 October 2026 (3 October is a Saturday); quiet hours
# are before 08:00 and from 21:00.
@pytest.mark.parametrize(
    ("requested", "placed", "reason"),
    [
        pytest.param("03-10 19:07", "03-10 19:07", None, id="kept-to-the-minute-off-the-windows"),
        pytest.param("03-10 08:00", "03-10 08:00", None, id="the-first-allowed-minute-is-kept"),
        pytest.param("03-10 22:00", "03-11 08:00", "quiet_hours", id="late-to-eight-next-morning"),
        pytest.param("03-10 21:00", "03-11 08:00", "quiet_hours", id="nine-pm-is-already-quiet"),
        pytest.param("03-10 07:00", "03-10 08:00", "quiet_hours", id="early-to-eight-that-morning"),
        pytest.param("09-30 22:00", "10-08 08:00", "quiet_hours", id="late-on-the-eve-past-it"),
        # On a closed day the time is kept on the next open day, unless it is quiet then:
        # 22:00 on the 8th would be, so the first allowed moment of that day, not of the 9th.
        pytest.param("10-03 10:00", "10-08 10:00", "closed_day", id="closed-day-to-next-open-day"),
        pytest.param("10-03 14:20", "10-08 14:20", "closed_day", id="holiday-saturday-keeps-time"),
        pytest.param("10-03 22:00", "10-08 08:00", "closed_day", id="late-on-a-holiday-to-eight"),
        pytest.param("10-07 22:00", "10-08 08:00", "closed_day", id="late-on-its-last-day"),
        pytest.param("10-07 21:00", "10-08 08:00", "closed_day", id="nine-pm-on-its-last-day"),
        pytest.param("10-03 07:00", "10-08 08:00", "closed_day", id="early-on-a-holiday-to-eight"),
    ],
)
def test_the_centre_places_a_callback_out_of_quiet_hours_and_closed_days(requested, placed, reason):
    assert place_callback(moment(requested), CENTRE) == (moment(placed), reason)


@pytest.mark.parametrize(
    ("requested", "placed"),
    [
        pytest.param("03-10 16:00", "03-11 16:00", id="kept-on-the-next-day"),
        pytest.param("03-10 22:00", "03-11 08:00", id="late-to-the-next-morning"),
    ],
)
def test_a_callback_on_a_day_the_admin_closed_moves_to_the_next_day(requested, placed):
    rules = CallingRules(closed_days=frozenset({date(2026, 3, 10)}))
    assert place_callback(moment(requested), rules) == (moment(placed), "closed_day")


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
    mornings = with_windows("09:00-10:00", quiet_after=time(20, 0))
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


@pytest.mark.parametrize(
    ("when", "missed"),
    [
        ("06-02 20:00", ["10:30–11:30", "15:00–17:30"]),  # kept for the customer
        ("06-02 12:15", ["10:30–11:30", "15:00–17:30"]),  # between the windows
        ("06-02 15:30", []),  # inside the afternoon window
    ],
)
def test_a_callback_outside_the_windows_names_the_days_windows(when, missed):
    said = windows_missed_by(moment(when), CallingRules())
    assert [f"{start:%H:%M}–{end:%H:%M}" for start, end in said] == missed
    assert (said == []) == is_callable(moment(when), CallingRules())
