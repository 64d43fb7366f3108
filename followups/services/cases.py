"""Opening cases and keeping their follow-up tasks in step with their plan."""

import datetime as dt

from django.db import transaction

from followups.models import Case, CaseStatus, FollowUpTask, TaskStatus
from followups.scheduling import due_dates


@transaction.atomic
def open_case(**fields) -> Case:
    """Create a case and the tasks its plan yields."""
    case = Case(**fields)
    case.full_clean()
    case.save()
    sync_case_tasks(case=case)
    return case


@transaction.atomic
def sync_case_tasks(*, case: Case) -> int:
    """Bring the case's untouched tasks in line with its plan and anchor date.

    Tasks already attempted or finished are history and never move; untouched pending
    tasks follow a new anchor date, and those of steps the plan no longer has are
    cancelled. Safe to run any number of times: the (case, step) constraint keeps one
    task per step. Returns the number of tasks created.
    """
    if case.status != CaseStatus.OPEN:
        return 0
    steps = list(case.plan.steps.all()) if case.plan_id else []
    untouched = FollowUpTask.objects.filter(case=case, status=TaskStatus.PENDING, attempts=0)
    untouched.filter(step__isnull=False).exclude(step__in=steps).update(
        status=TaskStatus.CANCELLED, status_reason="plan changed"
    )
    existing = {
        task.step_id: task for task in FollowUpTask.objects.filter(case=case, step__in=steps)
    }
    dues = due_dates(case.anchor_date, [step.offset_days for step in steps])
    to_create = []
    for step, due in zip(steps, dues, strict=True):
        deadline = (
            case.anchor_date + dt.timedelta(days=step.deadline_days)
            if step.deadline_days is not None
            else None
        )
        task = existing.get(step.pk)
        if task is None:
            to_create.append(
                FollowUpTask(
                    case=case,
                    step=step,
                    due_date=due,
                    deadline=deadline,
                    max_attempts=step.max_attempts,
                    agent=case.agent,
                )
            )
        elif (
            task.status == TaskStatus.PENDING
            and task.attempts == 0
            and ((task.due_date, task.deadline) != (due, deadline))
        ):
            task.due_date, task.deadline = due, deadline
            task.save(update_fields=["due_date", "deadline", "updated_at"])
    FollowUpTask.objects.bulk_create(to_create, ignore_conflicts=True)
    return len(to_create)
