"""What the centre knows about reaching a person: when they answer (their own calls, their
stated preference, people of the same department), and how full the coming calling windows
are, for the pure contact strategy in followups.scheduling."""

import datetime as dt
import time
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext

from followups.models import CallAttempt, Customer, FollowUpTask, TaskStatus
from followups.scheduling import (
    NOON,
    PATIENT_ANSWERED,
    BestTime,
    BestTimeSource,
    CallingRules,
    HalfDay,
    HalfDayRecord,
    ReachRecord,
    Slot,
    best_time,
)
from followups.services.queue import center_day, working_agent_ids

# How far back the centre's own history is read for people of a department, and how long
# a process keeps that answer (it moves slowly; reading it costs a scan of the period).
SIMILAR_HISTORY_DAYS = 90
SIMILAR_CACHE_SECONDS = 3600
_similar: dict[tuple[int, str], tuple[float, ReachRecord | None]] = {}


def reach_record(customer: Customer, rules: CallingRules) -> ReachRecord:
    """The person's calls on any of their cases, by half of the day, answered or not."""
    calls = CallAttempt.objects.filter(task__case__customer=customer).values_list(
        "started_at", "disposition"
    )
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


def handle_minutes() -> float:
    """What one call takes an agent on average, wrap-up included (a setting: the load
    estimate needs an order of magnitude, not a measurement)."""
    return float(settings.HUIFANG_EXPECTED_HANDLE_MINUTES)


def slot_loads(slots: Sequence[Slot]) -> list[float]:
    """For each slot: the calls already planned in it (open tasks whose next moment falls
    inside) ÷ the calls the agents on duty that day can make in it. One query."""
    if not slots:
        return []
    counts = FollowUpTask.objects.filter(
        status=TaskStatus.PENDING,
        earliest_at__gte=min(slot.start for slot in slots),
        earliest_at__lt=max(slot.end for slot in slots),
    ).aggregate(
        **{
            f"slot{index}": Count(
                "pk", filter=Q(earliest_at__gte=slot.start, earliest_at__lt=slot.end)
            )
            for index, slot in enumerate(slots)
        }
    )
    loads = []
    for index, slot in enumerate(slots):
        agents = max(len(working_agent_ids(center_day(slot.start))), 1)
        minutes = (slot.end - slot.start).total_seconds() / 60
        capacity = max(agents * minutes / handle_minutes(), 1.0)
        loads.append(counts[f"slot{index}"] / capacity)
    return loads
