"""What follows a call: the contact strategy (follow-up window, attempt budget, where a
retry goes), booked callbacks, and the first moment of a new call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from .windows import (
    NOON,
    SEARCH_HORIZON_DAYS,
    CallingRules,
    _allowed_hours_on,
    _days_from,
    _local_day,
    _require_aware,
    _window_containing,
    _windows_on,
    day_status,
)

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


class RulesCheck(StrEnum):
    """How a call stood with the calling rules in force when it was made."""

    WINDOW = "window"  # inside a calling window of an open day
    BOOKED = "booked"  # outside the windows: the call back the person booked (allowed)
    OUTSIDE = "outside"  # against the rules


def check_call(started: datetime, rules: CallingRules, *, booked_callback: bool) -> RulesCheck:
    """Judge a call by its start: inside a window, or the call back the person booked where
    quiet hours and closed days allow it (place_callback leaves it where it is), or not."""
    if _window_containing(started, rules) is not None:
        return RulesCheck.WINDOW
    if booked_callback and place_callback(started, rules)[1] is None:
        return RulesCheck.BOOKED
    return RulesCheck.OUTSIDE


def rules_in_force(rules: CallingRules, started: datetime) -> dict:
    """What the rules said on the day of a call, kept with it as evidence: its clock, that
    day's windows and whether the day was open, the quiet hours."""
    _require_aware(started, "started")
    day = started.astimezone(rules.zone).date()
    return {
        "timezone": rules.timezone,
        "day": day.isoformat(),
        "open": day_status(day, rules).open,
        "windows": [f"{w.start:%H:%M}-{w.end:%H:%M}" for w in rules.windows],
        "quiet": [f"{rules.quiet_before:%H:%M}", f"{rules.quiet_after:%H:%M}"],
    }


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
