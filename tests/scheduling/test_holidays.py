"""Which days are open: the official Chinese calendar, its fallback, and the admin's overrides.

The 2026 dates below were checked against chinesecalendar 1.11 (the State Council schedule).
"""

from datetime import date, datetime, time, timedelta
from itertools import count

import chinese_calendar
import holidays

from followups.scheduling import (
    CallingRules,
    DayStatus,
    HolidayRule,
    calendar_warnings,
    day_status,
    next_window_start,
    official_calendar_known,
    windows_on,
)
from tests.clock import SHANGHAI

SKIP_HOLIDAYS = CallingRules(holiday_rule=HolidayRule.SKIP_HOLIDAYS)
WORKING_DAYS = CallingRules(holiday_rule=HolidayRule.WORKING_DAYS)
MONDAY_TO_FRIDAY = frozenset(range(5))

# Spring Festival 2026: off Sunday 15 to Monday 23 February, made up on Saturdays 14 and 28.
SPRING_FESTIVAL_2026 = [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]
SPRING_FESTIVAL_MAKE_UP_DAYS = [date(2026, 2, 14), date(2026, 2, 28)]
# National Day 2026: off Thursday 1 to Wednesday 7 October, made up on Sunday 20 September
# and Saturday 10 October.
NATIONAL_DAY_2026 = [date(2026, 10, 1) + timedelta(days=n) for n in range(7)]
NATIONAL_DAY_MAKE_UP_DAYS = [date(2026, 9, 20), date(2026, 10, 10)]


def first_year_without_official_schedule() -> int:
    # Asked of chinese_calendar itself: with 1.11 this is 2027, and stays right after upgrades.
    for year in count(2027):
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return year
    raise AssertionError("unreachable")


UNKNOWN_YEAR = first_year_without_official_schedule()
# With chinesecalendar 1.11 this is Monday 8 February 2027, a Spring Festival day.
SPRING_FESTIVAL_UNOFFICIAL = min(
    day
    for day, name in holidays.China(years=UNKNOWN_YEAR).items()
    if "Spring Festival" in name and day.weekday() < 5
)


def first(weekday: int, year: int, month: int) -> date:
    return next(
        date(year, month, 1) + timedelta(days=n)
        for n in range(7)
        if (date(year, month, 1) + timedelta(days=n)).weekday() == weekday
    )


# March has no public holiday; with chinesecalendar 1.11 this is Tuesday 2 March 2027.
ORDINARY_TUESDAY_UNOFFICIAL = first(1, UNKNOWN_YEAR, 3)


def open_as(reason: str) -> DayStatus:
    return DayStatus(open=True, reason=reason, official=True)


def closed_as(reason: str) -> DayStatus:
    return DayStatus(open=False, reason=reason, official=True)


def test_the_spring_festival_dates_are_the_official_ones():
    assert [chinese_calendar.is_holiday(day) for day in SPRING_FESTIVAL_2026] == [True] * 9
    assert [chinese_calendar.is_workday(day) for day in SPRING_FESTIVAL_MAKE_UP_DAYS] == [
        True,
        True,
    ]
    assert [chinese_calendar.is_holiday(day) for day in NATIONAL_DAY_2026] == [True] * 7
    assert [chinese_calendar.is_workday(day) for day in NATIONAL_DAY_MAKE_UP_DAYS] == [True, True]


def test_skip_holidays_closes_every_spring_festival_day():
    assert [day_status(day, SKIP_HOLIDAYS) for day in SPRING_FESTIVAL_2026] == [
        closed_as("holiday")
    ] * 9


def test_skip_holidays_closes_every_national_day_holiday():
    assert [day_status(day, SKIP_HOLIDAYS) for day in NATIONAL_DAY_2026] == [
        closed_as("holiday")
    ] * 7


def test_skip_holidays_calls_on_either_side_of_the_holiday():
    for day in (date(2026, 2, 13), date(2026, 2, 24), date(2026, 10, 8)):
        assert day_status(day, SKIP_HOLIDAYS) == open_as("workday"), day


def test_skip_holidays_calls_an_ordinary_weekend_when_the_policy_does():
    saturday = date(2026, 3, 7)
    assert day_status(saturday, SKIP_HOLIDAYS) == open_as("workday")


def test_skip_holidays_keeps_to_the_weekdays_even_on_a_make_up_saturday():
    weekdays_only = CallingRules(weekdays=MONDAY_TO_FRIDAY)
    assert day_status(date(2026, 2, 14), weekdays_only) == closed_as("not_a_calling_weekday")
    assert day_status(date(2026, 2, 14), SKIP_HOLIDAYS) == open_as("make_up_workday")


def test_working_days_opens_the_make_up_days():
    assert [day_status(day, WORKING_DAYS) for day in SPRING_FESTIVAL_MAKE_UP_DAYS] == [
        open_as("make_up_workday")
    ] * 2
    assert [day_status(day, WORKING_DAYS) for day in NATIONAL_DAY_MAKE_UP_DAYS] == [
        open_as("make_up_workday")
    ] * 2


def test_working_days_closes_holidays_and_ordinary_weekends():
    for day, reason in [
        (date(2026, 2, 16), "holiday"),
        (date(2026, 10, 1), "holiday"),
        (date(2026, 3, 7), "weekend"),
        (date(2026, 10, 11), "weekend"),
    ]:
        assert day_status(day, WORKING_DAYS) == closed_as(reason), day


def test_working_days_ignores_the_weekdays_field():
    mondays_only = CallingRules(holiday_rule=HolidayRule.WORKING_DAYS, weekdays=frozenset({0}))
    assert day_status(date(2026, 3, 10), mondays_only) == open_as("workday")
    assert day_status(date(2026, 2, 28), mondays_only) == open_as("make_up_workday")


def test_working_days_calls_the_make_up_saturday_in_the_middle_of_the_holidays():
    after_friday_calls = datetime(2026, 2, 13, 18, 0, tzinfo=SHANGHAI)
    assert next_window_start(after_friday_calls, WORKING_DAYS) == datetime(
        2026, 2, 14, 10, 30, tzinfo=SHANGHAI
    )
    after_saturday_calls = datetime(2026, 2, 14, 18, 0, tzinfo=SHANGHAI)
    assert next_window_start(after_saturday_calls, WORKING_DAYS) == datetime(
        2026, 2, 24, 10, 30, tzinfo=SHANGHAI
    )


def test_call_on_holidays_calls_a_holiday_on_an_allowed_weekday():
    rules = CallingRules(holiday_rule=HolidayRule.CALL_ON_HOLIDAYS, weekdays=MONDAY_TO_FRIDAY)
    assert day_status(date(2026, 2, 16), rules) == open_as("workday")
    assert day_status(date(2026, 10, 1), rules) == open_as("workday")
    assert windows_on(date(2026, 10, 1), rules)[0][0] == datetime(
        2026, 10, 1, 10, 30, tzinfo=SHANGHAI
    )


def test_call_on_holidays_still_keeps_to_the_policy_weekdays():
    rules = CallingRules(holiday_rule=HolidayRule.CALL_ON_HOLIDAYS, weekdays=MONDAY_TO_FRIDAY)
    sunday_in_the_holidays = date(2026, 2, 15)
    make_up_saturday = date(2026, 2, 14)
    assert day_status(sunday_in_the_holidays, rules) == closed_as("not_a_calling_weekday")
    assert day_status(make_up_saturday, rules) == closed_as("not_a_calling_weekday")


# --- Years without the official schedule ----------------------------------------------------


def test_the_official_schedule_is_known_for_2026_but_not_for_the_next_unpublished_year():
    assert official_calendar_known(2026) is True
    assert official_calendar_known(UNKNOWN_YEAR) is False


def test_a_spring_festival_day_of_an_unpublished_year_is_closed_from_the_fallback():
    status = day_status(SPRING_FESTIVAL_UNOFFICIAL, SKIP_HOLIDAYS)
    assert status == DayStatus(open=False, reason="holiday", official=False)


def test_8_february_2027_is_closed_whether_or_not_its_schedule_is_published():
    assert "Spring Festival" in holidays.China(years=2027)[date(2027, 2, 8)]
    assert day_status(date(2027, 2, 8), SKIP_HOLIDAYS) == DayStatus(
        open=False, reason="holiday", official=UNKNOWN_YEAR != 2027
    )


def test_an_unpublished_year_knows_no_make_up_days():
    # Without the official schedule a Saturday stays a weekend for a working-days policy.
    assert day_status(first(5, UNKNOWN_YEAR, 3), WORKING_DAYS) == DayStatus(
        open=False, reason="weekend", official=False
    )
    assert day_status(SPRING_FESTIVAL_UNOFFICIAL, WORKING_DAYS) == DayStatus(
        open=False, reason="holiday", official=False
    )


def test_an_ordinary_weekday_of_an_unpublished_year_is_open():
    assert day_status(ORDINARY_TUESDAY_UNOFFICIAL, SKIP_HOLIDAYS) == DayStatus(
        open=True, reason="workday", official=False
    )


def test_far_years_fall_back_without_crashing():
    assert day_status(date(2100, 1, 1), SKIP_HOLIDAYS).official is False
    assert day_status(date(1990, 1, 1), SKIP_HOLIDAYS).official is False


def test_calendar_warnings_list_the_unpublished_years_once_and_in_order():
    days = [
        date(UNKNOWN_YEAR + 1, 3, 1),
        date(2026, 5, 1),
        SPRING_FESTIVAL_UNOFFICIAL,
        date(UNKNOWN_YEAR, 12, 31),
        date(2026, 12, 31),
    ]
    assert calendar_warnings(days) == [UNKNOWN_YEAR, UNKNOWN_YEAR + 1]
    assert calendar_warnings([date(2026, 1, 1), date(2026, 12, 31)]) == []
    assert calendar_warnings([]) == []


def test_calendar_warnings_read_any_iterable():
    assert calendar_warnings(day for day in [SPRING_FESTIVAL_UNOFFICIAL]) == [UNKNOWN_YEAR]


# --- The admin's overrides --------------------------------------------------------------------


def test_an_extra_closed_day_closes_an_official_working_day():
    ordinary_tuesday = date(2026, 3, 10)
    rules = CallingRules(closed_days=frozenset({ordinary_tuesday}))
    assert day_status(ordinary_tuesday, rules) == closed_as("closed_override")
    assert windows_on(ordinary_tuesday, rules) == []


def test_an_extra_working_day_opens_an_official_holiday():
    rules = CallingRules(extra_working_days=frozenset({date(2026, 10, 1)}))
    assert day_status(date(2026, 10, 1), rules) == open_as("extra_working_day")


def test_an_extra_working_day_opens_a_day_outside_the_policy_weekdays():
    sunday = date(2026, 3, 8)
    rules = CallingRules(
        holiday_rule=HolidayRule.WORKING_DAYS,
        weekdays=MONDAY_TO_FRIDAY,
        extra_working_days=frozenset({sunday}),
    )
    assert day_status(sunday, rules) == open_as("extra_working_day")
    assert windows_on(sunday, rules)[0] == (
        datetime(2026, 3, 8, 10, 30, tzinfo=SHANGHAI),
        datetime(2026, 3, 8, 11, 30, tzinfo=SHANGHAI),
    )


def test_closing_wins_when_a_day_is_both_closed_and_opened():
    tuesday = date(2026, 3, 10)
    rules = CallingRules(closed_days=frozenset({tuesday}), extra_working_days=frozenset({tuesday}))
    assert day_status(tuesday, rules) == closed_as("closed_override")


def test_overrides_win_in_an_unpublished_year_too():
    rules = CallingRules(
        closed_days=frozenset({ORDINARY_TUESDAY_UNOFFICIAL}),
        extra_working_days=frozenset({SPRING_FESTIVAL_UNOFFICIAL}),
    )
    assert day_status(ORDINARY_TUESDAY_UNOFFICIAL, rules) == DayStatus(
        open=False, reason="closed_override", official=False
    )
    assert day_status(SPRING_FESTIVAL_UNOFFICIAL, rules) == DayStatus(
        open=True, reason="extra_working_day", official=False
    )
    assert windows_on(SPRING_FESTIVAL_UNOFFICIAL, rules)[0][0].time() == time(10, 30)
