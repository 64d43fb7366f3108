"""Random calling policies and moments for the property tests, and a wall-clock judge."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st

from followups.scheduling import CallingRules, HolidayRule, Window

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)

# Shanghai (the centre), Los Angeles (patients abroad), and zones whose clocks change at
# midnight (Santiago) or by half an hour (Lord Howe), to shake out daylight-saving edges.
TIMEZONES = (
    "Asia/Shanghai",
    "America/Los_Angeles",
    "UTC",
    "Europe/London",
    "America/Santiago",
    "Australia/Lord_Howe",
)

# The 2026 clock changes of those zones, in UTC.
CLOCK_CHANGES = (
    datetime(2026, 3, 8, 10, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 4, 5, 3, 0, tzinfo=UTC),
    datetime(2026, 9, 6, 4, 0, tzinfo=UTC),
    datetime(2026, 4, 4, 15, 0, tzinfo=UTC),
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
)

LAST_MINUTE = 24 * 60 - 1


def clock(minute_of_day: int) -> time:
    return time(minute_of_day // 60, minute_of_day % 60)


@st.composite
def windows(draw, low: int = 0, high: int = LAST_MINUTE) -> Window:
    start = draw(st.integers(low, high - 1))
    end = draw(st.integers(start + 1, min(start + 8 * 60, LAST_MINUTE)))
    return Window(clock(start), clock(end))


@st.composite
def calling_rules(draw) -> CallingRules:
    quiet_before = draw(st.integers(0, 11 * 60))
    quiet_after = draw(st.integers(13 * 60, LAST_MINUTE))
    # One window always reaches into the hours calls are allowed, so a policy is never mute.
    reachable = draw(windows(low=quiet_before, high=quiet_after))
    others = draw(st.lists(windows(), max_size=3))
    some_days = st.frozensets(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=5)
    return CallingRules(
        timezone=draw(st.sampled_from(TIMEZONES)),
        windows=tuple(draw(st.permutations([reachable, *others]))),
        weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        holiday_rule=draw(st.sampled_from(list(HolidayRule))),
        quiet_before=clock(quiet_before),
        quiet_after=clock(quiet_after),
        closed_days=draw(some_days),
        extra_working_days=draw(some_days),
    )


# Moments from 2025 to mid-2028 cover years with and without the official holiday schedule.
any_moment = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 6, 30),
    timezones=st.sampled_from([ZoneInfo(name) for name in TIMEZONES]),
    allow_imaginary=False,
)
near_a_clock_change = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(-36 * 60, 36 * 60),
)
moments = st.one_of(any_moment, near_a_clock_change)


def wall_clock(moment: datetime, rules: CallingRules) -> datetime:
    return moment.astimezone(ZoneInfo(rules.timezone))


def outside_quiet_hours(moment: datetime, rules: CallingRules) -> bool:
    return rules.quiet_before <= wall_clock(moment, rules).time() < rules.quiet_after


def on_a_policy_day(moment: datetime, rules: CallingRules) -> bool:
    """What can be said about the day without a holiday calendar."""
    day = wall_clock(moment, rules).date()
    if day in rules.closed_days:
        return False
    if day in rules.extra_working_days or rules.holiday_rule is HolidayRule.WORKING_DAYS:
        return True
    return day.weekday() in rules.weekdays


def reads_inside_a_window(moment: datetime, rules: CallingRules) -> bool:
    """Judge a moment from the wall clock alone, without the code under test."""
    reading = wall_clock(moment, rules).time()
    return (
        outside_quiet_hours(moment, rules)
        and on_a_policy_day(moment, rules)
        and any(window.start <= reading < window.end for window in rules.windows)
    )


def in_utc(moment: datetime) -> datetime:
    # Compare in UTC: two datetimes sharing a tzinfo compare by wall clock, ignoring fold.
    return moment.astimezone(UTC)


def with_windows(*spans: str, **fields) -> CallingRules:
    """The default calling rules but for these windows ("09:00-10:00") and `fields`."""
    windows = (Window(*(time.fromisoformat(t) for t in span.split("-"))) for span in spans)
    return CallingRules(windows=tuple(windows), **fields)
