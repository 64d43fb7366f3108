"""Opening cases and keeping their follow-up tasks in step with their plan."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from followups.models import Case, CaseStatus, FollowUpPlan, FollowUpTask, PlanStep, TaskStatus
from followups.scheduling import (
    FIRST_PLAUSIBLE_DAY,
    CallingRules,
    HalfDay,
    IntentCadence,
    due_dates,
    first_call_moment,
    follow_up_window_end,
    next_intent_call_date,
    plausible_day,
)
from followups.services.contact import best_time_for
from followups.services.policies import rules_for_case


def earliest_call(day: dt.date, rules: CallingRules, half: HalfDay | None = None) -> dt.datetime:
    """The first moment a task due on `day` may be called: that day's first window (of the
    person's best half of the day, when known), or the next open day's when `day` is
    closed."""
    return first_call_moment(day, rules, half)


def first_call_half(case: Case, rules: CallingRules) -> HalfDay | None:
    """The half of the day a new task of the case is first called in: what the person's own
    calls or stated preference say (people like them are weighed only for retries)."""
    best = best_time_for(case.customer, rules)
    return best.half if best.from_the_person else None


def _check_anchor(day) -> None:
    if isinstance(day, dt.date) and not plausible_day(day, today=timezone.localdate()):
        raise ValidationError(
            {
                "anchor_date": gettext("Give a date from %(first)s to a year from today.")
                % {"first": FIRST_PLAUSIBLE_DAY.isoformat()}
            }
        )


@transaction.atomic
def open_case(**fields) -> Case:
    """Create a case and the tasks its plan (and its intent class) yield."""
    case = Case(**fields)
    _check_anchor(case.anchor_date)
    case.full_clean()
    case.save()
    sync_case_tasks(case=case)
    schedule_intent_call(case=case, last_call=case.anchor_date)
    return case


def step_deadline(anchor: dt.date, step: PlanStep) -> dt.date | None:
    if step.deadline_days is None:
        return None
    return anchor + dt.timedelta(days=step.deadline_days)


def planned_task(
    case: Case, step: PlanStep, due: dt.date, rules: CallingRules, half: HalfDay | None
) -> FollowUpTask:
    """The task of a plan step of the case falling due on `due`, not saved: its first call,
    follow-up window, deadline and attempt budget from the step (`half`: the half of the day
    its calls start in)."""
    return FollowUpTask(
        case=case,
        step=step,
        due_date=due,
        earliest_at=earliest_call(due, rules, half),
        window_ends_on=follow_up_window_end(due, step.window_days),
        deadline=step_deadline(case.anchor_date, step),
        max_attempts=step.max_attempts,
        agent=case.agent,
    )


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
    rules = rules_for_case(case)
    half = first_call_half(case, rules) if steps else None
    to_create = []
    for step, due in zip(steps, dues, strict=True):
        deadline = step_deadline(case.anchor_date, step)
        task = existing.get(step.pk)
        if task is None:
            to_create.append(planned_task(case, step, due, rules, half))
        elif (
            task.status == TaskStatus.PENDING
            and task.attempts == 0
            and (
                (task.due_date, task.deadline, task.window_ends_on, task.max_attempts)
                != (due, deadline, follow_up_window_end(due, step.window_days), step.max_attempts)
            )
        ):
            task.due_date, task.deadline = due, deadline
            task.window_ends_on = follow_up_window_end(due, step.window_days)
            task.max_attempts = step.max_attempts
            task.earliest_at = earliest_call(due, rules, half)
            task.save(
                update_fields=[
                    "due_date",
                    "earliest_at",
                    "deadline",
                    "window_ends_on",
                    "max_attempts",
                    "updated_at",
                ]
            )
    FollowUpTask.objects.bulk_create(to_create, ignore_conflicts=True)
    return len(to_create)


def change_case(case: Case, **changes) -> Case:
    """Change a case's fields. A new anchor date or plan moves the calls not yet made
    (sync_case_tasks); a closed case keeps both (ValidationError naming the field)."""
    moving = [
        name
        for name in ("anchor_date", "plan")
        if name in changes and changes[name] != getattr(case, name)
    ]
    if "anchor_date" in moving:
        _check_anchor(changes["anchor_date"])
    if moving and case.status != CaseStatus.OPEN:
        raise ValidationError(
            {name: gettext("A closed case keeps its anchor date and plan.") for name in moving}
        )
    with transaction.atomic():
        for name, value in changes.items():
            setattr(case, name, value)
        case.save()
        if moving:
            sync_case_tasks(case=case)
    return case


def intent_cadence(plan: FollowUpPlan | None) -> IntentCadence:
    if plan is None:
        return IntentCadence()
    return IntentCadence(
        a_days=plan.intent_a_days, b_days=plan.intent_b_days, c_days=plan.intent_c_days
    )


@transaction.atomic
def schedule_intent_call(*, case: Case, last_call: dt.date) -> FollowUpTask | None:
    """For a sales-like case with an intent class, keep exactly one routine call pending,
    due one cadence after the last call; class D (or no class) keeps none."""
    pending = FollowUpTask.objects.filter(
        case=case, step__isnull=True, status=TaskStatus.PENDING, attempts=0
    )
    due = (
        next_intent_call_date(last_call, case.intent_class, intent_cadence(case.plan))
        if case.intent_class and case.status == CaseStatus.OPEN
        else None
    )
    if due is None:
        pending.update(status=TaskStatus.CANCELLED, status_reason="no routine calls")
        return None
    rules = rules_for_case(case)
    earliest = earliest_call(due, rules, first_call_half(case, rules))
    window_ends_on = follow_up_window_end(due, None)
    task = pending.order_by("due_date").first()
    if task is None:
        return FollowUpTask.objects.create(
            case=case,
            due_date=due,
            earliest_at=earliest,
            window_ends_on=window_ends_on,
            agent=case.agent,
        )
    if task.due_date != due:
        task.due_date, task.earliest_at = due, earliest
        task.window_ends_on = window_ends_on
        task.save(update_fields=["due_date", "earliest_at", "window_ends_on", "updated_at"])
    return task


def resync_plan_cases(*, plan_id: int) -> int:
    """After an admin changed a plan: every open case of it follows. Returns tasks created."""
    created = 0
    for case in Case.objects.filter(plan_id=plan_id, status=CaseStatus.OPEN).select_related("plan"):
        created += sync_case_tasks(case=case)
    return created
