"""The best time to call a person: their own calls, their word, people like them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from .after_call import (
    PATIENT_ANSWERED,
    HalfDay,
    half_day_of,
    slots_between,
)
from .windows import (
    CallingRules,
    _local_day,
    next_window_start,
)

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
