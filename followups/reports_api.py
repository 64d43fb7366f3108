"""Read-side figures for the API's report summary: due, called and reached per day."""

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from followups.models import CallAttempt, FollowUpTask, TaskStatus
from followups.models.calls import REACHED_DISPOSITIONS


def daily_summary(*, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """One row per day from `date_from` to `date_to`, both included: tasks due that day
    (cancelled ones left out), distinct tasks called and reached that day in the center's
    timezone, and the reach rate reached / called (None on a day without calls)."""
    due = dict(
        FollowUpTask.objects.filter(due_date__range=(date_from, date_to))
        .exclude(status=TaskStatus.CANCELLED)
        .values_list("due_date")
        .annotate(n=Count("pk"))
    )
    calls = {
        row["day"]: row
        for row in CallAttempt.objects.filter(started_at__date__range=(date_from, date_to))
        .annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(
            called=Count("task", distinct=True),
            reached=Count("task", distinct=True, filter=Q(disposition__in=REACHED_DISPOSITIONS)),
        )
    }
    days = []
    for offset in range((date_to - date_from).days + 1):
        day = date_from + dt.timedelta(days=offset)
        called = calls.get(day, {}).get("called", 0)
        reached = calls.get(day, {}).get("reached", 0)
        days.append(
            {
                "day": day,
                "due": due.get(day, 0),
                "called": called,
                "reached": reached,
                "reach_rate": round(reached / called, 4) if called else None,
            }
        )
    return days
