"""What the centre knows about reaching a person: when they answer (their own calls, their
stated preference, people of the same department), and how full the coming calling windows
are, for the pure contact strategy in followups.scheduling."""

import dataclasses
import datetime as dt
import time
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils.translation import gettext

from followups.clock import center_day
from followups.models import CallAttempt, Customer, FollowUpTask, TaskStatus
from followups.scheduling import (
    NOON,
    NOT_REACHED,
    PATIENT_ANSWERED,
    BestTime,
    BestTimeSource,
    CallFollowUp,
    CallingRules,
    ContactBudget,
    HalfDay,
    HalfDayRecord,
    ReachRecord,
    Slot,
    SlotLoad,
    best_time,
    next_step_after_call,
    windows_on,
)
from followups.services.call_lists import working_agent_ids

# How far back the centre's own history is read for people of a department, and how long
# a process keeps that answer (it moves slowly; reading it costs a scan of the period).
SIMILAR_HISTORY_DAYS = 90
SIMILAR_CACHE_SECONDS = 3600
_similar: dict[tuple[int, str], tuple[float, ReachRecord | None]] = {}


def reach_record(customer: Customer, rules: CallingRules) -> ReachRecord:
    """The person's calls on any of their cases, by half of the day, answered or not: a
    call that settled several follow-ups is one call (its lead attempt)."""
    calls = CallAttempt.objects.filter(
        task__case__customer=customer, same_call_as__isnull=True
    ).values_list("started_at", "disposition")
    return ReachRecord.of_calls(calls, rules)


def similar_record(*, department_id: int | None, rules: CallingRules, now: dt.datetime):
    """How the centre's calls to patients of the department went by half of the day over
    the last months; None without a department or history."""
    if department_id is None:
        return None
    key = (department_id, rules.timezone)
    cached = _similar.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    rows = (
        CallAttempt.objects.filter(
            task__case__patient__department_id=department_id,
            started_at__gte=now - dt.timedelta(days=SIMILAR_HISTORY_DAYS),
            same_call_as__isnull=True,  # a call, not each follow-up it settled
        )
        .exclude(disposition="wrong_number")
        .annotate(hour=ExtractHour("started_at", tzinfo=rules.zone))
        .values("hour")
        .annotate(
            calls=Count("pk"), answered=Count("pk", filter=Q(disposition__in=PATIENT_ANSWERED))
        )
        .order_by()
    )
    morning, afternoon = HalfDayRecord(), HalfDayRecord()
    for row in rows:
        part = HalfDayRecord(row["calls"], row["answered"])
        if row["hour"] < NOON.hour:
            morning += part
        else:
            afternoon += part
    record = ReachRecord(morning, afternoon) if morning.calls or afternoon.calls else None
    if len(_similar) > 1000:
        _similar.clear()
    _similar[key] = (time.monotonic() + SIMILAR_CACHE_SECONDS, record)
    return record


def best_time_for(
    customer: Customer,
    rules: CallingRules,
    *,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> BestTime:
    """When to call the person; with a department (and the moment), people of that
    department inform it when the person's own calls say nothing yet."""
    similar = (
        similar_record(department_id=department_id, rules=rules, now=now)
        if department_id is not None and now is not None
        else None
    )
    return best_time(
        record=reach_record(customer, rules), stated=customer.preferred_slot, similar=similar
    )


def best_time_text(best: BestTime) -> str:
    """The best time in an agent's words, with the reason: "Afternoons — answered 3 of 4
    afternoon calls"."""
    if best.half is None:
        if best.record.morning.calls or best.record.afternoon.calls:
            return gettext("No best time yet: mornings and afternoons answered alike.")
        return gettext("No best time known yet.")
    when = gettext("Mornings") if best.half is HalfDay.MORNING else gettext("Afternoons")
    own = best.record.of(best.half)
    other = best.record.of(best.half.other)
    if best.source is BestTimeSource.ANSWERED:
        why = gettext("answered %(answered)s of %(calls)s %(half)s calls") % {
            "answered": own.answered,
            "calls": own.calls,
            "half": _half_word(best.half),
        }
    elif best.source is BestTimeSource.NOT_ANSWERED_OTHER:
        why = gettext("none of %(calls)s %(half)s calls answered") % {
            "calls": other.calls,
            "half": _half_word(best.half.other),
        }
    elif best.source is BestTimeSource.STATED:
        why = gettext("the customer's stated preference")
    else:
        similar = best.similar or ReachRecord()
        why = gettext(
            "patients of the same department answer %(best)s%% of %(half)s calls, %(other)s%%"
            " of the others"
        ) % {
            "best": _percent(similar.of(best.half)),
            "other": _percent(similar.of(best.half.other)),
            "half": _half_word(best.half),
        }
    return f"{when} — {why}"


def _half_word(half: HalfDay) -> str:
    return gettext("morning") if half is HalfDay.MORNING else gettext("afternoon")


def _percent(record: HalfDayRecord) -> int:
    return round(100 * record.answered / record.calls) if record.calls else 0


# The staffing of the coming windows is read off the last week's calls: how many agents
# called in each half of the day, and how long a call took them (talk and wrap-up).
STAFFING_HISTORY_DAYS = 7
_staffing: dict[tuple[dt.date, str], tuple[dict[HalfDay, float], float]] = {}


def _recent_staffing(today: dt.date, rules: CallingRules) -> tuple[dict[HalfDay, float], float]:
    """Agents per half of the day (the average over the days they called in it) and the
    minutes a call took, over the last week; {} and the setting when nobody called."""
    key = (today, rules.timezone)
    if key in _staffing:
        return _staffing[key]
    until = dt.datetime.combine(today, dt.time.min, tzinfo=rules.zone)
    recent = CallAttempt.objects.filter(
        started_at__gte=until - dt.timedelta(days=STAFFING_HISTORY_DAYS),
        started_at__lt=until,
        same_call_as__isnull=True,  # a call, not each follow-up it settled
    )
    rows = (
        recent.annotate(
            day=TruncDate("started_at", tzinfo=rules.zone),
            hour=ExtractHour("started_at", tzinfo=rules.zone),
        )
        .values_list("day", "hour", "agent_id")
        .distinct()
    )
    agents: dict[tuple[dt.date, HalfDay], set[int]] = {}
    for day, hour, agent_id in rows:
        half = HalfDay.MORNING if hour < NOON.hour else HalfDay.AFTERNOON
        agents.setdefault((day, half), set()).add(agent_id)
    per_half = {}
    for half in HalfDay:
        counts = [len(ids) for (_day, each), ids in agents.items() if each is half]
        if counts:
            per_half[half] = sum(counts) / len(counts)
    took = recent.aggregate(average=Avg(F("ended_at") - F("started_at")))["average"]
    minutes = took.total_seconds() / 60 if took else handle_minutes()
    if len(_staffing) > 100:
        _staffing.clear()
    _staffing[key] = (per_half, max(minutes, 0.5))
    return _staffing[key]


def handle_minutes() -> float:
    """What one call takes an agent on average, wrap-up included, when the week's calls
    do not say (a setting: the load estimate needs an order of magnitude)."""
    return float(settings.HUIFANG_EXPECTED_HANDLE_MINUTES)


def slot_loads_for(*, rules: CallingRules, now: dt.datetime) -> SlotLoad:
    """The load estimate of scheduling.plan_next_call for calls of these rules, at `now`."""
    return lambda slots: slot_loads(slots, rules=rules, now=now)


def slot_loads(slots: Sequence[Slot], *, rules: CallingRules, now: dt.datetime) -> list[float]:
    """For each slot: the open calls planned on its day up to its end (for today's slots,
    with the backlog carried over from earlier days) ÷ the calls the agents can make in
    that day's windows up to its end. Agents per half of the day and the minutes a call
    takes come from the last week's calls (else the roster and the setting). One query,
    and one a day per process for the staffing."""
    if not slots:
        return []
    today = center_day(now)
    per_half, minutes = _recent_staffing(today, rules)
    pending = FollowUpTask.objects.filter(
        status=TaskStatus.PENDING,
        needs_number_fix=False,
        earliest_at__lt=max(slot.end for slot in slots),
    ).filter(Q(window_ends_on__isnull=True) | Q(window_ends_on__gte=today))
    planned, capacities = {}, []
    for index, slot in enumerate(slots):
        day = slot.start.astimezone(rules.zone).date()
        up_to = Q(earliest_at__lt=slot.end)
        if day > today:
            up_to &= Q(earliest_at__gte=dt.datetime.combine(day, dt.time.min, tzinfo=rules.zone))
        planned[f"slot{index}"] = Count("pk", filter=up_to)
        capacity = 0.0
        for start, end in windows_on(day, rules):
            if start >= slot.end:
                break
            half = HalfDay.MORNING if start.time() < NOON else HalfDay.AFTERNOON
            agents = per_half.get(half) or max(len(working_agent_ids(day)), 1)
            # What is left of a window: the calls made earlier today are no longer open.
            left = (end - max(start, now)).total_seconds() / 60
            capacity += agents * max(left, 0.0) / minutes
        capacities.append(max(capacity, 1.0))
    counts = pending.aggregate(**planned)
    return [counts[f"slot{index}"] / capacities[index] for index in range(len(slots))]


def next_step_for(
    *, task: FollowUpTask, disposition: str, called_at, rules, callback_at, now
) -> CallFollowUp:
    """The pure rule's answer for this call, with what the strategy needs to know read only
    when the call may lead to a retry: the task's calls that day, when the person answers
    (their calls, their word, their department), and how full the coming windows are."""
    budget = ContactBudget(
        budget=task.max_attempts, spent=task.unanswered_calls, window_ends_on=task.window_ends_on
    )
    may_retry = disposition in NOT_REACHED or (disposition == "family" and callback_at is None)
    if not may_retry:
        return next_step_after_call(
            disposition=disposition,
            called_at=called_at,
            rules=rules,
            budget=budget,
            callback_at=callback_at,
        )
    day_start = dt.datetime.combine(called_at.astimezone(rules.zone).date(), dt.time.min)
    calls_today = CallAttempt.objects.filter(
        task=task, started_at__gte=day_start.replace(tzinfo=rules.zone), started_at__lt=called_at
    ).count()
    case = task.case
    best = best_time_for(
        case.customer,
        rules,
        department_id=case.patient.department_id if case.patient_id else None,
        now=now,
    )
    return next_step_after_call(
        disposition=disposition,
        called_at=called_at,
        rules=rules,
        budget=dataclasses.replace(budget, calls_today=calls_today),
        callback_at=callback_at,
        best_half=best.half,
        load=slot_loads_for(rules=rules, now=now),
    )
