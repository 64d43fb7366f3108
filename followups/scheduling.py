"""When a patient may be called: calling windows, quiet hours, holidays, retries and priority.

Pure rules: no database, no clock. Every moment is passed in and must be timezone-aware.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import holidays

__all__ = [
    "CallFollowUp",
    "CallingRules",
    "DayStatus",
    "FollowUpAction",
    "HolidayRule",
    "IntentCadence",
    "IntentClass",
    "Window",
    "calendar_warnings",
    "day_status",
    "due_dates",
    "is_callable",
    "next_callable_moment",
    "next_intent_call_date",
    "next_step_after_call",
    "next_window_start",
    "official_calendar_known",
    "place_callback",
    "queue_priority",
    "windows_on",
]

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


# --- Plans and intent cadence -----------------------------------------------------------------


def due_dates(anchor: date, offsets: Sequence[int]) -> list[date]:
    """The days a plan's steps fall due, in the order of the steps."""
    if any(offset < 0 for offset in offsets):
        raise ValueError(f"a plan step cannot fall before its anchor date: {list(offsets)}")
    return [anchor + timedelta(days=offset) for offset in offsets]


class IntentClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


@dataclass(frozen=True)
class IntentCadence:
    """Days between routine calls per intent class; class D gets none unless a period is set."""

    a_days: int = 3
    b_days: int = 7
    c_days: int = 21
    d_days: int | None = None

    def __post_init__(self) -> None:
        if self.a_days < 1 or self.b_days < 1:
            raise ValueError("class A and B cadences must be at least one day")
        if self.c_days not in C_CADENCE_DAYS:
            raise ValueError(f"class C cadence must be 14 to 28 days, got {self.c_days}")
        if self.d_days is not None and self.d_days < 1:
            raise ValueError("class D cadence must be at least one day, or None for no calls")


def next_intent_call_date(
    last_call: date, intent: IntentClass, cadence: IntentCadence = IntentCadence()
) -> date | None:
    days = {
        IntentClass.A: cadence.a_days,
        IntentClass.B: cadence.b_days,
        IntentClass.C: cadence.c_days,
        IntentClass.D: cadence.d_days,
    }[IntentClass(intent)]
    if days is None:
        return None
    return last_call + timedelta(days=days)


# --- After a call -----------------------------------------------------------------------------


class FollowUpAction(StrEnum):
    DONE = "done"
    RETRY = "retry"
    CALLBACK = "callback"
    SUSPEND = "suspend"
    CLOSE_CASE = "close_case"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class CallFollowUp:
    action: FollowUpAction
    earliest: datetime | None
    reason: str


REACHED = frozenset({"complete", "partial"})
NOT_REACHED = frozenset({"no_answer", "busy", "phone_off"})
CASE_CLOSERS = frozenset({"refused", "deceased"})


def place_callback(requested: datetime, rules: CallingRules) -> tuple[datetime, str | None]:
    """Where a patient's requested callback goes, and why it moved (None when it did not).

    Windows do not bind a booked callback, but quiet hours and closed days do: a request that
    breaks them moves to the first allowed moment after it.
    """
    _require_aware(requested, "requested")
    local = requested.astimezone(rules.zone)
    if not day_status(local.date(), rules).open:
        return _next_allowed_moment(requested, rules), "closed_day"
    if not rules.quiet_before <= local.time() < rules.quiet_after:
        return _next_allowed_moment(requested, rules), "quiet_hours"
    return local, None


def _next_allowed_moment(after: datetime, rules: CallingRules) -> datetime:
    instant = after.astimezone(UTC)
    for day in _days_from(after, rules, SEARCH_HORIZON_DAYS):
        for start, end in _allowed_hours_on(day, rules):
            if end > instant:
                return max(start, instant).astimezone(rules.zone)
    raise ValueError(
        f"no open day within {SEARCH_HORIZON_DAYS} days after {after.isoformat()}: check the "
        "policy's weekdays and closed days"
    )


def _is_morning(instant: datetime, rules: CallingRules) -> bool:
    return instant.astimezone(rules.zone).time() < NOON


def _next_calling_day_windows(called_at: datetime, rules: CallingRules) -> tuple[Stretch, ...]:
    """The windows of the first day after the call's (local) day that has any; () if none."""
    call_day = _local_day(called_at, rules)
    for offset in range(1, SEARCH_HORIZON_DAYS + 1):
        windows = _windows_on(call_day + timedelta(days=offset), rules)
        if windows:
            return windows
    return ()


def _retry_after_no_answer(called_at: datetime, rules: CallingRules) -> datetime:
    # Someone who does not pick up in the morning may well in the afternoon, and the other way
    # round: the retry goes to the other half of the day if one starts before the end of the
    # next calling day, else to the next window whatever its half.
    window = _window_containing(called_at, rules)
    if window is None:
        search_from, called_in_morning = called_at, _is_morning(called_at, rules)
    else:
        search_from, called_in_morning = window[1], _is_morning(window[0], rules)
    first = next_window_start(search_from, rules)
    next_day_windows = _next_calling_day_windows(called_at, rules)
    if next_day_windows:
        for start in _window_starts_from(search_from, rules, SEARCH_HORIZON_DAYS):
            if start >= next_day_windows[-1][1]:
                break
            if _is_morning(start, rules) != called_in_morning:
                return start.astimezone(rules.zone)
    return first


def _retry_next_calling_day(called_at: datetime, rules: CallingRules) -> datetime:
    next_day_windows = _next_calling_day_windows(called_at, rules)
    if not next_day_windows:
        raise ValueError(
            f"no calling day within {SEARCH_HORIZON_DAYS} days after {called_at.isoformat()}"
        )
    return next_day_windows[0][0].astimezone(rules.zone)


def next_step_after_call(
    *,
    disposition: str,
    called_at: datetime,
    rules: CallingRules,
    attempts_made: int,
    max_attempts: int,
    callback_at: datetime | None = None,
) -> CallFollowUp:
    """What happens to a task after a call; ``attempts_made`` counts the call just made."""
    _require_aware(called_at, "called_at")
    if disposition in REACHED:
        return CallFollowUp(FollowUpAction.DONE, None, disposition)
    if disposition == "wrong_number":
        # Held until someone fixes the number: retrying a wrong number only bothers a stranger.
        return CallFollowUp(FollowUpAction.SUSPEND, None, disposition)
    if disposition in CASE_CLOSERS:
        return CallFollowUp(FollowUpAction.CLOSE_CASE, None, disposition)
    if disposition == "callback":
        return _booked_callback(called_at, callback_at, rules)
    if disposition in NOT_REACHED:
        retry_at = _retry_after_no_answer
    elif disposition == "family":
        # A relative answered: the patient is about but not at the phone; try the next day.
        retry_at = _retry_next_calling_day
    else:
        raise ValueError(f"unknown disposition: {disposition!r}")
    if attempts_made >= max_attempts:
        return CallFollowUp(FollowUpAction.UNREACHABLE, None, "max_attempts")
    return CallFollowUp(FollowUpAction.RETRY, retry_at(called_at, rules), disposition)


def _booked_callback(
    called_at: datetime, callback_at: datetime | None, rules: CallingRules
) -> CallFollowUp:
    if callback_at is None:
        raise ValueError("a callback disposition needs the time the patient asked to be called")
    _require_aware(callback_at, "callback_at")
    if callback_at.astimezone(UTC) < called_at.astimezone(UTC):
        raise ValueError("a callback cannot be booked for before the call that booked it")
    placed, moved_because = place_callback(callback_at, rules)
    reason = "callback" if moved_because is None else f"callback_moved_{moved_because}"
    return CallFollowUp(FollowUpAction.CALLBACK, placed, reason)


# --- Queue order ------------------------------------------------------------------------------

INTENT_RANK = {IntentClass.A: 0, IntentClass.B: 1, IntentClass.C: 2, IntentClass.D: 3}


def queue_priority(
    *,
    is_callback: bool,
    deadline: date | None,
    due: date,
    today: date,
    intent: IntentClass | None,
    deadline_near_days: int = 3,
) -> tuple[int, int, int, int, date]:
    """A sort key, smallest first: booked callbacks, near deadlines, overdue, intent, due date."""
    # A deadline already passed still counts as near: the cooling-off call is then most urgent.
    deadline_near = deadline is not None and (deadline - today).days <= deadline_near_days
    intent_rank = INTENT_RANK[IntentClass(intent)] if intent is not None else 3
    return (
        0 if is_callback else 1,
        0 if deadline_near else 1,
        0 if due < today else 1,
        intent_rank,
        due,
    )
