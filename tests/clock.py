"""The clock the tests share: the centre's zone, the Monday most scenarios happen on, and
the moments on that clock (`at`, `on`, `shanghai`).

Monday 2026-11-23 is an ordinary working day in China (no holiday, no swapped weekend);
the default calling policy's windows that day are 10:30–11:30 and 15:00–17:30.
"""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)


def on(
    day: dt.date, hour: int, minute: int = 0, second: int = 0, zone: ZoneInfo = SHANGHAI
) -> dt.datetime:
    """That time of `day` on the centre's clock (or in `zone`)."""
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=zone)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    """That time of `day` (Monday unless said) on the centre's clock."""
    return on(day, hour, minute)


def shanghai(*args: int) -> dt.datetime:
    """`datetime(*args)` on the centre's clock: shanghai(2026, 3, 9, 10, 30)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)
