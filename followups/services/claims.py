"""Claims: handing each agent the next call they may make now, under a lease — their own
entries first, then the team pool; the call already held, if any; else why not and when
to try again. The lists are built by call_lists.py, leases and their proof are leases.py,
the calling rules this reads are calling_rules.py; on PostgreSQL the claim itself is one
statement (claim_sql.py)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from followups.clock import center_day
from followups.models import (
    CallList,
    CaseStatus,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.services import claim_sql, person_calls
from followups.services.calling_rules import (
    GroupKey,
    GroupState,
    _seen_groups,
    calling_rules_of_group,
    first_callable_moment,
    group_state,
)
from followups.services.leases import lease_minutes
from scripts.models import ScriptVersion, ScriptVersionStatus

# --- Claiming the next call -------------------------------------------------------------------
#
# Cost of a claim. The day's list holds thousands of entries, many not callable right now
# (their customer's window is closed, a retry waits for the afternoon, a callback is booked
# for later), and the task, case and customer tables behind them hold the whole history.
# A claim therefore never sorts or loads the list:
#   * the claim reads the list's available entries (waiting, or claimed under an expired
#     lease) from the two partial indexes, on the entries alone, and keeps the best few in
#     (priority, pk) order; only those few are joined to their task, case and customer,
#     filtered, and the first that may be handed out is taken, a single row FOR UPDATE
#     SKIP LOCKED, so concurrent claims pass each other's rows without waiting. Only when
#     none of the few will do (all held or not callable) does a query over all of them
#     run. This is one query for the agent's own entries and, once those are exhausted,
#     one for the pool;
#   * per-task times are conditions on stored columns: a task's precomputed `earliest_at`
#     (set when it is made or moved) and a booked callback's `callback_at` must have passed;
#   * calling windows depend only on the group (the case's plan, hence its calling policy,
#     and the customer's timezone). Each group this process has met is judged once per
#     claim by the pure rules (open / callbacks only / closed) and the groups that are not
#     open become SQL conditions. An entry of a group met for the first time is judged
#     when it comes up; if it may not be called the query runs again with its group known,
#     so a claim costs one query more per new group, once per process.
# Calling rules and the plans' policies are read from calling_rules.py's cache, so a claim
# reads neither.

# A claim gives up looking after this many groups new to it in one go (it then answers as
# if everything were taken, and the next claim starts with those groups known).
MAX_NEW_GROUPS_PER_CLAIM = 20
# How many of the list's best available entries a claim joins and tries first (see
# claim_candidates); more than the agents who may be claiming at the same instant.
TOP_CANDIDATES = 50

NO_LIST = "no_list"
OUTSIDE_WINDOW = "outside_window"
ALL_CLAIMED = "all_claimed"
ALL_DONE = "all_done"
NOTHING_ASSIGNED = "nothing_assigned"
# A call picked on the agent's own list (claim_from_list) that may not be handed out.
HOLDING_ANOTHER = "holding_another"
NOT_CALLABLE_NOW = "not_callable_now"
REASONS = (OUTSIDE_WINDOW, NO_LIST, ALL_CLAIMED, ALL_DONE, NOTHING_ASSIGNED)


@dataclass(frozen=True)
class Claim:
    """What an agent got on asking for the next call: an entry, or why none and when to
    come back."""

    entry: QueueEntry | None
    reason: str | None = None
    message: str = ""
    next_possible_at: dt.datetime | None = None


def _group_of(entry: QueueEntry) -> GroupKey:
    case = entry.task.case
    return (case.plan_id, case.customer.timezone)


def _group_q(key: GroupKey) -> Q:
    plan_id, tz = key
    return Q(task__case__plan_id=plan_id, task__case__customer__timezone=tz)


def _callback_due(now: dt.datetime) -> Q:
    return Q(task__kind=TaskKind.CALLBACK, task__callback_at__lte=now)


def _is_booked(task: FollowUpTask) -> bool:
    return task.kind == TaskKind.CALLBACK and task.callback_at is not None


def _due_now(now: dt.datetime) -> Q:
    """Per-task times: a booked callback once its time has come, any other task once its
    earliest moment has passed (windows are judged per group, see _restrictions)."""
    regular = ~Q(task__kind=TaskKind.CALLBACK) | Q(task__callback_at__isnull=True)
    not_before = Q(task__earliest_at__isnull=True) | Q(task__earliest_at__lte=now)
    return _callback_due(now) | (regular & not_before)


def _restrictions(states: dict[GroupKey, GroupState], now: dt.datetime) -> list[Q]:
    restrictions = []
    for key, state in states.items():
        if state is GroupState.CLOSED:
            restrictions.append(~_group_q(key))
        elif state is GroupState.CALLBACKS_ONLY:
            restrictions.append(~_group_q(key) | _callback_due(now))
    return restrictions


def _pool(agent) -> Q:
    """The team pool: every entry of the list that is not the agent's own (nobody's, or a
    colleague's: busy on a call, off shift, or just behind). An agent takes from it only
    when none of their own may be called now, so a person's own agent keeps them
    whenever that agent is free to call."""
    return Q(assigned_agent__isnull=True) | ~Q(assigned_agent=agent)


def _visible_to(agent, day: dt.date) -> Q:
    mine = Q(assigned_agent=agent)
    return mine | _pool(agent) if settings.HUIFANG_CLAIM_FROM_POOL else mine


def _available(now: dt.datetime) -> Q:
    # An expired lease gives the entry back: no sweeper needs to have run.
    return Q(status=QueueEntryStatus.WAITING) | Q(
        status=QueueEntryStatus.CLAIMED, lease_expires_at__lt=now
    )


def _callable_task() -> Q:
    return Q(
        task__status=TaskStatus.PENDING,
        task__case__status=CaseStatus.OPEN,
        task__case__customer__do_not_call=False,
    )


def _nobody_on_the_phone_with_them(now: dt.datetime) -> Q:
    """One person, one conversation: an entry whose customer another agent is calling
    right now (a live claim on another of their entries) waits."""
    on_the_phone = QueueEntry.objects.filter(
        status=QueueEntryStatus.CLAIMED, lease_expires_at__gte=now
    ).values("customer_id")
    return ~Q(customer_id__in=Subquery(on_the_phone))


def _on_list_of(day: dt.date) -> Q:
    # A subquery rather than a join: the planner reads the list's id once and walks the
    # (list, priority) index with it.
    return Q(call_list_id=Subquery(CallList.objects.filter(day=day).values("pk")[:1]))


DETAILS = ("task__case__customer", "task__case__patient__department", "task__step")


def script_version_to_use(task: FollowUpTask) -> int | None:
    """The id of the script version a call should use: the published version of its plan
    step's script, else of a script written for the case's kind (routine intent calls)."""
    return script_versions_to_use([task])[task.pk]


def script_versions_to_use(tasks: list[FollowUpTask]) -> dict[int, int | None]:
    """script_version_to_use for several follow-ups (a call to a person covers them all)
    in one query: the first published version of the step's script, else of a script
    written for the case's kind."""
    if not tasks:
        return {}
    script_ids = {task.step.script_id for task in tasks if task.step_id and task.step.script_id}
    kinds = {task.case.kind for task in tasks}
    published = (
        ScriptVersion.objects.filter(status=ScriptVersionStatus.PUBLISHED)
        .filter(Q(script_id__in=script_ids) | Q(script__case_kind__in=kinds))
        .order_by("pk")
        .values_list("pk", "script_id", "script__case_kind")
    )
    by_script: dict[int, int] = {}
    by_kind: dict[str, int] = {}
    for version_id, script_id, kind in published:
        by_script.setdefault(script_id, version_id)
        if kind:
            by_kind.setdefault(kind, version_id)
    return {
        task.pk: by_script.get(task.step.script_id if task.step_id else None)
        or by_kind.get(task.case.kind)
        for task in tasks
    }


def attach_call_details(entry: QueueEntry) -> QueueEntry:
    """Add what the call screen shows beyond the entry's own rows (loaded with DETAILS):
    the department's name and the script version to use, read now, at claim time."""
    case = entry.task.case
    patient = case.patient if case.patient_id else None
    entry.department_name = patient.department.name if patient else None
    entry.script_version_to_use = script_version_to_use(entry.task)
    return entry


def _available_for(agent, *, day: dt.date, now: dt.datetime, own: bool) -> QuerySet:
    visible = Q(assigned_agent=agent) if own else _pool(agent)
    return QueueEntry.objects.filter(_on_list_of(day), visible, _available(now))


def claim_candidates(*, agent, day: dt.date, now: dt.datetime, own: bool, best: int | None):
    """The available entries the agent may be handed now (their own, or the pool's),
    best first, each locked as it is taken and skipped while another claim holds it; the
    per-group window conditions are added by the caller.

    With `best`, only the `best` first entries of the list in (priority, pk) order are
    looked at: ordering by pk within a priority needs a sort of the whole tie, which is
    cheap on the entries alone but not once each is joined to its task, case and
    customer, so the joins and locks are kept to those few.
    """
    available = _available_for(agent, day=day, now=now, own=own)
    if best is not None:
        top = available.order_by("priority", "pk").values("pk")[:best]
        available = QueueEntry.objects.filter(_available(now), pk__in=top)
    return (
        available.filter(
            _callable_task(),
            _due_now(now),
            _nobody_on_the_phone_with_them(now),
            person_calls.callable_under_limit(person_calls.calls_a_day()),
        )
        .select_related(*DETAILS)
        .order_by("priority", "pk")
        .select_for_update(skip_locked=True, of=("self",))
    )


def _held_claim_id(agent, now: dt.datetime) -> int | None:
    """The entry the agent holds under a live lease. Locks the agent's row, so two
    requests of one agent (a double click) are answered one after the other."""
    live = QueueEntry.objects.filter(
        claimed_by=OuterRef("pk"), status=QueueEntryStatus.CLAIMED, lease_expires_at__gte=now
    ).order_by("pk")
    return (
        get_user_model()
        .objects.select_for_update()
        .filter(pk=agent.pk)
        .annotate(held=Subquery(live.values("pk")[:1]))
        .values_list("held", flat=True)
        .first()
    )


def _take(entry: QueueEntry, agent, now: dt.datetime) -> QueueEntry:
    lease_until = now + dt.timedelta(minutes=lease_minutes())
    QueueEntry.objects.filter(pk=entry.pk).update(
        status=QueueEntryStatus.CLAIMED,
        claimed_by=agent,
        claimed_at=now,
        lease_expires_at=lease_until,
    )
    entry.status, entry.claimed_by = QueueEntryStatus.CLAIMED, agent
    entry.claimed_at, entry.lease_expires_at = now, lease_until
    return entry


def _next_for(agent, *, day, now, own: bool, states) -> QueueEntry | None:
    """The best entry the agent may take now among their own or the pool's: first among
    the best few of the list, and only when none of those will do, among all."""
    best = claim_candidates(agent=agent, day=day, now=now, own=own, best=TOP_CANDIDATES)
    entry = _first_callable(best, states, now)
    if entry is not None:
        return entry
    beyond = _available_for(agent, day=day, now=now, own=own)[TOP_CANDIDATES : TOP_CANDIDATES + 1]
    if not beyond.exists():
        return None  # the best few were all there is
    every = claim_candidates(agent=agent, day=day, now=now, own=own, best=None)
    return _first_callable(every, states, now)


def _first_callable(
    candidates: QuerySet, states: dict[GroupKey, GroupState], now: dt.datetime
) -> QueueEntry | None:
    for _round in range(MAX_NEW_GROUPS_PER_CLAIM + 1):
        entry = candidates.filter(*_restrictions(states, now)).first()
        if entry is None:
            return None
        if _callable_in_its_group(entry, states, now):
            return entry
    return None


def _callable_in_its_group(
    entry: QueueEntry, states: dict[GroupKey, GroupState], now: dt.datetime
) -> bool:
    """Whether an entry the query found may be called now: yes when its group's conditions
    were in the query; else its group is judged now (and remembered, so that the next query
    carries its conditions)."""
    key = _group_of(entry)
    if key in states:
        return True
    states[key] = group_state(calling_rules_of_group(key), now)
    if len(_seen_groups) < 10_000:
        _seen_groups.add(key)
    return states[key] is GroupState.OPEN or (
        states[key] is GroupState.CALLBACKS_ONLY and _is_booked(entry.task)
    )


def claim_next_call(*, agent, now: dt.datetime) -> Claim:
    """Hand the agent the next call they may make now, under a lease: their own entries
    first, then the pool; the call already held, if any; else no entry, with the reason
    and when to try again."""
    day = center_day(now)
    if connection.vendor == "postgresql" and settings.HUIFANG_CLAIM_IN_ONE_STATEMENT:
        return _claim_in_one_statement(agent, day=day, now=now)
    with transaction.atomic():
        held = _held_claim_id(agent, now)
        if held is not None:
            entry = QueueEntry.objects.select_related(*DETAILS).get(pk=held)
            lease_until = now + dt.timedelta(minutes=lease_minutes())
            QueueEntry.objects.filter(pk=held).update(lease_expires_at=lease_until)
            entry.lease_expires_at = lease_until
            return _handed(attach_call_details(entry), agent)
        states = {key: group_state(calling_rules_of_group(key), now) for key in list(_seen_groups)}
        entry = _next_for(agent, day=day, now=now, own=True, states=states)
        if entry is None and settings.HUIFANG_CLAIM_FROM_POOL:
            entry = _next_for(agent, day=day, now=now, own=False, states=states)
        if entry is not None:
            return _handed(attach_call_details(_take(entry, agent, now)), agent)
    return _why_nothing(agent=agent, day=day, now=now, states=states)


def claim_from_list(*, agent, entry_id: int, now: dt.datetime) -> Claim:
    """The call the agent picked on their own list, handed to them under a lease when the
    claim's rules let it be made now; else why not (another call is open, or this person
    may not be called now, with when they may)."""
    day = center_day(now)
    with transaction.atomic():
        held = _held_claim_id(agent, now)
        if held == entry_id:
            entry = QueueEntry.objects.select_related(*DETAILS).get(pk=held)
            return _handed(attach_call_details(entry), agent)
        if held is not None:
            return _no_call(HOLDING_ANOTHER, gettext("Finish the call you have open first."))
        candidates = claim_candidates(agent=agent, day=day, now=now, own=True, best=None).filter(
            pk=entry_id
        )
        entry = _first_callable(candidates, {}, now)
        if entry is not None:
            taken = _take(entry, agent, now)
            return _handed(attach_call_details(taken), agent)
    waiting = QueueEntry.objects.filter(pk=entry_id, assigned_agent=agent).filter(
        _available(now) & _callable_task()
    )
    if waiting.exists():
        later = _outside_window(waiting, now)
        if later.next_possible_at is not None and later.next_possible_at > now:
            message = gettext("This person may not be called now: from %(when)s.") % {
                "when": later.next_possible_at.strftime("%H:%M")
                if later.next_possible_at.date() == day
                else later.next_possible_at.strftime("%Y-%m-%d %H:%M")
            }
            return _no_call(NOT_CALLABLE_NOW, message, later.next_possible_at)
    return _no_call(
        NOT_CALLABLE_NOW,
        gettext("This person may not be called now (done, held by a colleague or on the phone)."),
    )


def _claim_in_one_statement(agent, *, day: dt.date, now: dt.datetime) -> Claim:
    """The same claim as the ORM path above, as one round trip (services/claim_sql.py).
    An entry of a group this process has not judged yet is judged once taken, and given
    back if its customers may not be called now (then the claim runs again)."""
    states = {key: group_state(calling_rules_of_group(key), now) for key in list(_seen_groups)}
    pool = settings.HUIFANG_CLAIM_FROM_POOL
    for _round in range(MAX_NEW_GROUPS_PER_CLAIM + 1):
        taken = claim_sql.claim(
            agent_id=agent.pk,
            day=day,
            now=now,
            lease_until=now + dt.timedelta(minutes=lease_minutes()),
            pool=pool,
            closed=_groups_in(states, GroupState.CLOSED),
            callbacks_only=_groups_in(states, GroupState.CALLBACKS_ONLY),
            calls_a_day=person_calls.calls_a_day(),
        )
        if taken is None:
            break
        entry = taken.entry
        entry.script_version_to_use = taken.script_version
        entry.department_name = taken.department_name
        if taken.was_held or _callable_in_its_group(entry, states, now):
            return _handed(entry, agent)
        claim_sql.give_back(entry_id=entry.pk, agent_id=agent.pk, claimed_at=now)
    return _why_nothing(agent=agent, day=day, now=now, states=states)


def _handed(entry: QueueEntry, agent) -> Claim:
    """The claim of an entry, saying whose list it came from when not the agent's own (a
    colleague's call taken from the team pool)."""
    entry.from_colleague_id = colleague_whose_call(entry, agent)
    return Claim(entry=entry)


def colleague_whose_call(entry: QueueEntry, agent) -> int | None:
    """The colleague on whose list the entry is, when it is not the agent's own."""
    return entry.assigned_agent_id if entry.assigned_agent_id not in (None, agent.pk) else None


def _groups_in(states: dict[GroupKey, GroupState], wanted: GroupState) -> list[str]:
    return [claim_sql.group_text(*key) for key, state in states.items() if state is wanted]


def _why_nothing(
    *, agent, day: dt.date, now: dt.datetime, states: dict[GroupKey, GroupState]
) -> Claim:
    """Nothing to hand out: say why, in an agent's words, and when to look again. Runs
    only when the queue is empty for the agent, so one pass over the list is affordable."""
    if not CallList.objects.filter(day=day).exists():
        return _no_call(NO_LIST, gettext("Today's call list has not been built yet."))
    visible, counts = _list_counts(agent, day=day, now=now, states=states)
    if counts["callable_now"]:
        # Callable entries exist but other agents' claims hold them locked this instant,
        # or hold a call with the same person.
        return _no_call(ALL_CLAIMED, _all_claimed_message(), now)
    return _why_none_callable(visible, counts, now)


def why_no_call_now(*, agent, now: dt.datetime) -> Claim | None:
    """What the console says on opening, without claiming anything: the answer a claim
    would give now when it could hand out nothing (outside calling hours and when the next
    window opens, all done, no list …), or None when there is a call to take. Every group
    on the list is judged, so the answer does not depend on what this process has met."""
    day = center_day(now)
    if not CallList.objects.filter(day=day).exists():
        return _no_call(NO_LIST, gettext("Today's call list has not been built yet."))
    groups = (
        QueueEntry.objects.filter(call_list__day=day)
        .filter(_visible_to(agent, day), _available(now), _callable_task())
        .values_list("task__case__plan_id", "task__case__customer__timezone")
        .distinct()
        .order_by()
    )
    states = {key: group_state(calling_rules_of_group(key), now) for key in groups}
    visible, counts = _list_counts(agent, day=day, now=now, states=states)
    if counts["callable_now"]:
        return None
    return _why_none_callable(visible, counts, now)


def _list_counts(
    agent, *, day: dt.date, now: dt.datetime, states: dict[GroupKey, GroupState]
) -> tuple[QuerySet, dict]:
    """The entries the agent may be handed and how many are waiting, callable now, held by
    a live claim (and when the first of those leases ends)."""
    visible = QueueEntry.objects.filter(call_list__day=day).filter(_visible_to(agent, day))
    waiting = _available(now) & _callable_task()
    live_elsewhere = Q(status=QueueEntryStatus.CLAIMED, lease_expires_at__gte=now)
    callable_now = waiting & _due_now(now)
    for restriction in _restrictions(states, now):
        callable_now &= restriction
    counts = visible.aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=waiting),
        callable_now=Count("pk", filter=callable_now),
        live_elsewhere=Count("pk", filter=live_elsewhere),
        lease_ends=Min("lease_expires_at", filter=live_elsewhere),
    )
    return visible, counts


def _why_none_callable(visible: QuerySet, counts: dict, now: dt.datetime) -> Claim:
    """Nothing may be called now: outside the windows (and when the next opens), all held
    by others, all done, or nothing assigned."""
    waiting = _available(now) & _callable_task()
    if counts["waiting"]:
        return _outside_window(visible.filter(waiting), now)
    if counts["live_elsewhere"]:
        return _no_call(ALL_CLAIMED, _all_claimed_message(), counts["lease_ends"])
    if counts["total"]:
        return _no_call(ALL_DONE, gettext("All of today's calls are done."))
    return _no_call(NOTHING_ASSIGNED, gettext("No calls are assigned to you today."))


def _all_claimed_message() -> str:
    return gettext(
        "Every call that can be made now is being handled by other agents. Try again soon."
    )


def _no_call(reason: str, message: str, next_possible_at: dt.datetime | None = None) -> Claim:
    return Claim(entry=None, reason=reason, message=message, next_possible_at=next_possible_at)


def _outside_window(waiting: QuerySet, now: dt.datetime) -> Claim:
    """The first moment one of the waiting entries may be called: the next window of its
    group, its own earliest moment, or its booked callback (moved out of quiet hours)."""
    groups = (
        waiting.values("task__case__plan_id", "task__case__customer__timezone", "task__kind")
        .annotate(earliest=Min("task__earliest_at"), callback=Min("task__callback_at"))
        .order_by()
    )
    moments = (
        first_callable_moment(
            (row["task__case__plan_id"], row["task__case__customer__timezone"]),
            booked_callback=row["callback"] if row["task__kind"] == TaskKind.CALLBACK else None,
            earliest_at=row["earliest"],
            now=now,
        )
        for row in groups
    )
    # A policy with no window at all has no moment: nothing to announce for it.
    next_at = min((moment for moment in moments if moment is not None), default=None)
    if next_at is None:
        return _no_call(OUTSIDE_WINDOW, gettext("Nobody on the list may be called now."))
    local = timezone.localtime(next_at, timezone.get_default_timezone())
    same_day = local.date() == center_day(now)
    when = local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
    message = gettext("Not in calling hours now. The next calls may be made from %(when)s.") % {
        "when": when
    }
    return _no_call(OUTSIDE_WINDOW, message, local)
