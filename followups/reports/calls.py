"""What the reports count as a call: one phone call to a person, however many of their
follow-ups it settled.

A call to a person records one attempt per follow-up it settles (services/outcomes.py); the
attempts after the first point at it (CallAttempt.same_call_as). Counts of calls, handle
time and calls per hour read the first attempt only, and a call counts under that attempt's
agent and case (with a department or case-kind filter: the case of the call's first
follow-up). Counts per follow-up (回访率, AAPOR, the funnel, satisfaction, script paths) read
every attempt.
"""

from django.db.models import Exists, OuterRef, Q

from followups.models import CallAttempt
from followups.models.calls import REACHED_DISPOSITIONS

# The call's first attempt: one per phone call.
ONE_PER_CALL = Q(same_call_as__isnull=True)


def reached_call() -> Q:
    """On a call's first attempt: the call reached the person (complete or partial) on any
    of the follow-ups it settled. The first is read before the others are looked up."""
    others = CallAttempt.objects.filter(
        same_call_as=OuterRef("pk"), disposition__in=REACHED_DISPOSITIONS
    )
    return Q(disposition__in=REACHED_DISPOSITIONS) | Q(Exists(others))
