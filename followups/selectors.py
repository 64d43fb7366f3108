"""Read-side queries for the role home pages (reports get their own modules later)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from followups.models import (
    CallAttempt,
    CallingPolicy,
    Case,
    CaseStatus,
    Escalation,
    EscalationStatus,
    FollowUpPlan,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskStatus,
)
from followups.models.calls import REACHED_DISPOSITIONS
from followups.scheduling import calendar_warnings


def open_tasks_due_by(day: dt.date) -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.filter(
        status=TaskStatus.PENDING, due_date__lte=day, case__status=CaseStatus.OPEN
    )


def agent_day(*, agent, day: dt.date) -> dict:
    """What an agent sees on arrival: their entries on today's list, and what is due."""
    entries = (
        QueueEntry.objects.filter(call_list__day=day, assigned_agent=agent)
        .select_related("task__case__customer", "task__case__patient__department")
        .order_by("priority", "pk")
    )
    counts = entries.aggregate(
        waiting=Count("pk", filter=Q(status=QueueEntryStatus.WAITING)),
        done=Count("pk", filter=Q(status=QueueEntryStatus.DONE)),
        total=Count("pk"),
    )
    return {
        "entries": entries[:50],
        "counts": counts,
        "due_in_pool": open_tasks_due_by(day).count(),
        "calls_today": CallAttempt.objects.filter(agent=agent, started_at__date=day).count(),
    }


def supervisor_overview(*, day: dt.date) -> dict:
    attempts_today = CallAttempt.objects.filter(started_at__date=day)
    figures = attempts_today.aggregate(
        calls=Count("pk"),
        reached=Count("pk", filter=Q(disposition__in=REACHED_DISPOSITIONS)),
    )
    return {
        "due": open_tasks_due_by(day).count(),
        "overdue": open_tasks_due_by(day - dt.timedelta(days=1)).count(),
        "calls": figures["calls"],
        "reached": figures["reached"],
        "open_escalations": Escalation.objects.filter(
            status__in=[EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED]
        ).count(),
        "open_cases": Case.objects.filter(status=CaseStatus.OPEN).count(),
        "recent_attempts": CallAttempt.objects.select_related("agent", "task__case").order_by(
            "-started_at"
        )[:20],
    }


def configuration_overview(*, today: dt.date) -> dict:
    # Lists are built up to a few weeks ahead: warn as soon as those weeks reach a year
    # whose official holiday schedule (with its make-up working days) is not loaded.
    horizon = [today + dt.timedelta(days=n) for n in range(0, 61, 5)]
    return {
        "calendar_warnings": calendar_warnings(horizon),
        "plans": FollowUpPlan.objects.select_related("calling_policy").prefetch_related(
            "steps__script"
        ),
        "policies": CallingPolicy.objects.prefetch_related("windows", "holiday_overrides"),
    }
