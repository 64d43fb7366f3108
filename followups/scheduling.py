"""When a patient may be called: calling windows, quiet hours, holidays, retries and priority.

Pure rules: no database, no clock. Every moment is passed in and must be timezone-aware.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import holidays

__all__ = [
    "BestTime",
    "BestTimeSource",
    "CallFollowUp",
    "CallingRules",
    "ContactBudget",
    "DayStatus",
    "FollowUpAction",
    "HalfDay",
    "HalfDayRecord",
    "HolidayRule",
    "IntentCadence",
    "IntentClass",
    "ReachRecord",
    "Slot",
    "Window",
    "best_time",
    "calendar_warnings",
    "day_status",
    "due_dates",
    "first_call_moment",
    "follow_up_window_end",
    "half_day_of",
    "is_callable",
    "next_callable_moment",
    "next_intent_call_date",
    "next_step_after_call",
    "next_window_start",
    "official_calendar_known",
    "place_callback",
    "plan_next_call",
    "queue_priority",
    "slots_between",
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
#
# The contact strategy. A plan step gives each task a follow-up window (its due day up to
# a last day, e.g. due + 7) and an attempt budget that only calls nobody answered spend
# (no answer, busy, phone off): a relative who picks up, or a callback the patient books,
# are contacts with rules of their own. Retries are spread over what is left of the window
# so that the week is used, at most two calls a day, alternating the half of the day unless
# the person is known to answer in one; among equally good windows the one the agents on
# duty have room in is taken, at the moment inside it that the calls already planned there
# leave free. A task whose window passes unreached ends "window missed".


class FollowUpAction(StrEnum):
    DONE = "done"
    RETRY = "retry"
    CALLBACK = "callback"
    SUSPEND = "suspend"
    CLOSE_CASE = "close_case"
    UNREACHABLE = "unreachable"
    WINDOW_MISSED = "window_missed"


@dataclass(frozen=True)
class CallFollowUp:
    action: FollowUpAction
    earliest: datetime | None
    reason: str
    # The follow-up window's last day when the call moved it (a callback booked past it).
    window_ends_on: date | None = None


REACHED = frozenset({"complete", "partial"})
NOT_REACHED = frozenset({"no_answer", "busy", "phone_off"})
CASE_CLOSERS = frozenset({"refused", "deceased"})
# The person themself picked up, whatever came of it: what "best time to call" learns from.
PATIENT_ANSWERED = frozenset({"complete", "partial", "callback", "refused"})

MAX_CALLS_A_DAY = 2
# A window planned fuller than its agents can call still gets the retry; the moment inside
# a window is never later than this share of it, so the call has time to be made.
LATEST_SHARE_OF_WINDOW = 0.5
# Without a window end (a task of no plan step), retries look this far ahead of the call.
OPEN_ENDED_WINDOW_DAYS = 7


class HalfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"

    @property
    def other(self) -> HalfDay:
        return HalfDay.AFTERNOON if self is HalfDay.MORNING else HalfDay.MORNING


def half_day_of(moment: datetime, rules: CallingRules) -> HalfDay:
    """The half of the day a moment falls in, on the rules' (the person's) clock."""
    return HalfDay.MORNING if _is_morning(moment, rules) else HalfDay.AFTERNOON


@dataclass(frozen=True)
class ContactBudget:
    """A task's attempts as the strategy sees them, before the call being judged."""

    budget: int  # calls nobody answers that the task may make
    spent: int = 0  # such calls made before this one
    window_ends_on: date | None = None  # the last day of the follow-up window
    calls_today: int = 0  # calls of the task made earlier on the day of this one

    def __post_init__(self) -> None:
        if self.budget < 1:
            raise ValueError("a task needs an attempt budget of at least one call")


@dataclass(frozen=True)
class Slot:
    """One calling window of one day: [start, end) in real time, and its half of the day."""

    start: datetime
    end: datetime
    half: HalfDay


# How full each of some slots is: planned calls ÷ the calls its agents can make (1.0 = full).
SlotLoad = Callable[[Sequence[Slot]], Sequence[float]]


def follow_up_window_end(due: date, window_days: int | None) -> date:
    """The last day a task due on ``due`` may still be called for its step."""
    return due + timedelta(days=OPEN_ENDED_WINDOW_DAYS if window_days is None else window_days)


def slots_between(after: datetime, last_day: date, rules: CallingRules) -> list[Slot]:
    """The windows that start at or after ``after``, up to the end of ``last_day`` (local)."""
    _require_aware(after, "after")
    instant = after.astimezone(UTC)
    days = (last_day - _local_day(after, rules)).days
    if days < 0:
        return []
    zone = rules.zone
    return [
        Slot(start.astimezone(zone), end.astimezone(zone), half_day_of(start, rules))
        for day in _days_from(after, rules, days)
        if day <= last_day
        for start, end in _windows_on(day, rules)
        if start >= instant
    ]


def plan_next_call(
    *,
    called_at: datetime,
    rules: CallingRules,
    last_day: date,
    calls_left: int,
    calls_today: int,
    best_half: HalfDay | None = None,
    load: SlotLoad | None = None,
) -> datetime | None:
    """When to call again: a moment in one of the windows after the call's own, on or before
    ``last_day``; None when the window leaves none.

    ``calls_left`` (at least one) are spread evenly over the windows left, so the last of
    them still falls inside the follow-up window; ``calls_today`` counts this call too.
    """
    _require_aware(called_at, "called_at")
    current = _window_containing(called_at, rules)
    slots = slots_between(current[1] if current else called_at, last_day, rules)
    if calls_today >= MAX_CALLS_A_DAY:
        today = _local_day(called_at, rules)
        slots = [slot for slot in slots if _local_day(slot.start, rules) > today]
    if not slots:
        return None
    stride = len(slots) / max(calls_left, 1)
    ideal = min(len(slots) - 1, max(0, int(stride) - 1))
    wanted = best_half or half_day_of(called_at, rules).other
    chosen = _nearest_of_half(slots, ideal, wanted, reach=2 if best_half else 1)
    fullness = 0.0
    if load is not None:
        # Two candidates: the one chosen and the nearest of the other half. The other half
        # wins only when nothing is known of the person, the chosen window is planned full
        # (more calls than its agents can make) and the other has more room.
        other = _nearest_of_half(slots, chosen, slots[chosen].half.other, reach=1)
        candidates = [chosen] if other == chosen else [chosen, other]
        loads = list(load([slots[index] for index in candidates]))
        fullness = loads[0]
        if best_half is None and len(candidates) == 2 and loads[0] >= 1.0 > loads[1]:
            chosen, fullness = other, loads[1]
    slot = slots[chosen]
    share = min(max(fullness, 0.0), 1.0) * LATEST_SHARE_OF_WINDOW
    moment = slot.start + (slot.end - slot.start) * share
    return max(moment.replace(second=0, microsecond=0), slot.start)


def _nearest_of_half(slots: Sequence[Slot], around: int, half: HalfDay, *, reach: int) -> int:
    """The index nearest ``around`` (earlier first) whose slot is in ``half``, looking at most
    ``reach`` slots either way; ``around`` itself when none is."""
    for distance in range(reach + 1):
        for index in (around - distance, around + distance):
            if 0 <= index < len(slots) and slots[index].half is half:
                return index
    return around


def next_step_after_call(
    *,
    disposition: str,
    called_at: datetime,
    rules: CallingRules,
    budget: ContactBudget,
    callback_at: datetime | None = None,
    best_half: HalfDay | None = None,
    load: SlotLoad | None = None,
) -> CallFollowUp:
    """What happens to a task after a call. ``callback_at``: the time a patient asked to be
    called back, or, after a relative answered, the time they said the patient is in."""
    _require_aware(called_at, "called_at")
    if disposition in REACHED:
        return CallFollowUp(FollowUpAction.DONE, None, disposition)
    if disposition == "wrong_number":
        # Held until someone fixes the number: retrying a wrong number only bothers a stranger.
        return CallFollowUp(FollowUpAction.SUSPEND, None, disposition)
    if disposition in CASE_CLOSERS:
        return CallFollowUp(FollowUpAction.CLOSE_CASE, None, disposition)
    if disposition == "callback":
        return _booked_callback(called_at, callback_at, rules, budget, reason="callback")
    if disposition == "family" and callback_at is not None:
        return _booked_callback(called_at, callback_at, rules, budget, reason="family_callback")
    if disposition not in NOT_REACHED and disposition != "family":
        raise ValueError(f"unknown disposition: {disposition!r}")
    # Only calls nobody answered spend the budget: a relative who answered is a contact.
    spent = budget.spent + (disposition in NOT_REACHED)
    if spent >= budget.budget:
        return CallFollowUp(FollowUpAction.UNREACHABLE, None, "attempt_budget_spent")
    last_day = budget.window_ends_on or _local_day(called_at, rules) + timedelta(
        days=OPEN_ENDED_WINDOW_DAYS
    )
    moment = plan_next_call(
        called_at=called_at,
        rules=rules,
        last_day=last_day,
        calls_left=budget.budget - spent,
        calls_today=budget.calls_today + 1,
        best_half=best_half,
        load=load,
    )
    if moment is None:
        return CallFollowUp(FollowUpAction.WINDOW_MISSED, None, "window_missed")
    return CallFollowUp(FollowUpAction.RETRY, moment, disposition)


def place_callback(requested: datetime, rules: CallingRules) -> tuple[datetime, str | None]:
    """Where a patient's requested callback goes, and why it moved (None when it did not).

    Windows do not bind a booked callback, but quiet hours and closed days do: a request on
    a closed day keeps its time on the next open day; one in quiet hours moves to the first
    allowed moment after it.
    """
    _require_aware(requested, "requested")
    local = requested.astimezone(rules.zone)
    if not day_status(local.date(), rules).open:
        return _same_time_next_open_day(local, rules), "closed_day"
    if not rules.quiet_before <= local.time() < rules.quiet_after:
        return _next_allowed_moment(requested, rules), "quiet_hours"
    return local, None


def _same_time_next_open_day(local: datetime, rules: CallingRules) -> datetime:
    for offset in range(1, SEARCH_HORIZON_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if day_status(day, rules).open:
            # The wall time on that day (a time lost to a clock change reads on past it),
            # else, in quiet hours, that day's first allowed moment: not the next day's.
            moment = datetime.combine(day, local.time(), tzinfo=rules.zone)
            moment = moment.astimezone(UTC).astimezone(rules.zone)
            if rules.quiet_before <= moment.time() < rules.quiet_after:
                return moment
            return _next_allowed_moment(datetime.combine(day, time.min, tzinfo=rules.zone), rules)
    raise ValueError(
        f"no open day within {SEARCH_HORIZON_DAYS} days after {local.isoformat()}: check the "
        "policy's weekdays and closed days"
    )


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


def _booked_callback(
    called_at: datetime,
    callback_at: datetime | None,
    rules: CallingRules,
    budget: ContactBudget,
    *,
    reason: str,
) -> CallFollowUp:
    if callback_at is None:
        raise ValueError("a callback disposition needs the time the patient asked to be called")
    _require_aware(callback_at, "callback_at")
    if callback_at.astimezone(UTC) < called_at.astimezone(UTC):
        raise ValueError("a callback cannot be booked for before the call that booked it")
    placed, moved_because = place_callback(callback_at, rules)
    if moved_because is not None:
        reason = f"{reason}_moved_{moved_because}"
    # The patient's own time is kept even past the follow-up window; the window then runs
    # to the day after it, so a callback nobody answers still gets a try.
    window_ends_on = None
    day_after = _local_day(placed, rules) + timedelta(days=1)
    if budget.window_ends_on is not None and day_after > budget.window_ends_on:
        window_ends_on = day_after
    return CallFollowUp(FollowUpAction.CALLBACK, placed, reason, window_ends_on)


# --- The best time to call a person ------------------------------------------------------------


@dataclass(frozen=True)
class HalfDayRecord:
    calls: int = 0
    answered: int = 0

    def __add__(self, other: HalfDayRecord) -> HalfDayRecord:
        return HalfDayRecord(self.calls + other.calls, self.answered + other.answered)


@dataclass(frozen=True)
class ReachRecord:
    """Calls made to a person (or to people like them) by half of the day, and how many of
    them the person answered."""

    morning: HalfDayRecord = HalfDayRecord()
    afternoon: HalfDayRecord = HalfDayRecord()

    @classmethod
    def of_calls(cls, calls: Iterable[tuple[datetime, str]], rules: CallingRules) -> ReachRecord:
        """From (started at, disposition) pairs; wrong numbers say nothing of the person."""
        halves = {HalfDay.MORNING: HalfDayRecord(), HalfDay.AFTERNOON: HalfDayRecord()}
        for started_at, disposition in calls:
            if disposition == "wrong_number":
                continue
            half = half_day_of(started_at, rules)
            halves[half] += HalfDayRecord(1, int(disposition in PATIENT_ANSWERED))
        return cls(halves[HalfDay.MORNING], halves[HalfDay.AFTERNOON])

    def of(self, half: HalfDay) -> HalfDayRecord:
        return self.morning if half is HalfDay.MORNING else self.afternoon


class BestTimeSource(StrEnum):
    ANSWERED = "answered"  # the person answered calls in that half
    NOT_ANSWERED_OTHER = "not_answered_other"  # calls in the other half went unanswered
    STATED = "stated"  # the person said so (preferred slot)
    SIMILAR = "similar"  # people like them answer then (the centre's history)


@dataclass(frozen=True)
class BestTime:
    half: HalfDay | None  # None: nothing known says one half is better
    source: BestTimeSource | None = None
    record: ReachRecord = ReachRecord()  # the person's own calls
    similar: ReachRecord | None = None

    @property
    def from_the_person(self) -> bool:
        """Learnt from the person (their calls or their word), not from other people."""
        return self.source is not None and self.source is not BestTimeSource.SIMILAR


# A half of the day is preferred when its estimated answer rate beats the other's by this.
PREFERENCE_MARGIN = 0.15
# The weight, in calls, of what is assumed before the person's own calls are counted.
PRIOR_CALLS = 2.0
# A stated preference counts as this many answered calls in that half (and as many calls
# nobody answered in the other).
STATED_CALLS = 2.0


def best_time(
    *, record: ReachRecord, stated: str = "any", similar: ReachRecord | None = None
) -> BestTime:
    """The half of the day to call a person in, and why, from their own calls, their stated
    preference and (weakest) how people like them answer."""
    estimates = {}
    for half in HalfDay:
        prior = 0.5
        if similar is not None and similar.of(half).calls:
            prior = (similar.of(half).answered + 1) / (similar.of(half).calls + 2)
        own = record.of(half)
        stated_answers = STATED_CALLS if stated == half.value else 0.0
        estimates[half] = (own.answered + stated_answers + prior * PRIOR_CALLS) / (
            own.calls + STATED_CALLS * (stated in ("morning", "afternoon")) + PRIOR_CALLS
        )
    if abs(estimates[HalfDay.MORNING] - estimates[HalfDay.AFTERNOON]) < PREFERENCE_MARGIN:
        return BestTime(None, None, record, similar)
    half = max(HalfDay, key=estimates.__getitem__)
    if record.of(half).answered:
        source = BestTimeSource.ANSWERED
    elif record.of(half.other).calls and not record.of(half.other).answered:
        source = BestTimeSource.NOT_ANSWERED_OTHER
    elif stated == half.value:
        source = BestTimeSource.STATED
    else:
        source = BestTimeSource.SIMILAR
    return BestTime(half, source, record, similar)


def first_call_moment(day: date, rules: CallingRules, half: HalfDay | None = None) -> datetime:
    """The first moment a task due on ``day`` may be called: that day's first window (of the
    person's best half when there is one that day), or the next open day's."""
    start = datetime.combine(day, time.min, tzinfo=rules.zone)
    first = next_window_start(start, rules)
    if half is None:
        return first
    for slot in slots_between(first, _local_day(first, rules), rules):
        if slot.half is half:
            return slot.start
    return first


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
