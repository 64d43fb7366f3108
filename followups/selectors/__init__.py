"""Read-side queries for the role home pages; the reports live in followups/reports/.

Here too: selectors/person_calls.py (which follow-ups are due for a call to a person) and
selectors/policies.py (the calling rules of the admin's policies), which services read.
Reads never import services (tests/project/test_layers.py).
"""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from followups.models import (
    AuditAction,
    AuditEvent,
    CallAttempt,
    CallingPolicy,
    Case,
    CaseStatus,
    Escalation,
    EscalationSeverity,
    EscalationStatus,
    FollowUpPlan,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskStatus,
)
from followups.models.calls import Disposition
from followups.reports.calls import ONE_PER_CALL, reached_call
from followups.scheduling import calendar_warnings


def open_tasks_due_by(day: dt.date) -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.filter(
        status=TaskStatus.PENDING, due_date__lte=day, case__status=CaseStatus.OPEN
    )


def tasks_needing_a_number() -> QuerySet[FollowUpTask]:
    """Open or held tasks whose customer has no number to call, or a wrong one: what
    someone must fix before the person can be reached."""
    return (
        FollowUpTask.objects.filter(
            needs_number_fix=True, status__in=[TaskStatus.PENDING, TaskStatus.SUSPENDED]
        )
        .select_related("case__customer", "case__patient__department")
        .order_by("due_date", "pk")
    )


DEATHS_SHOWN_FOR = dt.timedelta(days=30)


def agent_day(*, agent, day: dt.date) -> dict:
    """What an agent sees on arrival: how their list of the day stands, and what is due
    (the list itself, searched, sorted and paged, is selectors/agent_list.py's).

    `counts`: `waiting` the people still to call today (a retry or a callback later today
    puts a person back among them); `done` those with no more call today — called
    (reached, ended, or their next try or callback on another day) or taken off the list
    (case closed, window missed, not to be called); the call the agent holds is in
    neither. `calls_today`: the agent's calls of the day, to anyone, one a call.
    `due_in_pool`: the center's open follow-ups due by the day (not people)."""
    entries = QueueEntry.objects.filter(call_list__day=day, assigned_agent=agent)
    counts = entries.aggregate(
        waiting=Count("pk", filter=Q(status=QueueEntryStatus.WAITING)),
        done=Count("pk", filter=Q(status__in=[QueueEntryStatus.DONE, QueueEntryStatus.CANCELLED])),
        total=Count("pk"),
    )
    return {
        "counts": counts,
        "due_in_pool": open_tasks_due_by(day).count(),
        # Calls, not follow-ups settled: one call to a person counts once.
        "calls_today": CallAttempt.objects.filter(
            agent=agent, started_at__date=day, same_call_as__isnull=True
        ).count(),
    }


def supervisor_overview(*, day: dt.date, now: dt.datetime) -> dict:
    """Today at a glance: what is due, the calls so far, the escalations waiting (with the
    most pressing ten) and the latest outcomes. A fixed number of queries."""
    zone = timezone.get_current_timezone()
    midnight = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    # Calls, not follow-ups settled: one call to a person counts once (reports/calls.py).
    attempts_today = CallAttempt.objects.filter(
        ONE_PER_CALL, started_at__gte=midnight, started_at__lt=midnight + dt.timedelta(days=1)
    )
    figures = attempts_today.aggregate(
        calls=Count("pk"),
        reached=Count("pk", filter=reached_call((midnight, midnight + dt.timedelta(days=1)))),
    )
    unresolved = [EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED]
    escalations = Escalation.objects.aggregate(
        open=Count("pk", filter=Q(status__in=unresolved)),
        overdue=Count("pk", filter=Q(status__in=unresolved, due_at__lt=now)),
        urgent=Count(
            "pk", filter=Q(status=EscalationStatus.OPEN, severity=EscalationSeverity.URGENT)
        ),
    )
    # Due by today and, of those, due before today: one pass over the open tasks, read
    # from the index task_open_due_idx (counted by case, which it holds).
    open_tasks = open_tasks_due_by(day).aggregate(
        due=Count("case"), overdue=Count("case", filter=Q(due_date__lt=day))
    )
    return {
        "due": open_tasks["due"],
        "overdue": open_tasks["overdue"],
        "calls": figures["calls"],
        "reached": figures["reached"],
        "open_escalations": escalations["open"],
        "overdue_escalations": escalations["overdue"],
        "urgent_escalations": escalations["urgent"],
        "waiting_escalations": Escalation.objects.filter(status__in=unresolved)
        .select_related("department", "owner")
        .order_by("due_at", "pk")[:10],
        "open_cases": Case.objects.filter(status=CaseStatus.OPEN).count(),
        # Calls, not follow-ups: one call to a person settling two follow-ups shows once.
        "recent_attempts": CallAttempt.objects.filter(same_call_as__isnull=True)
        .select_related("agent", "task__case")
        .order_by("-started_at")[:20],
        # Every call to these people has stopped (services/people.py): the supervisor
        # sees it, e.g. to tell the department.
        "deaths_reported": CallAttempt.objects.filter(
            disposition=Disposition.DECEASED,
            started_at__gte=now - DEATHS_SHOWN_FOR,
            same_call_as__isnull=True,
        )
        .select_related("agent", "task__case__customer")
        .order_by("-started_at")[:10],
    }


def escalation_history(*, escalation: Escalation) -> QuerySet[AuditEvent]:
    """The audited steps of one escalation, oldest first, with who took them."""
    return (
        AuditEvent.objects.filter(
            action=AuditAction.ESCALATION,
            target_type=Escalation._meta.label_lower,
            target_id=str(escalation.pk),
        )
        .select_related("actor")
        .order_by("at", "pk")
    )


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
