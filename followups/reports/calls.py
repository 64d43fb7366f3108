"""What the reports count as a call: one phone call to a person, however many of their
follow-ups it settled.

A call to a person records one attempt per follow-up it settles (services/outcomes.py); the
attempts after the first point at it (CallAttempt.same_call_as). Counts of calls, handle
time and calls per hour read the first attempt only, and a call counts under that attempt's
agent and case (with a department or case-kind filter: the case of the call's first
follow-up). Counts per follow-up (回访率, AAPOR, the funnel, satisfaction, script paths) read
every attempt.
"""

import datetime as dt

from django.db.models import Q

from followups.models import CallAttempt
from followups.models.calls import REACHED_DISPOSITIONS

# The call's first attempt: one per phone call.
ONE_PER_CALL = Q(same_call_as__isnull=True)


def reached_call(period: tuple[dt.datetime, dt.datetime] | None = None) -> Q:
    """On a call's first attempt: the call reached the person (complete or partial) on any
    of the follow-ups it settled. The first is read before the others are looked up, and
    those are looked up once for all calls (an uncorrelated IN, which PostgreSQL hashes)
    rather than once a call: a year of calls at 1M, 3.5 s → a scan. The others of a call
    start when it starts: with ``period`` ([from, until) of the calls counted) only those
    of the period are looked up, so the hashed set stays the period's."""
    others = CallAttempt.objects.filter(
        same_call_as__isnull=False, disposition__in=REACHED_DISPOSITIONS
    )
    if period is not None:
        others = others.filter(started_at__gte=period[0], started_at__lt=period[1])
    others = others.values("same_call_as_id")
    return Q(disposition__in=REACHED_DISPOSITIONS) | Q(pk__in=others)
