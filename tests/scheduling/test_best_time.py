"""The best time to call a person: which half of the day, and why; and the first call's moment."""

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups.scheduling import (
    PREFERENCE_MARGIN,
    BestTime,
    BestTimeSource,
    CallingRules,
    HalfDay,
    HalfDayRecord,
    ReachRecord,
    best_time,
    first_call_moment,
    is_callable,
)
from tests.clock import SHANGHAI, shanghai

from .strategies import PROPERTY_SETTINGS, calling_rules, in_utc, wall_clock, with_windows

CENTRE = CallingRules()
NOBODY = ReachRecord()


def record(morning: tuple[int, int] = (0, 0), afternoon: tuple[int, int] = (0, 0)) -> ReachRecord:
    """A record from (answered, calls) per half of the day."""
    return ReachRecord(
        morning=HalfDayRecord(calls=morning[1], answered=morning[0]),
        afternoon=HalfDayRecord(calls=afternoon[1], answered=afternoon[0]),
    )


# --- best_time ------------------------------------------------------------------------------


def test_answered_afternoon_calls_make_the_afternoon_best():
    # Afternoon (3 + 1) / (4 + 2) = 0.67 against morning (0 + 1) / (2 + 2) = 0.25.
    own = record(morning=(0, 2), afternoon=(3, 4))
    assert best_time(record=own) == BestTime(HalfDay.AFTERNOON, BestTimeSource.ANSWERED, own)


def test_nothing_known_prefers_no_half():
    assert best_time(record=NOBODY) == BestTime(None, None, NOBODY, None)
    assert best_time(record=NOBODY, stated="any").half is None
    assert not best_time(record=NOBODY).from_the_person


def test_a_narrow_lead_prefers_no_half():
    # Afternoon (2 + 1) / (3 + 2) = 0.6 against morning (1 + 1) / (2 + 2) = 0.5: under 0.15.
    assert PREFERENCE_MARGIN == 0.15
    assert best_time(record=record(morning=(1, 2), afternoon=(2, 3))).half is None


def test_one_answered_call_is_enough_to_prefer_its_half():
    # (1 + 1) / (1 + 2) = 0.67 against the unknown half's 0.5.
    best = best_time(record=record(afternoon=(1, 1)))
    assert (best.half, best.source) == (HalfDay.AFTERNOON, BestTimeSource.ANSWERED)


def test_a_stated_morning_alone_makes_the_morning_best():
    # Morning (2 + 1) / (2 + 2) = 0.75 against afternoon (0 + 1) / (2 + 2) = 0.25.
    best = best_time(record=NOBODY, stated="morning")
    assert best == BestTime(HalfDay.MORNING, BestTimeSource.STATED, NOBODY)
    assert best.from_the_person


def test_a_stated_afternoon_alone_makes_the_afternoon_best():
    best = best_time(record=NOBODY, stated="afternoon")
    assert (best.half, best.source) == (HalfDay.AFTERNOON, BestTimeSource.STATED)


def test_a_stated_preference_outweighs_a_few_answered_calls_in_the_other_half():
    # Morning (3 + 1) / (3 + 2 + 2) = 0.57 against afternoon (2 + 1) / (2 + 2) = 0.75.
    best = best_time(record=record(morning=(3, 3)), stated="afternoon")
    assert (best.half, best.source) == (HalfDay.AFTERNOON, BestTimeSource.STATED)


def test_unanswered_mornings_point_to_the_afternoon():
    # Morning (0 + 1) / (3 + 2) = 0.2 against the unknown afternoon's 0.5.
    own = record(morning=(0, 3))
    best = best_time(record=own)
    assert best == BestTime(HalfDay.AFTERNOON, BestTimeSource.NOT_ANSWERED_OTHER, own)
    assert best.from_the_person


def test_people_like_them_answering_in_the_afternoon_suggest_it():
    # Similar people: morning (2 + 1) / (20 + 2) = 0.14, afternoon (15 + 1) / (20 + 2) = 0.73.
    department = record(morning=(2, 20), afternoon=(15, 20))
    best = best_time(record=NOBODY, similar=department)
    assert best == BestTime(HalfDay.AFTERNOON, BestTimeSource.SIMILAR, NOBODY, department)
    assert not best.from_the_person


def test_own_answered_mornings_beat_a_similar_people_afternoon_prior():
    # Similar people alone: morning 9/22 = 0.41 against afternoon 13/22 = 0.59, afternoons.
    department = record(morning=(8, 20), afternoon=(12, 20))
    assert best_time(record=NOBODY, similar=department).half is HalfDay.AFTERNOON
    # Four answered mornings: (4 + 2 × 0.41) / (4 + 2) = 0.80 against 0.59.
    own = record(morning=(4, 4))
    best = best_time(record=own, similar=department)
    assert best == BestTime(HalfDay.MORNING, BestTimeSource.ANSWERED, own, department)
    assert best.from_the_person


def test_a_similar_record_without_calls_in_a_half_leaves_that_half_unknown():
    # No similar afternoon calls: the afternoon stays at 0.5; mornings 1/12 = 0.08.
    department = record(morning=(0, 10))
    best = best_time(record=NOBODY, similar=department)
    assert (best.half, best.source) == (HalfDay.AFTERNOON, BestTimeSource.SIMILAR)


@pytest.mark.parametrize(
    ("source", "from_the_person"),
    [
        (BestTimeSource.ANSWERED, True),
        (BestTimeSource.NOT_ANSWERED_OTHER, True),
        (BestTimeSource.STATED, True),
        (BestTimeSource.SIMILAR, False),
        (None, False),
    ],
)
def test_only_similar_people_are_not_the_person(source, from_the_person):
    assert BestTime(HalfDay.MORNING, source).from_the_person is from_the_person


# --- ReachRecord.of_calls -------------------------------------------------------------------


def test_calls_are_counted_by_half_of_the_day_and_answered():
    calls = [
        (shanghai(2026, 3, 10, 15, 5), "complete"),
        (shanghai(2026, 3, 11, 15, 30), "partial"),
        (shanghai(2026, 3, 12, 16, 0), "callback"),
        (shanghai(2026, 3, 13, 17, 0), "no_answer"),
        (shanghai(2026, 3, 14, 10, 30), "busy"),
        (shanghai(2026, 3, 15, 11, 0), "phone_off"),
    ]
    own = ReachRecord.of_calls(calls, CENTRE)
    assert own == record(morning=(0, 2), afternoon=(3, 4))
    assert best_time(record=own) == BestTime(HalfDay.AFTERNOON, BestTimeSource.ANSWERED, own)


def test_a_refusal_is_an_answer_by_the_person():
    own = ReachRecord.of_calls([(shanghai(2026, 3, 10, 10, 30), "refused")], CENTRE)
    assert own == record(morning=(1, 1))


def test_wrong_numbers_say_nothing_of_the_person():
    calls = [
        (shanghai(2026, 3, 10, 10, 30), "wrong_number"),
        (shanghai(2026, 3, 10, 15, 0), "wrong_number"),
    ]
    assert ReachRecord.of_calls(calls, CENTRE) == NOBODY


def test_a_relative_answering_is_a_call_the_person_did_not_answer():
    calls = [(shanghai(2026, 3, 10, 10, 30), "family"), (shanghai(2026, 3, 11, 10, 30), "family")]
    assert ReachRecord.of_calls(calls, CENTRE) == record(morning=(0, 2))


def test_noon_starts_the_afternoon():
    calls = [(shanghai(2026, 3, 10, 11, 59), "complete"), (shanghai(2026, 3, 10, 12, 0), "busy")]
    assert ReachRecord.of_calls(calls, CENTRE) == record(morning=(1, 1), afternoon=(0, 1))


def test_the_half_of_the_day_is_the_persons():
    abroad = CENTRE.for_timezone("America/Los_Angeles")
    # 02:00 UTC is 10:00 in Shanghai but 19:00 the evening before in Los Angeles.
    calls = [(datetime(2026, 3, 10, 2, 0, tzinfo=UTC), "complete")]
    assert ReachRecord.of_calls(calls, CENTRE) == record(morning=(1, 1))
    assert ReachRecord.of_calls(calls, abroad) == record(afternoon=(1, 1))


def test_no_calls_make_an_empty_record():
    assert ReachRecord.of_calls([], CENTRE) == NOBODY


def test_records_add_up():
    assert HalfDayRecord(2, 1) + HalfDayRecord(3, 2) == HalfDayRecord(5, 3)


# --- first_call_moment ----------------------------------------------------------------------

TUESDAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("due", "first_open_day"),
    [
        pytest.param(TUESDAY, TUESDAY, id="an-ordinary-day"),
        # 3 October is in the National Day holiday (1 to 7 October 2026).
        pytest.param(date(2026, 10, 3), date(2026, 10, 8), id="a-holiday-the-next-open-day"),
    ],
)
@pytest.mark.parametrize(
    ("half", "clock"),
    [(None, time(10, 30)), (HalfDay.MORNING, time(10, 30)), (HalfDay.AFTERNOON, time(15, 0))],
)
def test_the_first_call_is_in_the_best_half_of_the_first_open_day(due, first_open_day, half, clock):
    moment = first_call_moment(due, CENTRE, half)
    assert moment == datetime.combine(first_open_day, clock, tzinfo=SHANGHAI)


def test_a_day_without_an_afternoon_window_falls_back_to_its_first_window():
    # Quiet from 14:00: the afternoon window is gone.
    early_close = CallingRules(quiet_after=time(14, 0))
    assert first_call_moment(TUESDAY, early_close, HalfDay.AFTERNOON) == shanghai(
        2026, 3, 10, 10, 30
    )


def test_a_day_without_a_morning_window_falls_back_to_its_first_window():
    afternoons = with_windows("15:00-17:30")
    assert first_call_moment(TUESDAY, afternoons, HalfDay.MORNING) == shanghai(2026, 3, 10, 15, 0)


def test_the_first_call_follows_the_patients_clock():
    abroad = CENTRE.for_timezone("America/Los_Angeles")
    # 15:00 on 10 March in Los Angeles (Daylight Time) is 22:00 UTC.
    moment = first_call_moment(TUESDAY, abroad, HalfDay.AFTERNOON)
    assert in_utc(moment) == datetime(2026, 3, 10, 22, 0, tzinfo=UTC)


@PROPERTY_SETTINGS
@given(
    rules=calling_rules(),
    day=st.dates(date(2025, 1, 1), date(2028, 6, 30)),
    half=st.sampled_from([None, *HalfDay]),
)
def test_the_first_call_is_a_callable_moment_on_or_after_the_due_day(rules, day, half):
    moment = first_call_moment(day, rules, half)
    assert is_callable(moment, rules)
    assert wall_clock(moment, rules).date() >= day
    # Never later than the first window's own day: the half only chooses within it.
    first = first_call_moment(day, rules)
    assert wall_clock(moment, rules).date() == wall_clock(first, rules).date()
    assert in_utc(moment) >= in_utc(first)
