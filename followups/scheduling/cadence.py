"""Plans and routine calls: due dates of a plan's steps, the cadence of intent classes, and
the order in which the daily list is called."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .windows import (
    C_CADENCE_DAYS,
)

# --- Plans and intent cadence -----------------------------------------------------------------


# The days a follow-up can be about: a discharge, purchase or report period from the year
# 2000 to a year ahead. Outside them a date is a typing slip (9999, 0001), and arithmetic
# on it (a day before, windows after) would run off the calendar.
FIRST_PLAUSIBLE_DAY = date(2000, 1, 1)
PLAUSIBLE_DAYS_AHEAD = 366


def plausible_day(day: date, *, today: date) -> bool:
    """Whether a date typed for a case, an import row or a report period can be meant."""
    return FIRST_PLAUSIBLE_DAY <= day <= today + timedelta(days=PLAUSIBLE_DAYS_AHEAD)


def due_dates(anchor: date, offsets: Sequence[int]) -> list[date]:
    """The days a plan's steps fall due, in the order of the steps."""
    if any(offset < 0 for offset in offsets):
        raise ValueError(f"a plan step cannot fall before its anchor date: {list(offsets)}")
    return [anchor + timedelta(days=offset) for offset in offsets]


# --- Recurring steps (chronic follow-up) ------------------------------------------------------

# A recurring step's calls are made ahead up to this many days, and at most this many of
# them wait at once: the list keeps a bounded horizon, topped up as calls are made.
RECURRING_HORIZON_DAYS = 90
RECURRING_AHEAD = 2


class RepeatUnit(StrEnum):
    DAYS = "days"
    MONTHS = "months"


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on; a day the month lacks becomes its last day
    (Jan 31 + 1 month = Feb 28 or 29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def occurrence_day(first: date, every: int, unit: RepeatUnit, occurrence: int) -> date:
    """The due day of a recurring step's `occurrence`-th call (1: the step's own day).
    Counted from the first day, not the previous one, so a clamped month end (Feb 28) does
    not pull every later call to the 28th."""
    if every < 1 or occurrence < 1:
        raise ValueError(
            f"a step repeats every 1 or more, from occurrence 1: {every}, {occurrence}"
        )
    steps = every * (occurrence - 1)
    if RepeatUnit(unit) is RepeatUnit.DAYS:
        return first + timedelta(days=steps)
    return add_months(first, steps)


def occurrences_ahead(
    *,
    first: date,
    every: int,
    unit: RepeatUnit,
    made: int,
    waiting: int,
    today: date,
    horizon_days: int = RECURRING_HORIZON_DAYS,
    ahead: int = RECURRING_AHEAD,
) -> list[tuple[int, date]]:
    """The occurrences of a recurring step to make now, as (occurrence, due day): those
    after the `made` ones already made, due no later than `today` + `horizon_days`, while
    fewer than `ahead` calls are `waiting`. Dates rise with the occurrence; none lies past
    the horizon."""
    horizon = today + timedelta(days=horizon_days)
    found: list[tuple[int, date]] = []
    occurrence = made + 1
    while waiting + len(found) < ahead:
        due = occurrence_day(first, every, unit, occurrence)
        if due > horizon:
            break
        found.append((occurrence, due))
        occurrence += 1
    return found


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


# --- Queue order ------------------------------------------------------------------------------

INTENT_RANK = {IntentClass.A: 0, IntentClass.B: 1, IntentClass.C: 2, IntentClass.D: 3}


# A deadline this many days away (or passed) puts a call ahead of every other but callbacks.
DEADLINE_NEAR_DAYS = 3


def queue_priority(
    *,
    is_callback: bool,
    deadline: date | None,
    due: date,
    today: date,
    intent: IntentClass | None,
    deadline_near_days: int = DEADLINE_NEAR_DAYS,
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


class Urgency(StrEnum):
    """What puts a call where it is on the list, in queue_priority's order."""

    CALLBACK = "callback"
    DEADLINE = "deadline"
    OVERDUE = "overdue"
    DUE = "due"


def urgency(
    *,
    is_callback: bool,
    deadline: date | None,
    due: date,
    today: date,
    deadline_near_days: int = DEADLINE_NEAR_DAYS,
) -> tuple[Urgency, int]:
    """Why a call stands where queue_priority puts it, for the supervisor to read: a booked
    callback (0); a near deadline and the days to it (below zero once passed); overdue and
    the days late; else due (0)."""
    if is_callback:
        return Urgency.CALLBACK, 0
    if deadline is not None and (deadline - today).days <= deadline_near_days:
        return Urgency.DEADLINE, (deadline - today).days
    if due < today:
        return Urgency.OVERDUE, (today - due).days
    return Urgency.DUE, 0
