"""What happens after a call: done, retry, callback, suspend, close, or give up."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from followups.scheduling import (
    CallFollowUp,
    CallingRules,
    FollowUpAction,
    Window,
    is_callable,
    next_callable_moment,
    next_step_after_call,
    windows_on,
)

from .strategies import (
    PROPERTY_SETTINGS,
    calling_rules,
    in_utc,
    moments,
    reads_inside_a_window,
    wall_clock,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENTRE = CallingRules()


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def after_call(disposition: str, called_at: datetime, **overrides) -> CallFollowUp:
    arguments = {"rules": CENTRE, "attempts_made": 1, "max_attempts": 3} | overrides
    return next_step_after_call(disposition=disposition, called_at=called_at, **arguments)


# A Tuesday call at 10:45, in the morning window (10:30 to 11:30).
MORNING_CALL = shanghai(2026, 3, 10, 10, 45)


# The same Tuesday at 15:00 (the afternoon window) and Wednesday at 10:30.
THIS_AFTERNOON = shanghai(2026, 3, 10, 15, 0)
TOMORROW_MORNING = shanghai(2026, 3, 11, 10, 30)


@pytest.mark.parametrize(
    ("disposition", "action", "earliest", "reason"),
    [
        ("complete", FollowUpAction.DONE, None, "complete"),
        ("partial", FollowUpAction.DONE, None, "partial"),
        ("no_answer", FollowUpAction.RETRY, THIS_AFTERNOON, "no_answer"),
        ("busy", FollowUpAction.RETRY, THIS_AFTERNOON, "busy"),
        ("phone_off", FollowUpAction.RETRY, THIS_AFTERNOON, "phone_off"),
        ("family", FollowUpAction.RETRY, TOMORROW_MORNING, "family"),
        ("wrong_number", FollowUpAction.SUSPEND, None, "wrong_number"),
        ("refused", FollowUpAction.CLOSE_CASE, None, "refused"),
        ("deceased", FollowUpAction.CLOSE_CASE, None, "deceased"),
    ],
)
def test_each_disposition_leads_to_its_next_step(disposition, action, earliest, reason):
    assert after_call(disposition, MORNING_CALL) == CallFollowUp(action, earliest, reason)


def test_a_callback_is_booked_when_the_patient_asked():
    asked_for = shanghai(2026, 3, 12, 19, 0)
    assert after_call("callback", MORNING_CALL, callback_at=asked_for) == CallFollowUp(
        FollowUpAction.CALLBACK, shanghai(2026, 3, 12, 19, 0), "callback"
    )


def test_a_callback_in_quiet_hours_moves_to_the_next_morning():
    asked_for = shanghai(2026, 3, 12, 22, 0)
    assert after_call("callback", MORNING_CALL, callback_at=asked_for) == CallFollowUp(
        FollowUpAction.CALLBACK, shanghai(2026, 3, 13, 8, 0), "callback_moved_quiet_hours"
    )


def test_a_callback_on_a_holiday_moves_to_the_first_day_back():
    asked_for = shanghai(2026, 10, 2, 10, 0)
    assert after_call("callback", MORNING_CALL, callback_at=asked_for) == CallFollowUp(
        FollowUpAction.CALLBACK, shanghai(2026, 10, 8, 8, 0), "callback_moved_closed_day"
    )


def test_a_callback_needs_the_time_the_patient_asked_for():
    with pytest.raises(ValueError, match="callback"):
        after_call("callback", MORNING_CALL)


def test_a_callback_cannot_be_booked_before_the_call():
    with pytest.raises(ValueError, match="before the call"):
        after_call("callback", MORNING_CALL, callback_at=shanghai(2026, 3, 10, 9, 0))


def test_an_unknown_disposition_is_refused():
    with pytest.raises(ValueError, match="unknown disposition"):
        after_call("hung_up_politely", MORNING_CALL)


def test_a_naive_call_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        after_call("no_answer", datetime(2026, 3, 10, 10, 45))


def test_no_answer_in_the_afternoon_retries_the_next_morning():
    assert after_call("no_answer", shanghai(2026, 3, 10, 15, 20)).earliest == shanghai(
        2026, 3, 11, 10, 30
    )


def test_no_answer_before_a_holiday_retries_the_first_morning_back():
    assert after_call("no_answer", shanghai(2026, 9, 30, 15, 20)).earliest == shanghai(
        2026, 10, 8, 10, 30
    )


def test_no_answer_with_only_afternoon_windows_retries_the_next_afternoon():
    afternoons = CallingRules(windows=(Window(time(15, 0), time(17, 30)),))
    retry = after_call("no_answer", shanghai(2026, 3, 10, 15, 20), rules=afternoons)
    assert retry.earliest == shanghai(2026, 3, 11, 15, 0)


def test_no_answer_skips_a_second_morning_window_for_the_afternoon():
    two_mornings = CallingRules(
        windows=(
            Window(time(9, 0), time(10, 0)),
            Window(time(10, 30), time(11, 30)),
            Window(time(15, 0), time(17, 0)),
        )
    )
    retry = after_call("no_answer", shanghai(2026, 3, 10, 9, 15), rules=two_mornings)
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
    # 14 February 2026 is a make-up working day; the default policy calls every weekday.
    assert after_call("family", shanghai(2026, 2, 13, 15, 20)).earliest == shanghai(
        2026, 2, 14, 10, 30
    )


def test_a_retry_follows_the_patients_clock():
    abroad = CENTRE.for_timezone("America/Los_Angeles")
    # 17:45 UTC is 10:45 in Los Angeles (Daylight Time); 15:00 there is 22:00 UTC.
    retry = after_call("no_answer", datetime(2026, 3, 10, 17, 45, tzinfo=UTC), rules=abroad)
    assert in_utc(retry.earliest) == datetime(2026, 3, 10, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("disposition", ["no_answer", "busy", "phone_off", "family"])
def test_the_last_attempt_without_reaching_the_patient_makes_them_unreachable(disposition):
    assert after_call(disposition, MORNING_CALL, attempts_made=3) == CallFollowUp(
        FollowUpAction.UNREACHABLE, None, "max_attempts"
    )


def test_attempts_left_still_retry():
    assert after_call("no_answer", MORNING_CALL, attempts_made=2).action is FollowUpAction.RETRY


@pytest.mark.parametrize(
    ("disposition", "action"),
    [
        ("complete", FollowUpAction.DONE),
        ("wrong_number", FollowUpAction.SUSPEND),
        ("refused", FollowUpAction.CLOSE_CASE),
        ("deceased", FollowUpAction.CLOSE_CASE),
    ],
)
def test_running_out_of_attempts_only_changes_retries(disposition, action):
    assert after_call(disposition, MORNING_CALL, attempts_made=3).action is action


def test_a_booked_callback_is_kept_on_the_last_attempt():
    asked_for = shanghai(2026, 3, 12, 19, 0)
    follow_up = after_call("callback", MORNING_CALL, attempts_made=3, callback_at=asked_for)
    assert follow_up.action is FollowUpAction.CALLBACK


def test_the_next_step_does_not_read_the_clock():
    expected = after_call("no_answer", MORNING_CALL)
    for now in (datetime(2030, 1, 1, tzinfo=UTC), datetime(2026, 3, 10, 3, 0, tzinfo=UTC)):
        with time_machine.travel(now, tick=False):
            assert after_call("no_answer", MORNING_CALL) == expected


# --- Properties ---------------------------------------------------------------------------


@st.composite
def unanswered_calls(draw):
    rules = draw(calling_rules())
    moment = draw(moments)
    # Most calls are made inside a window; some (booked callbacks) are not.
    called_at = next_callable_moment(moment, rules) if draw(st.booleans()) else moment
    return rules, called_at, draw(st.sampled_from(["no_answer", "busy", "phone_off"]))


@PROPERTY_SETTINGS
@given(call=unanswered_calls())
def test_a_retry_is_always_at_a_callable_moment_after_the_call(call):
    rules, called_at, disposition = call
    retry = next_step_after_call(
        disposition=disposition, called_at=called_at, rules=rules, attempts_made=1, max_attempts=2
    )
    assert retry.action is FollowUpAction.RETRY
    assert in_utc(retry.earliest) > in_utc(called_at)
    assert is_callable(retry.earliest, rules)
    assert reads_inside_a_window(retry.earliest, rules)


@PROPERTY_SETTINGS
@given(call=unanswered_calls())
def test_a_retry_after_no_answer_is_never_in_the_window_of_the_call(call):
    rules, called_at, disposition = call
    retry = next_step_after_call(
        disposition=disposition, called_at=called_at, rules=rules, attempts_made=1, max_attempts=2
    )
    for start, end in windows_on(wall_clock(called_at, rules).date(), rules):
        if in_utc(start) <= in_utc(called_at) < in_utc(end):
            assert not in_utc(start) <= in_utc(retry.earliest) < in_utc(end)


@PROPERTY_SETTINGS
@given(rules=calling_rules(), called_at=moments)
def test_a_family_retry_is_at_a_window_start_on_a_later_day(rules, called_at):
    retry = next_step_after_call(
        disposition="family", called_at=called_at, rules=rules, attempts_made=1, max_attempts=2
    )
    assert wall_clock(retry.earliest, rules).date() > wall_clock(called_at, rules).date()
    assert is_callable(retry.earliest, rules)
    assert reads_inside_a_window(retry.earliest, rules)
