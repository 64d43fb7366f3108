"""A supervisor's verbs on calls: review one for quality, move waiting calls between agents,
send a case back for another call. Each is audited."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from followups.models import (
    AuditAction,
    CallAttempt,
    CallReview,
    Case,
    CaseStatus,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskStatus,
)
from followups.roles import WORK_QUEUE, Role
from followups.services.audit import record
from followups.services.cases import new_call_task


@transaction.atomic
def review_call(*, attempt: CallAttempt, reviewer, score: int, comment: str = "") -> CallReview:
    """Mark a call for quality review with a score from 0 to 100 and a comment."""
    if not 0 <= score <= 100:
        raise ValidationError({"score": _("The score is from 0 to 100.")})
    review = CallReview.objects.create(
        attempt=attempt, reviewer=reviewer, score=score, comment=comment.strip()
    )
    record(actor=reviewer, action=AuditAction.REVIEW_CALL, target=attempt, score=score)
    return review


@transaction.atomic
def reassign_entries(*, day: dt.date, entry_ids: list[int], to_agent, by) -> int:
    """Give the chosen waiting entries of the day's list to another agent. Entries already
    claimed or done stay where they are. Returns how many moved."""
    if not to_agent.is_active or not to_agent.has_perm(WORK_QUEUE):
        raise ValidationError({"to_agent": _("This user does not work the call queue.")})
    moving = list(
        QueueEntry.objects.select_for_update()
        .filter(
            pk__in=entry_ids,
            call_list__day=day,
            status=QueueEntryStatus.WAITING,
        )
        .exclude(assigned_agent=to_agent)
        .values_list("pk", flat=True)
    )
    QueueEntry.objects.filter(pk__in=moving).update(assigned_agent=to_agent)
    record(
        actor=by,
        action=AuditAction.REASSIGN,
        target=to_agent,
        day=day.isoformat(),
        entries=sorted(moving),
        count=len(moving),
    )
    return len(moving)


def users_holding(permission: str) -> QuerySet:
    """Active users granted ``permission`` through a group, directly or as superusers; one
    query, for the choices of a form."""
    app_label, codename = permission.split(".")
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__in=granted)
            | Q(user_permissions__in=granted)
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )


def queue_agents() -> QuerySet:
    """The active users of the agent role: the ones the daily lists are shared among
    (call_lists.agents_on_duty), so the ones a supervisor gives calls to or picks as the
    agent of a call. An admin holds the queue's right too, but takes no share of it."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.AGENT)
        .order_by("first_name", "username")
    )


@transaction.atomic
def send_case_back(*, case: Case, by, due_date: dt.date, today: dt.date) -> FollowUpTask:
    """Reopen a case for another call, due today or tomorrow."""
    if not today <= due_date <= today + dt.timedelta(days=1):
        raise ValidationError({"due_date": _("Send the case back for today or tomorrow.")})
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("plan__calling_policy", "customer")
        .get(pk=case.pk)
    )
    waiting = FollowUpTask.objects.filter(
        case=case, status=TaskStatus.PENDING, due_date__lte=due_date
    )
    if waiting.exists():
        raise ValidationError(_("This case already has a call waiting by that day."))
    was_closed = case.status != CaseStatus.OPEN
    task = new_call_task(case=case, due_date=due_date, reason="sent back by a supervisor")
    record(
        actor=by,
        action=AuditAction.REOPEN_CASE,
        target=case,
        task=task.pk,
        due_date=due_date.isoformat(),
        reopened=was_closed,
    )
    return task
