"""What happens after a call: done, retry, callback, suspend, close, or give up.

The contact strategy: a task has a follow-up window (its due day up to a last day) and an
attempt budget that only calls nobody answered spend. Retries are spread over the windows
left, at most two calls a day, alternating the half of the day unless the person is known to
answer in one; the agents' load picks between equally good windows and the moment in one.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import assume, given
from hypothesis import strategies as st

from followups.scheduling import (
    LATEST_SHARE_OF_WINDOW,
    CallFollowUp,
    CallingRules,
    ContactBudget,
    FollowUpAction,
    HalfDay,
    Slot,
    is_callable,
    next_callable_moment,
    next_step_after_call,
    slots_between,
    windows_on,
)
from tests.clock import shanghai

from .strategies import (
    PROPERTY_SETTINGS,
    calling_rules,
    in_utc,
    moments,
    reads_inside_a_window,
    wall_clock,
    with_windows,
)

CENTRE = CallingRules()
NOT_REACHED = ("no_answer", "busy", "phone_off")


def week_budget(called_at: datetime, rules: CallingRules = CENTRE, **changes) -> ContactBudget:
    """Six calls nobody answers, none made yet, a window ending a week after the call's day."""
    defaults = {
        "budget": 6,
        "spent": 0,
        "window_ends_on": wall_clock(called_at, rules).date() + timedelta(days=7),
        "calls_today": 0,
    }
    return ContactBudget(**(defaults | changes))


def after_call(
    disposition: str, called_at: datetime, budget: ContactBudget | None = None, **overrides
) -> CallFollowUp:
    rules = overrides.pop("rules", CENTRE)
    return next_step_after_call(
        disposition=disposition,
        called_at=called_at,
        rules=rules,
        budget=budget or week_budget(called_at, rules),
        **overrides,
    )


# A Tuesday call at 10:45, in the morning window (10:30 to 11:30). Its week runs to Tuesday
# 17 March: fifteen windows after this one (this afternoon, then two a day for seven days).
MORNING_CALL = shanghai(2026, 3, 10, 10, 45)
# The same Tuesday at 15:20, in the afternoon window (15:00 to 17:30): fourteen windows left.
AFTERNOON_CALL = shanghai(2026, 3, 10, 15, 20)
LAST_DAY = date(2026, 3, 17)


# --- Each disposition ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disposition", "action", "earliest", "reason"),
    [
        ("complete", FollowUpAction.DONE, None, "complete"),
        ("partial", FollowUpAction.DONE, None, "partial"),
        # Five calls left over fifteen windows: every third, the third being tomorrow's
        # afternoon, which is also the other half of the day.
        ("no_answer", FollowUpAction.RETRY, shanghai(2026, 3, 11, 15, 0), "no_answer"),
        ("busy", FollowUpAction.RETRY, shanghai(2026, 3, 11, 15, 0), "busy"),
        ("phone_off", FollowUpAction.RETRY, shanghai(2026, 3, 11, 15, 0), "phone_off"),
        # A relative's answer spends nothing: six calls over fifteen windows, every 2.5th,
        # so the second (tomorrow morning), moved to the nearest afternoon: this one.
        ("family", FollowUpAction.RETRY, shanghai(2026, 3, 10, 15, 0), "family"),
        ("wrong_number", FollowUpAction.SUSPEND, None, "wrong_number"),
        ("refused", FollowUpAction.CLOSE_CASE, None, "refused"),
        ("deceased", FollowUpAction.CLOSE_CASE, None, "deceased"),
    ],
)
def test_each_disposition_leads_to_its_next_step(disposition, action, earliest, reason):
    assert after_call(disposition, MORNING_CALL) == CallFollowUp(action, earliest, reason)


def test_an_unknown_disposition_is_refused():
    with pytest.raises(ValueError, match="unknown disposition"):
        after_call("hung_up_politely", MORNING_CALL)


def test_a_naive_call_time_is_refused():
    naive = datetime(2026, 3, 10, 10, 45)
    with pytest.raises(ValueError, match="timezone-aware"):
        after_call("no_answer", naive, week_budget(MORNING_CALL))


def test_a_task_needs_a_budget_of_at_least_one_call():
    with pytest.raises(ValueError, match="at least one"):
        ContactBudget(budget=0)


# --- Booked callbacks -----------------------------------------------------------------------


# A relative's word on when the patient is in books that time like the patient's own request.
BOOKED = pytest.mark.parametrize(
    ("disposition", "reason"), [("callback", "callback"), ("family", "family_callback")]
)


@BOOKED
def test_a_callback_is_booked_when_the_patient_or_a_relative_said(disposition, reason):
    asked_for = shanghai(2026, 3, 12, 19, 0)
    assert after_call(disposition, MORNING_CALL, callback_at=asked_for) == CallFollowUp(
        FollowUpAction.CALLBACK, shanghai(2026, 3, 12, 19, 0), reason, None
    )


@BOOKED
def test_a_callback_in_quiet_hours_moves_to_the_next_morning(disposition, reason):
    asked_for = shanghai(2026, 3, 12, 22, 0)
    assert after_call(disposition, MORNING_CALL, callback_at=asked_for) == CallFollowUp(
        FollowUpAction.CALLBACK, shanghai(2026, 3, 13, 8, 0), f"{reason}_moved_quiet_hours"
    )


def test_a_callback_on_a_holiday_keeps_its_time_on_the_first_day_back():
    # Booked far past the window (17 March): the window then runs to the day after it.
    asked_for = shanghai(2026, 10, 2, 10, 0)
    assert after_call("callback", MORNING_CALL, callback_at=asked_for) == CallFollowUp(
        FollowUpAction.CALLBACK,
        shanghai(2026, 10, 8, 10, 0),
        "callback_moved_closed_day",
        date(2026, 10, 9),
    )


def test_a_callback_needs_the_time_the_patient_asked_for():
    with pytest.raises(ValueError, match="callback"):
        after_call("callback", MORNING_CALL)


@BOOKED
def test_a_callback_cannot_be_booked_before_the_call(disposition, reason):
    with pytest.raises(ValueError, match="before the call"):
        after_call(disposition, MORNING_CALL, callback_at=shanghai(2026, 3, 10, 9, 0))


# --- Six tries over the week ----------------------------------------------------------------


def call_until_done(first_call: datetime, budget: ContactBudget) -> tuple[list, CallFollowUp]:
    """Call at every retry, nobody ever answering; the calls made and the last follow-up."""
    made = [first_call]
    while True:
        called_at = made[-1]
        earlier_today = sum(1 for call in made[:-1] if call.date() == called_at.date())
        follow_up = after_call(
            "no_answer",
            called_at,
            ContactBudget(
                budget=budget.budget,
                spent=len(made) - 1,
                window_ends_on=budget.window_ends_on,
                calls_today=earlier_today,
            ),
        )
        if follow_up.action is not FollowUpAction.RETRY:
            return made, follow_up
        made.append(follow_up.earliest)


def test_no_answer_on_the_due_day_spreads_six_tries_over_the_week():
    due_morning = shanghai(2026, 3, 10, 10, 30)
    made, last = call_until_done(due_morning, week_budget(due_morning))
    assert made == [
        shanghai(2026, 3, 10, 10, 30),  # the due day, morning
        shanghai(2026, 3, 11, 15, 0),  # day 1, afternoon
        shanghai(2026, 3, 13, 10, 30),  # day 3, morning
        shanghai(2026, 3, 14, 15, 0),  # day 4, afternoon
        shanghai(2026, 3, 16, 10, 30),  # day 6, morning
        shanghai(2026, 3, 17, 15, 0),  # day 7, the window's last day, afternoon
    ]
    assert last == CallFollowUp(FollowUpAction.UNREACHABLE, None, "attempt_budget_spent")


def test_three_tries_are_spread_over_the_week_too():
    # Two calls left after the first over fifteen windows: every 7.5th, so the seventh
    # (Friday afternoon); then one left over the eight windows after that: the last, moved
    # to the nearest morning, the other half of the day.
    due_morning = shanghai(2026, 3, 10, 10, 30)
    made, last = call_until_done(due_morning, week_budget(due_morning, budget=3))
    assert made == [
        shanghai(2026, 3, 10, 10, 30),
        shanghai(2026, 3, 13, 15, 0),
        shanghai(2026, 3, 17, 10, 30),
    ]
    assert last.reason == "attempt_budget_spent"


# --- The budget -----------------------------------------------------------------------------


@pytest.mark.parametrize("disposition", NOT_REACHED)
def test_the_last_call_nobody_answers_makes_the_patient_unreachable(disposition):
    budget = week_budget(MORNING_CALL, spent=5)
    assert after_call(disposition, MORNING_CALL, budget) == CallFollowUp(
        FollowUpAction.UNREACHABLE, None, "attempt_budget_spent"
    )


def test_a_family_answer_does_not_spend_the_budget():
    # Still one call left: the only one, so it goes to the window's last window.
    budget = week_budget(MORNING_CALL, spent=5)
    assert after_call("family", MORNING_CALL, budget) == CallFollowUp(
        FollowUpAction.RETRY, shanghai(2026, 3, 17, 15, 0), "family"
    )


def test_the_last_call_left_goes_to_the_end_of_the_window():
    budget = week_budget(MORNING_CALL, spent=4)
    assert after_call("no_answer", MORNING_CALL, budget) == CallFollowUp(
        FollowUpAction.RETRY, shanghai(2026, 3, 17, 15, 0), "no_answer"
    )


@pytest.mark.parametrize(
    ("disposition", "action"),
    [
        ("complete", FollowUpAction.DONE),
        ("partial", FollowUpAction.DONE),
        ("wrong_number", FollowUpAction.SUSPEND),
        ("refused", FollowUpAction.CLOSE_CASE),
        ("deceased", FollowUpAction.CLOSE_CASE),
    ],
)
def test_running_out_of_attempts_only_changes_retries(disposition, action):
    assert after_call(disposition, MORNING_CALL, week_budget(MORNING_CALL, spent=5)).action is (
        action
    )


@pytest.mark.parametrize("disposition", ["callback", "family"])
def test_a_booked_callback_is_kept_on_the_last_attempt(disposition):
    asked_for = shanghai(2026, 3, 12, 19, 0)
    budget = week_budget(MORNING_CALL, spent=5)
    follow_up = after_call(disposition, MORNING_CALL, budget, callback_at=asked_for)
    assert follow_up.action is FollowUpAction.CALLBACK
    assert follow_up.earliest == asked_for


# --- At most two calls a day ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls_today", "retry"),
    [(0, shanghai(2026, 3, 10, 15, 0)), (1, shanghai(2026, 3, 11, 15, 0))],
)
def test_a_second_call_of_the_day_is_the_last_of_that_day(calls_today, retry):
    budget = week_budget(MORNING_CALL, window_ends_on=date(2026, 3, 11), calls_today=calls_today)
    assert after_call("no_answer", MORNING_CALL, budget).earliest == retry


def test_with_a_call_already_made_today_a_morning_miss_never_retries_today():
    early = shanghai(2026, 3, 10, 8, 30)  # a booked callback, before the morning window
    for disposition in (*NOT_REACHED, "family"):
        for called_at in (early, MORNING_CALL):
            budget = week_budget(called_at, calls_today=1)
            retry = after_call(disposition, called_at, budget)
            assert retry.earliest.date() > date(2026, 3, 10), (disposition, called_at)


def test_a_second_miss_on_the_windows_last_day_misses_the_window():
    budget = week_budget(MORNING_CALL, window_ends_on=date(2026, 3, 10), calls_today=1)
    assert after_call("no_answer", MORNING_CALL, budget) == CallFollowUp(
        FollowUpAction.WINDOW_MISSED, None, "window_missed"
    )


# --- Alternating the half of the day --------------------------------------------------------


def test_no_answer_in_the_morning_retries_in_an_afternoon():
    assert after_call("no_answer", MORNING_CALL).earliest == shanghai(2026, 3, 11, 15, 0)


def test_no_answer_in_the_afternoon_retries_in_a_morning():
    assert after_call("no_answer", AFTERNOON_CALL).earliest == shanghai(2026, 3, 11, 10, 30)


def test_a_best_afternoon_takes_a_morning_miss_to_an_afternoon():
    retry = after_call("no_answer", MORNING_CALL, best_half=HalfDay.AFTERNOON)
    assert retry.earliest == shanghai(2026, 3, 11, 15, 0)


def test_a_best_afternoon_keeps_an_afternoon_miss_in_the_afternoon():
    retry = after_call("no_answer", AFTERNOON_CALL, best_half=HalfDay.AFTERNOON)
    assert retry.earliest == shanghai(2026, 3, 11, 15, 0)


def test_a_best_morning_keeps_a_morning_miss_in_the_morning():
    retry = after_call("no_answer", MORNING_CALL, best_half=HalfDay.MORNING)
    assert retry.earliest == shanghai(2026, 3, 11, 10, 30)


def test_no_answer_with_only_afternoon_windows_retries_in_an_afternoon():
    afternoons = with_windows("15:00-17:30")
    retry = after_call("no_answer", AFTERNOON_CALL, rules=afternoons)
    assert retry.earliest == shanghai(2026, 3, 11, 15, 0)


def test_no_answer_skips_a_second_morning_window_for_the_afternoon():
    two_mornings = with_windows("09:00-10:00", "10:30-11:30", "15:00-17:00")
    called_at = shanghai(2026, 3, 10, 9, 15)
    budget = week_budget(called_at, window_ends_on=date(2026, 3, 10))
    retry = after_call("no_answer", called_at, budget, rules=two_mornings)
    assert retry.earliest == shanghai(2026, 3, 10, 15, 0)


def test_no_answer_at_an_evening_callback_retries_the_next_morning():
    assert after_call("no_answer", shanghai(2026, 3, 10, 19, 0)).earliest == shanghai(
        2026, 3, 11, 10, 30
    )


def test_no_answer_at_an_early_callback_retries_in_the_afternoon():
    # 08:30 is outside every window but in the morning: the afternoon is the other half.
    assert after_call("no_answer", shanghai(2026, 3, 10, 8, 30)).earliest == shanghai(
        2026, 3, 10, 15, 0
    )


def test_family_on_friday_before_a_make_up_saturday_retries_on_saturday():
    # 14 February 2026 is a make-up working day, then the Spring Festival closes the
    # centre until the 23rd: the window (to the 20th) leaves Saturday's two windows.
    assert after_call("family", shanghai(2026, 2, 13, 15, 20)).earliest == shanghai(
        2026, 2, 14, 10, 30
    )


def test_no_answer_before_a_holiday_retries_the_first_morning_back():
    called_at = shanghai(2026, 9, 30, 15, 20)
    budget = week_budget(called_at, window_ends_on=date(2026, 10, 14))
    assert after_call("no_answer", called_at, budget).earliest == shanghai(2026, 10, 8, 10, 30)


def test_a_retry_follows_the_patients_clock():
    abroad = CENTRE.for_timezone("America/Los_Angeles")
    # 17:45 UTC is 10:45 in Los Angeles (Daylight Time); 15:00 there is 22:00 UTC.
    retry = after_call("no_answer", datetime(2026, 3, 10, 17, 45, tzinfo=UTC), rules=abroad)
    assert in_utc(retry.earliest) == datetime(2026, 3, 11, 22, 0, tzinfo=UTC)


# --- The agents' load -----------------------------------------------------------------------


class LoadByHalf:
    """A load that depends on the half of the day only, remembering what it was asked."""

    def __init__(self, morning: float, afternoon: float) -> None:
        self.fullness = {HalfDay.MORNING: morning, HalfDay.AFTERNOON: afternoon}
        self.asked: list[list[Slot]] = []

    def __call__(self, slots):
        self.asked.append(list(slots))
        return [self.fullness[slot.half] for slot in slots]


def test_with_nothing_known_a_retry_takes_the_half_the_agents_have_room_in():
    load = LoadByHalf(morning=0.0, afternoon=2.0)
    retry = after_call("no_answer", MORNING_CALL, load=load)
    assert retry.earliest == shanghai(2026, 3, 11, 10, 30)
    # Asked once, about the window chosen first and the nearest one of the other half.
    assert [[(slot.start, slot.half) for slot in slots] for slots in load.asked] == [
        [
            (shanghai(2026, 3, 11, 15, 0), HalfDay.AFTERNOON),
            (shanghai(2026, 3, 11, 10, 30), HalfDay.MORNING),
        ]
    ]


def test_a_best_half_is_kept_however_full_it_is():
    load = LoadByHalf(morning=0.0, afternoon=2.0)
    retry = after_call("no_answer", MORNING_CALL, best_half=HalfDay.AFTERNOON, load=load)
    # Over full counts as full: half way into the 15:00 to 17:30 window.
    assert retry.earliest == shanghai(2026, 3, 11, 16, 15)


def test_when_both_halves_are_full_the_alternation_is_kept():
    load = LoadByHalf(morning=1.5, afternoon=2.0)
    assert after_call("no_answer", MORNING_CALL, load=load).earliest == shanghai(
        2026, 3, 11, 16, 15
    )


def test_an_over_full_window_gives_way_to_one_with_room():
    load = LoadByHalf(morning=0.9, afternoon=2.0)
    # 10:30 plus 0.9 of the latest share (half) of the hour: 27 minutes.
    assert after_call("no_answer", MORNING_CALL, load=load).earliest == shanghai(
        2026, 3, 11, 10, 57
    )


def test_a_half_full_window_is_called_a_quarter_of_the_way_in():
    assert LATEST_SHARE_OF_WINDOW == 0.5
    load = LoadByHalf(morning=0.5, afternoon=0.5)
    # Afternoon miss: tomorrow's morning window, 10:30 to 11:30, a quarter in.
    assert after_call("no_answer", AFTERNOON_CALL, load=load).earliest == shanghai(
        2026, 3, 11, 10, 45
    )
    # Morning miss: tomorrow's afternoon window, 15:00 to 17:30; 37.5 minutes, to the minute.
    assert after_call("no_answer", MORNING_CALL, load=load).earliest == shanghai(
        2026, 3, 11, 15, 37
    )


def test_an_empty_window_is_called_from_its_start():
    load = LoadByHalf(morning=0.0, afternoon=0.0)
    assert after_call("no_answer", MORNING_CALL, load=load).earliest == shanghai(2026, 3, 11, 15, 0)


# --- The follow-up window -------------------------------------------------------------------


@pytest.mark.parametrize("disposition", [*NOT_REACHED, "family"])
def test_a_miss_on_the_windows_last_afternoon_misses_the_window(disposition):
    last_afternoon = shanghai(2026, 3, 17, 15, 20)
    budget = week_budget(last_afternoon, window_ends_on=LAST_DAY)
    assert after_call(disposition, last_afternoon, budget) == CallFollowUp(
        FollowUpAction.WINDOW_MISSED, None, "window_missed"
    )


def test_a_miss_on_the_windows_last_morning_retries_that_afternoon():
    last_morning = shanghai(2026, 3, 17, 10, 45)
    budget = week_budget(last_morning, window_ends_on=LAST_DAY)
    assert after_call("no_answer", last_morning, budget).earliest == shanghai(2026, 3, 17, 15, 0)


def test_a_miss_before_a_holiday_that_covers_the_rest_of_the_window_misses_it():
    # The week after 30 September is the National Day holiday, 1 to 7 October.
    called_at = shanghai(2026, 9, 30, 15, 20)
    assert after_call("no_answer", called_at) == CallFollowUp(
        FollowUpAction.WINDOW_MISSED, None, "window_missed"
    )


def test_a_call_after_the_window_has_ended_misses_it():
    late = shanghai(2026, 3, 18, 10, 45)
    budget = week_budget(late, window_ends_on=LAST_DAY)
    assert after_call("busy", late, budget).action is FollowUpAction.WINDOW_MISSED


def test_a_callback_booked_after_the_window_moves_its_end_to_the_day_after():
    asked_for = shanghai(2026, 3, 20, 19, 0)
    budget = week_budget(MORNING_CALL, window_ends_on=LAST_DAY)
    assert after_call("callback", MORNING_CALL, budget, callback_at=asked_for) == CallFollowUp(
        FollowUpAction.CALLBACK, asked_for, "callback", date(2026, 3, 21)
    )


def test_a_callback_on_the_windows_last_day_gives_it_one_more_day():
    asked_for = shanghai(2026, 3, 17, 19, 0)
    budget = week_budget(MORNING_CALL, window_ends_on=LAST_DAY)
    follow_up = after_call("callback", MORNING_CALL, budget, callback_at=asked_for)
    assert follow_up.window_ends_on == date(2026, 3, 18)


def test_a_callback_inside_the_window_leaves_its_end_alone():
    asked_for = shanghai(2026, 3, 16, 19, 0)
    budget = week_budget(MORNING_CALL, window_ends_on=LAST_DAY)
    follow_up = after_call("callback", MORNING_CALL, budget, callback_at=asked_for)
    assert follow_up.window_ends_on is None


def test_without_a_window_end_retries_look_a_week_ahead():
    budget = ContactBudget(budget=6, spent=4)
    # The last call left goes to the last window of the week after the call's day.
    assert after_call("no_answer", MORNING_CALL, budget).earliest == shanghai(2026, 3, 17, 15, 0)
    asked_for = shanghai(2026, 4, 30, 19, 0)
    follow_up = after_call("callback", MORNING_CALL, budget, callback_at=asked_for)
    assert follow_up.window_ends_on is None


def test_the_next_step_does_not_read_the_clock():
    expected = after_call("no_answer", MORNING_CALL)
    for now in (datetime(2030, 1, 1, tzinfo=UTC), datetime(2026, 3, 10, 3, 0, tzinfo=UTC)):
        with time_machine.travel(now, tick=False):
            assert after_call("no_answer", MORNING_CALL) == expected


# --- Properties ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    rules: CallingRules
    called_at: datetime
    disposition: str
    budget: ContactBudget
    best_half: HalfDay | None
    loads: tuple[float, float] | None

    def follow_up(self) -> CallFollowUp:
        loads = self.loads
        return next_step_after_call(
            disposition=self.disposition,
            called_at=self.called_at,
            rules=self.rules,
            budget=self.budget,
            best_half=self.best_half,
            load=None if loads is None else (lambda slots: loads[: len(slots)]),
        )

    @property
    def day(self) -> date:
        return wall_clock(self.called_at, self.rules).date()


@st.composite
def calls(draw, dispositions=(*NOT_REACHED, "family"), spent=None):
    rules = draw(calling_rules())
    moment = draw(moments)
    # Most calls are made inside a window; some (booked callbacks) are not.
    called_at = next_callable_moment(moment, rules) if draw(st.booleans()) else moment
    size = draw(st.integers(1, 8))
    budget = ContactBudget(
        budget=size,
        spent=size - 1 if spent == "last" else draw(st.integers(0, size - 1)),
        window_ends_on=wall_clock(called_at, rules).date()
        + timedelta(days=draw(st.integers(-1, 10))),
        calls_today=draw(st.integers(0, 1)),
    )
    loads = draw(st.none() | st.tuples(st.floats(-1, 3), st.floats(-1, 3)))
    return Call(
        rules=rules,
        called_at=called_at,
        disposition=draw(st.sampled_from(dispositions)),
        budget=budget,
        best_half=draw(st.sampled_from([None, *HalfDay])),
        loads=loads,
    )


def window_of(moment: datetime, rules: CallingRules) -> tuple[datetime, datetime] | None:
    for start, end in windows_on(wall_clock(moment, rules).date(), rules):
        if in_utc(start) <= in_utc(moment) < in_utc(end):
            return start, end
    return None


def windows_left(call: Call) -> list[Slot]:
    """The windows a retry may take: after the call's own, at most two calls a day."""
    own = window_of(call.called_at, call.rules)
    left = slots_between(own[1] if own else call.called_at, call.budget.window_ends_on, call.rules)
    if call.budget.calls_today + 1 >= 2:
        left = [slot for slot in left if wall_clock(slot.start, call.rules).date() > call.day]
    return left


@PROPERTY_SETTINGS
@given(call=calls())
def test_a_retry_is_at_a_callable_moment_after_the_call_inside_the_follow_up_window(call):
    retry = call.follow_up()
    assume(retry.action is FollowUpAction.RETRY)
    assert in_utc(retry.earliest) > in_utc(call.called_at)
    assert is_callable(retry.earliest, call.rules)
    assert reads_inside_a_window(retry.earliest, call.rules)
    assert call.day <= wall_clock(retry.earliest, call.rules).date() <= call.budget.window_ends_on


@PROPERTY_SETTINGS
@given(call=calls())
def test_a_retry_is_never_in_the_window_of_the_call(call):
    retry = call.follow_up()
    own = window_of(call.called_at, call.rules)
    if retry.action is FollowUpAction.RETRY and own is not None:
        assert not in_utc(own[0]) <= in_utc(retry.earliest) < in_utc(own[1])


@PROPERTY_SETTINGS
@given(call=calls())
def test_a_retry_never_makes_a_third_call_in_a_day(call):
    retry = call.follow_up()
    if retry.action is FollowUpAction.RETRY and call.budget.calls_today >= 1:
        assert wall_clock(retry.earliest, call.rules).date() > call.day


@PROPERTY_SETTINGS
@given(call=calls())
def test_a_retry_is_no_later_than_half_way_into_its_window(call):
    retry = call.follow_up()
    assume(retry.action is FollowUpAction.RETRY)
    start, end = window_of(retry.earliest, call.rules)
    assert in_utc(retry.earliest) - in_utc(start) <= (end - start) * LATEST_SHARE_OF_WINDOW


@PROPERTY_SETTINGS
@given(call=calls())
def test_the_window_is_missed_only_when_no_window_is_left_in_it(call):
    follow_up = call.follow_up()
    assert follow_up.action in {
        FollowUpAction.RETRY,
        FollowUpAction.WINDOW_MISSED,
        FollowUpAction.UNREACHABLE,
    }
    if follow_up.action is not FollowUpAction.UNREACHABLE:
        assert (follow_up.action is FollowUpAction.WINDOW_MISSED) == (not windows_left(call))
    if follow_up.action is FollowUpAction.WINDOW_MISSED:
        assert follow_up == CallFollowUp(FollowUpAction.WINDOW_MISSED, None, "window_missed")


@PROPERTY_SETTINGS
@given(call=calls(spent="last"))
def test_only_a_last_call_nobody_answered_makes_the_patient_unreachable(call):
    follow_up = call.follow_up()
    if call.disposition == "family":
        assert follow_up.action is not FollowUpAction.UNREACHABLE
    else:
        assert follow_up == CallFollowUp(FollowUpAction.UNREACHABLE, None, "attempt_budget_spent")


@PROPERTY_SETTINGS
@given(call=calls())
def test_a_budget_with_calls_left_never_makes_the_patient_unreachable(call):
    if call.budget.spent < call.budget.budget - 1:
        assert call.follow_up().action is not FollowUpAction.UNREACHABLE
