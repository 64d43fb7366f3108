"""The due tasks as the follow-up rate counts them, and its counts one due day at a time:
counted from the tasks, or read from the rows the morning build stores for past days
(models/report_days.DueDay; services/due_days.py).

A year of 回访率 at 1M calls groups over half a million tasks and the people behind them,
which no sum of calls can give (a person is counted once however many of their tasks are
due). A due day's counts, its people included, change only when one of its tasks, or the
case, patient or person behind one, does; the database then deletes the day's row in the
same statement (migration 0026), so a stored row always says what the tasks would.
"""

import datetime as dt
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Max,
    Q,
    QuerySet,
    When,
)

from followups.models import DueDay, FollowUpTask, TaskStatus

from .planning import without_joins
from .scope import ReportScope

# A task's calls as record_outcome counts them on the task, in the transaction that stores
# each call: reading the counters and the last call kept there (FollowUpTask.count_call)
# spares the reports a subquery per task.
CALLED = Q(attempts__gt=0)
REACHED_FIELD = "reached"  # a call of the task reached the person (count_call keeps it)
REACHED = Q(**{REACHED_FIELD: True})
FINAL_DISPOSITION = "last_disposition"  # "" while the task has no call
FINAL_AGENT = "last_agent_id"  # None while the task has no call

# The share of a period's days that must be stored for the reports to read them, and count
# only the others (today, and the days whose tasks changed since the morning build: those
# the agents call, mostly of the last week or two) from their tasks. A stored day costs
# about 0.5 ms at 1M calls, a day counted from its tasks about 9 ms (a fortnight's: 128 ms):
# over a month, with two weeks being called, counting all the days is as quick; over a
# quarter or a year, not.
STORED_AT_LEAST = 0.8


def due_tasks(scope: ReportScope) -> QuerySet[FollowUpTask]:
    """The tasks due in the period, as the reports count them."""
    return (
        FollowUpTask.objects.filter(due_date__gte=scope.start, due_date__lte=scope.end)
        .filter(scope.case_filter("case__"))
        .filter(~Q(status=TaskStatus.CANCELLED) | CALLED)
    )


def any_of(condition: Q) -> Max:
    """1 when a row of the group meets ``condition``, else 0."""
    return Max(Case(When(condition, then=1), default=0, output_field=IntegerField()))


def counted(tasks: QuerySet, *fields: str) -> QuerySet:
    """The tasks grouped by ``fields``: due, called, reached, window missed. Counted by
    their case (never empty) rather than their id, so that on the task fields alone the
    index task_due_facts_idx holds everything read."""
    return (
        tasks.values(*fields)
        .annotate(
            due=Count("case"),
            called_n=Count("case", filter=CALLED),
            reached_n=Count("case", filter=REACHED),
            missed_n=Count("case", filter=Q(status=TaskStatus.WINDOW_MISSED)),
        )
        .order_by()
    )


class Outcome(NamedTuple):
    """Where a due task ended, as the reach funnel and the AAPOR rates count it: its case
    kind, its last call's disposition ("" while not called), whether a call reached the
    person; for a task not called, whether the person has no number or has died."""

    kind: str
    disposition: str
    called: bool
    reached: bool
    no_phone: bool
    died: bool


@dataclass
class DayCounts:
    """One due day: per agent of the last call (None: not called) and per department and
    case kind, [due, called, reached, window missed]; the tasks per ``Outcome``; the
    customers' ids with a task due, one called, one reached."""

    agents: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)
    people_due: Iterable[int] = field(default_factory=set)
    people_called: Iterable[int] = field(default_factory=set)
    people_reached: Iterable[int] = field(default_factory=set)

    @classmethod
    def of(cls, row: dict) -> "DayCounts":
        """From a DueDay's values (``STORED``; without the people, none)."""
        people = {
            name: unpacked(row[name])
            for name in ["people_due", "people_called", "people_reached"]
            if name in row
        }
        return cls(
            agents={agent: counts for agent, *counts in row["agents"]},
            departments={
                (department, kind): counts for department, kind, *counts in row["departments"]
            },
            outcomes=Counter({Outcome(*key): n for *key, n in row["outcomes"]}),
            **people,
        )

    def stored(self, day: dt.date, *, now: dt.datetime) -> DueDay:
        return DueDay(
            day=day,
            agents=[[agent, *counts] for agent, counts in self.agents.items()],
            departments=[
                [department, kind, *counts]
                for (department, kind), counts in self.departments.items()
            ],
            outcomes=[[*outcome, n] for outcome, n in self.outcomes.items()],
            people_due=packed(self.people_due),
            people_called=packed(self.people_called),
            people_reached=packed(self.people_reached),
            counted_at=now,
        )


def packed(ids: Iterable[int]) -> bytes:
    """Customer ids as 8-byte integers, in order: a year's half a million read in
    milliseconds, where JSON would take a good part of a second."""
    return array("q", sorted(ids)).tobytes()


def unpacked(blob) -> array:
    ids = array("q")
    ids.frombytes(bytes(blob))
    return ids


def counted_days(
    tasks: QuerySet, days: list[dt.date], *, outcomes: bool = True
) -> dict[dt.date, DayCounts]:
    """Each of ``days`` counted from ``tasks`` (due_tasks): one query, a row a task (a
    month's are some 45,000 at 1M calls), summed here. Without ``outcomes`` (回访率 needs
    none) the people's records are not read: a fortnight's tasks, 125 → 80 ms."""
    found = {day: DayCounts() for day in days}
    if not days:
        return found
    fields = [
        "due_date",
        FINAL_AGENT,
        "case__patient__department_id",
        "case__kind",
        "case__customer_id",
        "attempts",
        REACHED_FIELD,
        "status",
    ]
    tasks = tasks.filter(due_date__in=days)
    if outcomes:
        tasks = tasks.annotate(
            no_phone=ExpressionWrapper(Q(case__customer__phone=""), BooleanField()),
            died=ExpressionWrapper(Q(case__patient__died_on__isnull=False), BooleanField()),
        )
        fields += [FINAL_DISPOSITION, "no_phone", "died"]
    with without_joins("hashjoin", "mergejoin"):
        rows = list(tasks.values_list(*fields).order_by())
    for day, agent, department, kind, customer, attempts, reached, status, *ended in rows:
        counts = found[day]
        called = attempts > 0
        missed = status == TaskStatus.WINDOW_MISSED
        if ended:
            disposition, no_phone, died = ended
            if called:  # what the record says counts only for the tasks not called
                no_phone = died = False
            counts.outcomes[Outcome(kind, disposition, called, reached, no_phone, died)] += 1
        for cells, key in ((counts.agents, agent), (counts.departments, (department, kind))):
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = [0, 0, 0, 0]
            cell[0] += 1
            cell[1] += called
            cell[2] += reached
            cell[3] += missed
        counts.people_due.add(customer)
        if called:
            counts.people_called.add(customer)
        if reached:
            counts.people_reached.add(customer)
    return found


def _read(rows: QuerySet, people: bool) -> dict[dt.date, DayCounts]:
    """Stored due days (``people``: with the people, some 12 kB a day)."""
    fields = ["day", "agents", "departments", "outcomes"]
    if people:
        fields += ["people_due", "people_called", "people_reached"]
    return {row["day"]: DayCounts.of(row) for row in rows.values(*fields)}


def split_period(
    scope: ReportScope, *, people: bool = True
) -> tuple[dict[dt.date, DayCounts], list[dt.date]] | None:
    """The period's stored days, and the others, to count from their tasks; None when
    fewer than ``STORED_AT_LEAST`` of its days are stored (a month: the last two weeks'
    days are being called), for then counting all of them is as quick, and where the
    database keeps no triggers to drop them (everything but PostgreSQL) or a filter
    narrows the period (they count the whole centre)."""
    if connection.vendor != "postgresql" or not scope.counted_by_day:
        return None
    rows = DueDay.objects.filter(day__gte=scope.start, day__lte=scope.end)
    # Which days are stored, first: a month's rows with their people are not read for
    # nothing.
    days = set(rows.values_list("day", flat=True))
    if not days or len(days) < STORED_AT_LEAST * len(scope.days):
        return None
    stored = _read(rows, people)  # what is stored now, which the live days complete
    live = [day for day in scope.days if day not in stored]
    return stored, live


def stored_outcomes(scope: ReportScope) -> tuple[Counter, list[dt.date]] | None:
    """The stored days' due tasks per ``Outcome``, and the days to count from their tasks;
    None as split_period."""
    split = split_period(scope, people=False)
    if split is None:
        return None
    stored, live = split
    total: Counter = Counter()
    for counts in stored.values():
        total.update(counts.outcomes)
    return total, live
