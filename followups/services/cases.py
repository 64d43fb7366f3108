"""Opening cases and keeping their follow-up tasks in step with their plan."""

import datetime as dt
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext

from followups import clock, enqueue
from followups.models import (
    CallAttempt,
    CallList,
    Case,
    CaseStatus,
    FollowUpPlan,
    FollowUpTask,
    PlanChoice,
    PlanStep,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.scheduling import (
    FIRST_PLAUSIBLE_DAY,
    RECURRING_AHEAD,
    RECURRING_HORIZON_DAYS,
    CallingRules,
    HalfDay,
    IntentCadence,
    RepeatUnit,
    first_call_moment,
    follow_up_window_end,
    next_intent_call_date,
    occurrence_day,
    occurrences_ahead,
    plausible_day,
)
from followups.services.contact import best_time_for
from followups.services.plan_rules import choose_plan_for
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
    if isinstance(day, dt.date) and not plausible_day(day, today=clock.today()):
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
    choose_plan_for(case)
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
    case: Case,
    step: PlanStep,
    due: dt.date,
    rules: CallingRules,
    half: HalfDay | None,
    occurrence: int = 1,
) -> FollowUpTask:
    """The task of a plan step of the case falling due on `due`, not saved: its first call,
    follow-up window, deadline and attempt budget from the step (`half`: the half of the day
    its calls start in; `occurrence`: which call of a recurring step, whose repeats have no
    deadline)."""
    return FollowUpTask(
        case=case,
        step=step,
        occurrence=occurrence,
        due_date=due,
        earliest_at=earliest_call(due, rules, half),
        window_ends_on=follow_up_window_end(due, step.window_days),
        deadline=step_deadline(case.anchor_date, step) if occurrence == 1 else None,
        max_attempts=step.max_attempts,
        agent=case.agent,
    )


def step_first_day(anchor: dt.date, step: PlanStep) -> dt.date:
    return anchor + dt.timedelta(days=step.offset_days)


def step_day(anchor: dt.date, step: PlanStep, occurrence: int) -> dt.date:
    """The due day of the step's `occurrence`-th call (a step that does not repeat has one)."""
    first = step_first_day(anchor, step)
    if occurrence == 1 or not step.is_recurring:
        return first
    return occurrence_day(first, step.repeat_every, RepeatUnit(step.repeat_unit), occurrence)


def new_occurrences(
    anchor: dt.date, step: PlanStep, *, made: int, waiting: int, today: dt.date
) -> list[tuple[int, dt.date]]:
    """The calls of the step to make now, as (occurrence, due day): its first when none was
    made; for a recurring step, the repeats inside the horizon (scheduling.cadence)."""
    first = step_first_day(anchor, step)
    found = [] if made else [(1, first)]
    if step.is_recurring:
        found += occurrences_ahead(
            first=first,
            every=step.repeat_every,
            unit=RepeatUnit(step.repeat_unit),
            made=max(made, 1),
            waiting=waiting + len(found),
            today=today,
        )
    return found


@transaction.atomic
def sync_case_tasks(*, case: Case, today: dt.date | None = None) -> int:
    """Bring the case's untouched tasks in line with its plan and anchor date, and keep a
    recurring step's calls made ahead up to the horizon.

    Tasks already attempted or finished are history and never move; untouched pending
    tasks follow a new anchor date, and those of steps the plan no longer has (or of repeats
    a step no longer makes) are cancelled. Safe to run any number of times: the (case,
    step, occurrence) constraint keeps one task per call. Returns the number of tasks
    created.
    """
    if case.status != CaseStatus.OPEN:
        return 0
    today = today or clock.today()
    steps = list(case.plan.steps.all()) if case.plan_id else []
    untouched = FollowUpTask.objects.filter(case=case, status=TaskStatus.PENDING, attempts=0)
    untouched.filter(step__isnull=False).exclude(step__in=steps).update(
        status=TaskStatus.CANCELLED, status_reason="plan changed"
    )
    existing = {
        (task.step_id, task.occurrence): task
        for task in FollowUpTask.objects.filter(case=case, step__in=steps)
    }
    rules = rules_for_case(case)
    half = first_call_half(case, rules) if steps else None
    to_create, stale = [], []
    for step in steps:
        made = sorted(occurrence for step_id, occurrence in existing if step_id == step.pk)
        for occurrence in made:
            task = existing[(step.pk, occurrence)]
            if occurrence > 1 and not step.is_recurring:
                stale.append(task.pk)
            else:
                _follow_step(task, step_day(case.anchor_date, step, occurrence), step, rules, half)
        waiting = sum(
            1 for occurrence in made if existing[(step.pk, occurrence)].status == TaskStatus.PENDING
        )
        to_create += [
            planned_task(case, step, due, rules, half, occurrence)
            for occurrence, due in new_occurrences(
                case.anchor_date, step, made=made[-1] if made else 0, waiting=waiting, today=today
            )
        ]
    untouched.filter(pk__in=stale).update(status=TaskStatus.CANCELLED, status_reason="plan changed")
    FollowUpTask.objects.bulk_create(to_create, ignore_conflicts=True)
    return len(to_create)


def _follow_step(
    task: FollowUpTask, due: dt.date, step: PlanStep, rules: CallingRules, half
) -> None:
    """An untouched pending task takes the due day, deadline, window and budget its step
    now gives it."""
    if task.status != TaskStatus.PENDING or task.attempts:
        return
    deadline = step_deadline(task.case.anchor_date, step) if task.occurrence == 1 else None
    window_ends_on = follow_up_window_end(due, step.window_days)
    wanted = (due, deadline, window_ends_on, step.max_attempts)
    if (task.due_date, task.deadline, task.window_ends_on, task.max_attempts) == wanted:
        return
    task.due_date, task.deadline, task.window_ends_on, task.max_attempts = wanted
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


def keep_recurring_ahead(*, case: Case, task: FollowUpTask, today: dt.date) -> int:
    """After a call settled a task of a recurring step: the next call of the step is made
    (within the horizon). Returns the tasks made."""
    if case.status != CaseStatus.OPEN or task.is_open or not (task.step and task.step.is_recurring):
        return 0
    return sync_case_tasks(case=case, today=today)


def top_up_recurring(*, today: dt.date) -> int:
    """Every open case of a plan with a recurring step gets the step's calls made up to the
    horizon (the daily list build runs this first). Only cases whose last call of the step
    falls near enough to the horizon, with fewer than RECURRING_AHEAD waiting, are read.
    Returns the tasks made."""
    made = 0
    for step in PlanStep.objects.filter(repeat_every__isnull=False).exclude(repeat_unit=""):
        # The shortest a repeat can be: months have 28 days at least.
        shortest = step.repeat_every * (28 if step.repeat_unit == RepeatUnit.MONTHS else 1)
        of_step = Q(tasks__step=step)
        due = (
            Case.objects.filter(plan_id=step.plan_id, status=CaseStatus.OPEN)
            .annotate(
                last_due=Max("tasks__due_date", filter=of_step),
                waiting=Count("tasks", filter=of_step & Q(tasks__status=TaskStatus.PENDING)),
            )
            .filter(waiting__lt=RECURRING_AHEAD)
            .filter(
                Q(last_due__isnull=True)
                | Q(last_due__lte=today + dt.timedelta(days=RECURRING_HORIZON_DAYS - shortest))
            )
            .select_related("plan", "customer", "patient")
        )
        for case in due.iterator(chunk_size=500):
            made += sync_case_tasks(case=case, today=today)
    return made


def change_case(case: Case, **changes) -> Case:
    """Change a case's fields. A new anchor date or plan moves the calls not yet made
    (sync_case_tasks), a new intent class its routine call (reschedule_intent_call); a
    closed case keeps its anchor date and plan (ValidationError naming the field)."""
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
    new_intent = "intent_class" in changes and changes["intent_class"] != case.intent_class
    with transaction.atomic():
        for name, value in changes.items():
            setattr(case, name, value)
        if "plan" in moving:
            # A plan given by hand overrides the rules from now on.
            case.plan_rule, case.plan_chosen_by = None, PlanChoice.HAND
        case.save()
        if moving:
            sync_case_tasks(case=case)
        if new_intent:
            reschedule_intent_call(case=case)
    return case


def new_call_task(*, case: Case, due_date: dt.date, reason: str) -> FollowUpTask:
    """Another call for the case, due on ``due_date``; a closed case opens again so the
    daily list picks the call up. The callers audit."""
    if case.status != CaseStatus.OPEN:
        case.status, case.closed_reason, case.closed_at = CaseStatus.OPEN, "", None
        case.save(update_fields=["status", "closed_reason", "closed_at"])
    task = FollowUpTask.objects.create(
        case=case,
        kind=TaskKind.SCHEDULED,
        due_date=due_date,
        earliest_at=earliest_call(due_date, rules_for_case(case)),
        window_ends_on=follow_up_window_end(due_date, None),
        agent=case.agent,
        status_reason=reason,
    )
    if CallList.objects.filter(day=due_date).exists():
        # The day's list is already built: a second build adds just the new task.
        enqueue.build_call_lists(day=due_date)
    return task


def reschedule_intent_call(*, case: Case) -> FollowUpTask | None:
    """After the case's intent class changed by hand (a page, the API, Django admin): its
    routine call moves to one new cadence after the case's last call (its anchor date when
    none was made yet)."""
    last = (
        CallAttempt.objects.filter(task__case=case).order_by("-started_at").values("started_at")
    ).first()
    last_call = clock.center_day(last["started_at"]) if last else case.anchor_date
    return schedule_intent_call(case=case, last_call=last_call)


def intent_cadence(plan: FollowUpPlan | None) -> IntentCadence:
    if plan is None:
        return IntentCadence()
    return IntentCadence(
        a_days=plan.intent_a_days, b_days=plan.intent_b_days, c_days=plan.intent_c_days
    )


@transaction.atomic
def schedule_intent_call(
    *, case: Case, last_call: dt.date, on_the_call: Collection[int] = ()
) -> FollowUpTask | None:
    """For a sales-like case with an intent class, keep exactly one routine call pending,
    due one cadence after the last call; class D (or no class) keeps none. A routine call
    the same phone call settles (``on_the_call``: task ids) is the call being made, not the
    next one: it is left to be settled, and the next is made apart."""
    pending = FollowUpTask.objects.filter(
        case=case, step__isnull=True, status=TaskStatus.PENDING, attempts=0
    ).exclude(pk__in=on_the_call)
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


def cancel_pending(tasks, *, reason: str, now: dt.datetime) -> None:
    """Cancel the pending follow-ups among `tasks` (a queryset), with their entries still
    waiting on a list: a case closed, a person not to be called again."""
    pending = tasks.filter(status=TaskStatus.PENDING)
    QueueEntry.objects.filter(task__in=pending, status=QueueEntryStatus.WAITING).update(
        status=QueueEntryStatus.CANCELLED, closed_at=now
    )
    pending.update(status=TaskStatus.CANCELLED, status_reason=reason, updated_at=now)
