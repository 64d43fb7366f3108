"""The escalation list: what is waiting, what is overdue, the urgent ones nobody has
acknowledged yet (the in-app alert), as a table for export too."""

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from followups.models import (
    AuditEvent,
    CallAttempt,
    Escalation,
    EscalationSeverity,
    EscalationStatus,
    FollowUpTask,
)

from .tables import Column, Kind, Table, local_minute, user_name

# Still to be dealt with; the workflow's steps (services/escalation_workflow.py) use it too.
UNRESOLVED = [EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED]

# An open escalation waits for someone to take it on: 待受理, not the 未关闭 other "Open"
# statuses (a case's) read.
STATUS_CHOICES = [
    (value, pgettext_lazy("escalation status", "Open") if value == EscalationStatus.OPEN else label)
    for value, label in EscalationStatus.choices
]


def status_label(status: str) -> str:
    """An escalation status as the workflow's pages, filters and exports name it."""
    return str(dict(STATUS_CHOICES).get(status, status))


def overdue(*, now: dt.datetime) -> QuerySet[Escalation]:
    """Unresolved escalations past their due time (the partial index covers this)."""
    return Escalation.objects.filter(status__in=UNRESOLVED, due_at__lt=now)


def unacknowledged_urgent() -> QuerySet[Escalation]:
    """What the in-app alert shows every supervisor until someone acknowledges it."""
    return Escalation.objects.filter(
        severity=EscalationSeverity.URGENT, status=EscalationStatus.OPEN
    )


def escalation_list(*, now: dt.datetime) -> QuerySet[Escalation]:
    """Unresolved first, then by due time; each row knows whether it is overdue."""
    return (
        Escalation.objects.select_related("department", "owner", "case__customer", "attempt__agent")
        .annotate(
            is_overdue=Case(
                When(status__in=UNRESOLVED, due_at__lt=now, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            is_unresolved=Case(
                When(status__in=UNRESOLVED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-is_unresolved", "due_at", "pk")
    )


def escalation_counts(
    *, now: dt.datetime, among: QuerySet[Escalation] | None = None
) -> dict[str, int]:
    """Unresolved, overdue, and urgent ones nobody has acknowledged yet (of `among`, e.g. a
    department head's, else all): one query."""
    among = Escalation.objects.all() if among is None else among.order_by()
    return among.aggregate(
        unresolved=Count("pk", filter=Q(status__in=UNRESOLVED)),
        overdue=Count("pk", filter=Q(status__in=UNRESOLVED, due_at__lt=now)),
        urgent_open=Count(
            "pk", filter=Q(status=EscalationStatus.OPEN, severity=EscalationSeverity.URGENT)
        ),
    )


def escalation_table(escalations: QuerySet[Escalation]) -> Table:
    rows = [
        [
            escalation.pk,
            escalation.get_category_display(),
            escalation.get_severity_display(),
            status_label(escalation.status),
            escalation.department.name if escalation.department else "",
            user_name(escalation.owner),
            local_minute(escalation.created_at),
            local_minute(escalation.due_at),
            _("Yes") if escalation.is_overdue else "",
            escalation.description,
            escalation.resolution,
        ]
        for escalation in escalations.iterator(chunk_size=2000)
    ]
    return Table(
        "escalations",
        _("Escalations"),
        [
            Column("id", pgettext("an escalation's number", "Number")),
            Column("category", _("Category"), Kind.TEXT),
            Column("severity", _("Severity"), Kind.TEXT),
            Column("status", _("Status"), Kind.TEXT),
            Column("department", _("Department"), Kind.TEXT),
            Column("owner", _("Owner"), Kind.TEXT),
            Column("raised", _("Raised at"), Kind.TEXT),
            Column("due", _("Due at"), Kind.TEXT),
            Column("overdue", _("Overdue"), Kind.TEXT),
            Column("description", _("Description"), Kind.TEXT),
            Column("resolution", _("Resolution"), Kind.TEXT),
        ],
        rows,
    )


def verification_call(history: list[AuditEvent]) -> FollowUpTask | None:
    """The call to the customer the resolution planned to verify the escalation (the
    audited step "resolved" names its task), with its case and its latest call
    (`last_call`, None before the first), or None when no call was planned."""
    planned = [
        str(event.detail.get("verification_task"))
        for event in history
        if isinstance(event.detail, dict) and event.detail.get("step") == "resolved"
    ]
    planned = [pk for pk in planned if pk.isdigit()]
    if not planned:
        return None
    task = FollowUpTask.objects.select_related("case").filter(pk=planned[-1]).first()
    if task is not None:
        task.last_call = (
            CallAttempt.objects.filter(task=task).order_by("-started_at", "-pk").first()
        )
    return task
