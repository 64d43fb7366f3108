"""The clock the tests share: the centre's zone and the Monday most scenarios happen on.

Monday 2026-11-23 is an ordinary working day in China (no holiday, no swapped weekend);
the default calling policy's windows that day are 10:30–11:30 and 15:00–17:30.
"""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    """That time of `day` (Monday unless said) on the centre's clock."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)
