"""Whether a calling window an admin types fits the hours calls are allowed: a window that
fits is called in full; one that does not is refused before it can vanish from the days."""

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups.scheduling import CallingRules, Window, WindowFit, window_fit, windows_on

from .strategies import LAST_MINUTE, PROPERTY_SETTINGS, clock

EIGHT, NINE_PM = time(8, 0), time(21, 0)
TUESDAY = date(2026, 3, 10)


def fit(start: time, end: time) -> WindowFit:
    return window_fit(start, end, quiet_before=EIGHT, quiet_after=NINE_PM)


@pytest.mark.parametrize(
    ("start", "end", "verdict"),
    [
        # Inside the calling day: fits.
        (time(8, 0), time(21, 0), WindowFit.FITS),
        (time(10, 30), time(11, 30), WindowFit.FITS),
        # Overnight: crosses midnight into the quiet hours.
        (time(22, 0), time(1, 0), WindowFit.CROSSES_MIDNIGHT),
        (time(20, 0), time(0, 0), WindowFit.CROSSES_MIDNIGHT),
        # Wholly in the quiet hours: never called.
        (time(6, 0), time(7, 30), WindowFit.IN_QUIET_HOURS),
        (time(6, 0), time(8, 0), WindowFit.IN_QUIET_HOURS),
        (time(21, 0), time(22, 0), WindowFit.IN_QUIET_HOURS),
        # Partly in the quiet hours: refused.
        (time(7, 0), time(9, 0), WindowFit.REACHES_INTO_QUIET_HOURS),
        (time(20, 0), time(21, 30), WindowFit.REACHES_INTO_QUIET_HOURS),
        # No time at all: empty.
        (time(9, 0), time(9, 0), WindowFit.EMPTY),
    ],
)
def test_a_typed_window_fits_or_says_why_not(start, end, verdict):
    assert fit(start, end) is verdict


minutes = st.integers(0, LAST_MINUTE)


def _callable_minutes(start: int, end: int, quiet_before: int, quiet_after: int) -> int:
    rules = CallingRules(
        windows=(Window(clock(start), clock(end)),),
        quiet_before=clock(quiet_before),
        quiet_after=clock(quiet_after),
    )
    stretches = windows_on(TUESDAY, rules)
    return sum((end - start) // timedelta(minutes=1) for start, end in stretches)


@PROPERTY_SETTINGS
@given(minutes, minutes, st.integers(0, 11 * 60), st.integers(13 * 60, LAST_MINUTE))
def test_a_window_that_fits_is_called_in_full_and_one_refused_loses_time(
    start, end, quiet_before, quiet_after
):
    verdict = window_fit(
        clock(start), clock(end), quiet_before=clock(quiet_before), quiet_after=clock(quiet_after)
    )
    if start >= end:
        assert verdict in (WindowFit.EMPTY, WindowFit.CROSSES_MIDNIGHT)
        return
    called = _callable_minutes(start, end, quiet_before, quiet_after)
    if verdict is WindowFit.FITS:
        assert called == end - start
    elif verdict is WindowFit.IN_QUIET_HOURS:
        assert called == 0
    else:
        assert verdict is WindowFit.REACHES_INTO_QUIET_HOURS
        assert 0 < called < end - start


def test_a_fitting_window_shows_on_the_day_as_typed():
    rules = CallingRules(windows=(Window(time(19, 0), time(21, 0)),))
    assert [(s.time(), e.time()) for s, e in windows_on(TUESDAY, rules)] == [
        (time(19, 0), time(21, 0))
    ]
