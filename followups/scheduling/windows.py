"""Calling policies as the rules see them, the official calendar (holidays and make-up
working days), and calling windows on the patient's own wall clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import holidays

# [start, end) of real time, as UTC datetimes.
Stretch = tuple[datetime, datetime]
NOON = time(12, 0)
SATURDAY = 5
# Class C is "not soon": every two to four weeks.
C_CADENCE_DAYS = range(14, 29)
# A booked callback or a retry is searched this far ahead before we give up with an error.
SEARCH_HORIZON_DAYS = 400


# --- Policy -----------------------------------------------------------------------------------


class HolidayRule(StrEnum):
    SKIP_HOLIDAYS = "skip_holidays"
    CALL_ON_HOLIDAYS = "call_on_holidays"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Window:
    """A calling window in the patient's local wall-clock time, from start up to (not at) end."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("a window is local wall-clock time: give naive times")
        if self.start >= self.end:
            raise ValueError(f"a window must end after it starts: {self.start} to {self.end}")


class WindowFit(StrEnum):
    """How a calling window an admin types sits in the policy's calling day."""

    FITS = "fits"
    EMPTY = "empty"
    CROSSES_MIDNIGHT = "crosses_midnight"
    IN_QUIET_HOURS = "in_quiet_hours"
    REACHES_INTO_QUIET_HOURS = "reaches_into_quiet_hours"


def window_fit(start: time, end: time, *, quiet_before: time, quiet_after: time) -> WindowFit:
    """Whether the window [start, end) lies in the hours calls are allowed. Those hours are
    one stretch of a day, [quiet_before, quiet_after) (CallingRules refuses any other), so a
    window crossing midnight always runs into quiet hours: it is never allowed. A window
    partly in quiet hours is refused too, since only its callable part would ever be used."""
    if start == end:
        return WindowFit.EMPTY
    if end < start:
        return WindowFit.CROSSES_MIDNIGHT
    if end <= quiet_before or start >= quiet_after:
        return WindowFit.IN_QUIET_HOURS
    if start < quiet_before or end > quiet_after:
        return WindowFit.REACHES_INTO_QUIET_HOURS
    return WindowFit.FITS


@dataclass(frozen=True)
class CallingRules:
    """A calling policy as the rules see it; build one per call with the patient's timezone."""

    timezone: str = "Asia/Shanghai"
    windows: tuple[Window, ...] = (
        Window(time(10, 30), time(11, 30)),
        Window(time(15, 0), time(17, 30)),
    )
    weekdays: frozenset[int] = frozenset(range(7))
    holiday_rule: HolidayRule = HolidayRule.SKIP_HOLIDAYS
    quiet_before: time = time(8, 0)
    quiet_after: time = time(21, 0)
    closed_days: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Callers build rules from model fields (lists, digit strings): coerce so rules stay
        # hashable, which lets the per-day answers below be cached.
        object.__setattr__(self, "windows", tuple(self.windows))
        object.__setattr__(self, "weekdays", frozenset(int(day) for day in self.weekdays))
        object.__setattr__(self, "holiday_rule", HolidayRule(self.holiday_rule))
        object.__setattr__(self, "closed_days", frozenset(self.closed_days))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        _zone(self.timezone)  # a misspelt timezone fails here, not at the first call
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(self.weekdays)}")
        if self.quiet_before >= self.quiet_after:
            raise ValueError("quiet hours must leave some time to call: quiet_before < quiet_after")

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    def for_timezone(self, tz: str | None) -> CallingRules:
        """The same policy on the patient's own clock; no timezone on file keeps the policy's."""
        if not tz:
            return self
        return dataclasses.replace(self, timezone=tz)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone: {name!r}") from None


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")


# --- Calendar ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayStatus:
    """Whether calls are made on a day, why (a short code), and whether the year is official.

    ``official`` is False when the State Council schedule for the day's year is not loaded: the
    answer then leans on holidays.China, which knows the public holidays but no make-up days.
    """

    open: bool
    reason: str
    official: bool


@cache
def official_calendar_known(year: int) -> bool:
    # chinese_calendar refuses whole years it has no data for; ask it rather than hard-coding
    # the last year, so upgrading the package is all it takes when a new schedule is published.
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def calendar_warnings(days: Iterable[date]) -> list[int]:
    """The years among ``days`` whose official holiday schedule is not loaded yet."""
    return sorted({day.year for day in days if not official_calendar_known(day.year)})


@lru_cache(maxsize=64)
def _fallback_holidays(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def _is_public_holiday(day: date) -> bool:
    if official_calendar_known(day.year):
        is_rest_day, holiday_name = chinese_calendar.get_holiday_detail(day)
        return is_rest_day and holiday_name is not None
    return day in _fallback_holidays(day.year)


def _is_official_working_day(day: date) -> bool:
    if official_calendar_known(day.year):
        return chinese_calendar.is_workday(day)
    # Without the official schedule no make-up day is known: weekends stay weekends.
    return day.weekday() < SATURDAY and day not in _fallback_holidays(day.year)


def _open_day_reason(day: date) -> str:
    if day.weekday() >= SATURDAY and _is_official_working_day(day):
        return "make_up_workday"
    return "workday"


@lru_cache(maxsize=4096)
def day_status(day: date, rules: CallingRules) -> DayStatus:
    official = official_calendar_known(day.year)
    # The admin's overrides correct the calendar, so they are read first; closing wins over
    # opening because calling on a day the centre said it is shut is the worse mistake.
    if day in rules.closed_days:
        return DayStatus(open=False, reason="closed_override", official=official)
    if day in rules.extra_working_days:
        return DayStatus(open=True, reason="extra_working_day", official=official)
    if rules.holiday_rule is HolidayRule.WORKING_DAYS:
        if _is_official_working_day(day):
            return DayStatus(open=True, reason=_open_day_reason(day), official=official)
        reason = "holiday" if _is_public_holiday(day) else "weekend"
        return DayStatus(open=False, reason=reason, official=official)
    if rules.holiday_rule is HolidayRule.SKIP_HOLIDAYS and _is_public_holiday(day):
        return DayStatus(open=False, reason="holiday", official=official)
    if day.weekday() not in rules.weekdays:
        return DayStatus(open=False, reason="not_a_calling_weekday", official=official)
    return DayStatus(open=True, reason=_open_day_reason(day), official=official)


# --- Windows on the wall clock ----------------------------------------------------------------
#
# A window means: the instants at which the patient's wall clock reads a time inside it.
# On a spring-forward day the part of a window in the skipped hour is lost, so a window starts
# or ends at the instant the clocks jump; on a fall-back day the repeated hour is read twice and
# both readings count, which can split one window into two stretches of real time. This keeps
# windows_on, is_callable and the wall clock in exact agreement.
#
# Internally every instant is UTC: Python compares two datetimes sharing a tzinfo by their wall
# clock, ignoring fold, which would misorder the repeated hour.


@lru_cache(maxsize=1024)
def _offset_stretches(
    day: date, zone: ZoneInfo
) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """Stretches of UTC around ``day`` over which the zone's offset does not change."""
    # Offsets lie within a day of UTC, so a day either side covers every instant whose wall
    # clock reads ``day``. Hourly probes find the changes (no zone changes its offset twice
    # within an hour in the years we call); bisection then pins each change to the second.
    begin = datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC)
    probes = [begin + timedelta(hours=hour) for hour in range(73)]
    offsets = [probe.astimezone(zone).utcoffset() for probe in probes]
    changes = [
        _offset_change(probes[hour], probes[hour + 1], zone)
        for hour in range(72)
        if offsets[hour] != offsets[hour + 1]
    ]
    bounds = [probes[0], *changes, probes[-1]]
    return tuple(
        (start, end, start.astimezone(zone).utcoffset()) for start, end in pairwise(bounds)
    )


def _offset_change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    offset_before = before.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).utcoffset() == offset_before:
            before = middle
        else:
            after = middle
    # The tz database changes offsets on whole seconds, and ``after`` is within one of it.
    return after.replace(microsecond=0)


def _while_clock_reads(day: date, start: time, end: time, zone: ZoneInfo) -> list[Stretch]:
    """The stretches of real time (UTC) during which the wall clock reads ``day`` [start, end)."""
    wall_start = datetime.combine(day, start, tzinfo=UTC)
    wall_end = datetime.combine(day, end, tzinfo=UTC)
    stretches: list[Stretch] = []
    for piece_start, piece_end, offset in _offset_stretches(day, zone):
        low = max(piece_start, wall_start - offset)
        high = min(piece_end, wall_end - offset)
        if low >= high:
            continue
        if stretches and stretches[-1][1] == low:
            low = stretches.pop()[0]
        stretches.append((low, high))
    return stretches


def _merge(stretches: list[Stretch]) -> list[Stretch]:
    # Overlapping or touching windows are one window to the caller: one stretch of calling.
    merged: list[Stretch] = []
    for start, end in sorted(stretches):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=8192)
def _windows_on(day: date, rules: CallingRules) -> tuple[Stretch, ...]:
    if not day_status(day, rules).open:
        return ()
    stretches = []
    for window in rules.windows:
        start = max(window.start, rules.quiet_before)
        end = min(window.end, rules.quiet_after)
        if start < end:
            stretches.extend(_while_clock_reads(day, start, end, rules.zone))
    return tuple(_merge(stretches))


def windows_on(day: date, rules: CallingRules) -> list[tuple[datetime, datetime]]:
    """The day's calling windows, [start, end) in the rules' timezone, clipped to quiet hours."""
    zone = rules.zone
    return [
        (start.astimezone(zone), end.astimezone(zone)) for start, end in _windows_on(day, rules)
    ]


def _allowed_hours_on(day: date, rules: CallingRules) -> list[Stretch]:
    if not day_status(day, rules).open:
        return []
    return _while_clock_reads(day, rules.quiet_before, rules.quiet_after, rules.zone)


def _local_day(moment: datetime, rules: CallingRules) -> date:
    return moment.astimezone(rules.zone).date()


def _days_from(moment: datetime, rules: CallingRules, horizon_days: int) -> Iterator[date]:
    # Start a day early: where clocks fall back across midnight, the local date goes back too.
    first = _local_day(moment, rules) - timedelta(days=1)
    return (first + timedelta(days=offset) for offset in range(horizon_days + 2))


def _window_containing(moment: datetime, rules: CallingRules) -> Stretch | None:
    instant = moment.astimezone(UTC)
    for start, end in _windows_on(_local_day(moment, rules), rules):
        if start <= instant < end:
            return start, end
    return None


def is_callable(moment: datetime, rules: CallingRules) -> bool:
    """Inside a window of an open day, on the rules' wall clock, and outside quiet hours."""
    _require_aware(moment, "moment")
    return _window_containing(moment, rules) is not None


def windows_missed_by(moment: datetime, rules: CallingRules) -> list[tuple[datetime, datetime]]:
    """The day's calling windows when `moment` lies in none of them (a booked callback,
    which the windows do not bind: someone must be working then to make it); [] when it
    lies in one."""
    if is_callable(moment, rules):
        return []
    return windows_on(_local_day(moment, rules), rules)


def same_window(first: datetime, second: datetime, rules: CallingRules) -> bool:
    """Whether both moments fall inside one and the same calling window (a person is called
    at most once in a window). Moments outside every window share none."""
    _require_aware(first, "first")
    _require_aware(second, "second")
    window = _window_containing(first, rules)
    return window is not None and window == _window_containing(second, rules)


def _window_starts_from(
    after: datetime, rules: CallingRules, horizon_days: int
) -> Iterator[datetime]:
    instant = after.astimezone(UTC)
    for day in _days_from(after, rules, horizon_days):
        for start, _end in _windows_on(day, rules):
            if start >= instant:
                yield start


def next_window_start(
    after: datetime, rules: CallingRules, *, horizon_days: int = SEARCH_HORIZON_DAYS
) -> datetime:
    """The start of the first window opening at or after ``after``, in the rules' timezone."""
    _require_aware(after, "after")
    if not rules.windows:
        raise ValueError("the calling policy has no windows")
    for start in _window_starts_from(after, rules, horizon_days):
        return start.astimezone(rules.zone)
    raise ValueError(
        f"no calling window within {horizon_days} days after {after.isoformat()}: check the "
        "policy's windows, weekdays, quiet hours and closed days"
    )


def next_callable_moment(after: datetime, rules: CallingRules) -> datetime:
    """``after`` itself when a call may be made then, else the next window's start."""
    _require_aware(after, "after")
    if is_callable(after, rules):
        return after.astimezone(rules.zone)
    return next_window_start(after, rules)
