"""The call center's day: the one place that says which calendar day "today" is.

A list, a report period, an import's plausibility check and the admin's previews all mean the
center's day, in the center's zone (``TIME_ZONE``), not the zone a user's request activated.
"""

import datetime as dt

from django.utils import timezone


def center_day(moment: dt.datetime) -> dt.date:
    """The call center's calendar day at `moment`: the day whose list is worked."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def today() -> dt.date:
    """The call center's calendar day now."""
    return center_day(timezone.now())
