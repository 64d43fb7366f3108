"""Plans and routine calls: due dates of a plan's steps, the cadence of intent classes, and
the order in which the daily list is called."""

from __future__ import annotations

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
