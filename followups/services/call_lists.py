"""The daily call lists: which open tasks go on a day's list, in what order, for whom; what
the morning build ends (follow-up windows passed) and flags (numbers to fix)."""

import datetime as dt
import heapq
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from followups import clock
from followups.models import (
    CallList,
    CaseStatus,
    DutyDay,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.roles import Role
from followups.scheduling import CallingRules, calendar_warnings, day_status, queue_priority
from followups.services.due_days import count_past_days
from followups.services.leases import UNCLAIMED
from followups.services.person_calls import calls_a_day, due_by, next_midnight
from followups.services.policies import default_policy_id, policies_with_rules

PRIORITY_EPOCH = dt.date(2000, 1, 1)


@dataclass
class BuildReport:
    day: dt.date
    added: int = 0
    already_listed: int = 0
    skipped: Counter = field(default_factory=Counter)
    calendar_warnings: list[int] = field(default_factory=list)
    closed_earlier: int = 0  # entries left on past days' lists, closed by this build
    window_missed: int = 0  # tasks whose follow-up window passed unreached, ended now
    flagged_needs_number: int = 0  # tasks newly flagged: no number to call
    riding_along: int = 0  # follow-ups that go with another of the same person's entry
    listed_again: int = 0  # people whose call was over, back for a follow-up due since
    due_days_counted: int = 0  # past due days counted for the reports (morning_build)

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "added": self.added,
            "riding_along": self.riding_along,
            "listed_again": self.listed_again,
            "closed_earlier": self.closed_earlier,
            "window_missed": self.window_missed,
            "due_days_counted": self.due_days_counted,
            "flagged_needs_number": self.flagged_needs_number,
            "already_listed": self.already_listed,
            "skipped": dict(sorted(self.skipped.items())),
            "calendar_warnings": self.calendar_warnings,
        }


def _close_earlier_lists(*, before: dt.date) -> int:
    """Entries of past days' lists nobody took (waiting, or a lease long run out) are
    closed as cancelled: their tasks, still open, are on today's list, and the old lists'
    counts then say what was worked. Lists of today and later are left alone."""
    moment = timezone.now()
    return (
        QueueEntry.objects.filter(call_list__day__lt=before)
        .filter(
            Q(status=QueueEntryStatus.WAITING)
            | Q(status=QueueEntryStatus.CLAIMED, lease_expires_at__lt=moment)
        )
        .update(status=QueueEntryStatus.CANCELLED, closed_at=moment)
    )


def _end_missed_windows(*, before: dt.date) -> int:
    """Open tasks whose follow-up window ended before `before` were not reached in it: they
    end "window missed" (the next step of their plan goes on) and leave the lists."""
    missed = FollowUpTask.objects.filter(status=TaskStatus.PENDING, window_ends_on__lt=before)
    moment = timezone.now()
    QueueEntry.objects.filter(task__in=missed, status=QueueEntryStatus.WAITING).update(
        status=QueueEntryStatus.CANCELLED, closed_at=moment
    )
    return missed.update(
        status=TaskStatus.WINDOW_MISSED, status_reason="window_missed", updated_at=moment
    )


def priority_number(key: tuple[int, int, int, int, dt.date]) -> int:
    """Encode scheduling.queue_priority's sort key as one integer (smaller is called first),
    so entries added by a later run of the same day sort among the earlier ones."""
    callback, deadline, overdue, intent, due = key
    bucket = ((callback * 2 + deadline) * 2 + overdue) * 4 + intent
    return bucket * 100_000 + (due - PRIORITY_EPOCH).days


def agents_on_duty(day: dt.date) -> list[int]:
    """The active agents on the day's duty roster; with no roster for the day, every
    active agent (a center that keeps no roster still gets its list shared out)."""
    agents = get_user_model().objects.filter(is_active=True, groups__name=Role.AGENT)
    rostered = DutyDay.objects.filter(day=day)
    if rostered.exists():
        agents = agents.filter(pk__in=rostered.values("agent_id"))
    return list(agents.order_by("pk").values_list("pk", flat=True))


def _skip_reason(row: dict, day_open) -> str | None:
    if row["case__status"] != CaseStatus.OPEN:
        return "case_closed"
    if row["case__customer__do_not_call"]:
        return "do_not_call"
    if row["case__patient__died_on"] is not None:
        return "deceased"
    if not row["has_phone"]:
        return "no_phone_number"
    if not day_open(row["case__plan__calling_policy_id"], row["case__customer__timezone"]):
        return "closed_day"
    return None


def morning_build(*, day: dt.date) -> BuildReport:
    """The morning's work, as the Celery task and the command run it: `day`'s list, then
    the past due days the year's reports read (services/due_days.py) that have no counts:
    yesterday, and the days changed since they were counted (the build's missed windows
    among them)."""
    report = build_call_lists(day=day)
    report.due_days_counted = count_past_days(today=clock.today())
    return report


def build_call_lists(*, day: dt.date) -> BuildReport:
    """Put every due or overdue open task whose customer may be called on `day` on that
    day's list, once: a second run, or two runs at once, add nothing more."""
    # cases → contact → call_lists: the recurring steps' calls are made here, not imported above.
    from followups.services.cases import top_up_recurring

    report = BuildReport(day=day)
    today = clock.today()
    top_up_recurring(today=day)
    report.closed_earlier = _close_earlier_lists(before=min(day, today))
    report.window_missed = _end_missed_windows(before=min(day, today))
    call_list, _ = CallList.objects.get_or_create(day=day)
    rules = policies_with_rules()
    fallback_policy = default_policy_id()
    report.calendar_warnings = calendar_warnings([day])
    open_days: dict[tuple[int | None, str], bool] = {}

    def day_open(policy_id: int | None, customer_tz: str) -> bool:
        key = (policy_id or fallback_policy, customer_tz)
        if key not in open_days:
            policy_rules = rules.get(key[0]) or CallingRules()
            open_days[key] = day_status(day, policy_rules.for_timezone(customer_tz)).open
        return open_days[key]

    # One entry per person and day: a person already on the day's list is not listed again
    # (their follow-ups due later ride along with that entry's call).
    listed_people = set(call_list.entries.values_list("customer_id", flat=True))
    # A person whose call of the day is over, under the day's limit of calls, may be listed
    # again for a follow-up that came due after that call (a case sent back, a new case).
    finished = {
        customer_id: (entry_id, closed_at)
        for customer_id, entry_id, closed_at in call_list.entries.filter(
            status=QueueEntryStatus.DONE,
            calls_made__lt=calls_a_day(),
            closed_at__isnull=False,
        ).values_list("customer_id", "pk", "closed_at")
    }
    came_due_since: list[tuple] = []
    day_start = next_midnight(day) - dt.timedelta(days=1)
    rows = (
        # Due by the day, and its next call (a retry, a callback) not planned for later.
        FollowUpTask.objects.filter(status=TaskStatus.PENDING)
        .filter(due_by(day))
        .exclude(window_ends_on__lt=day)
        # Stored numbers were validated on the way in; parsing 50,000 of them again here
        # would double the build's time, so only their presence is read.
        .annotate(has_phone=ExpressionWrapper(~Q(case__customer__phone=""), BooleanField()))
        .values(
            "pk",
            "kind",
            "due_date",
            "deadline",
            "case_id",
            "case__customer_id",
            "case__status",
            "case__intent_class",
            "case__agent_id",
            "case__plan__calling_policy_id",
            "case__customer__do_not_call",
            "has_phone",
            "case__customer__timezone",
            "case__patient__died_on",
            "needs_number_fix",
            "created_at",
            "earliest_at",
        )
    )
    candidates, needs_number, number_fixed = [], [], []
    for row in rows.iterator(chunk_size=5000):
        customer_id = row["case__customer_id"]
        reason = _skip_reason(row, day_open)
        if customer_id in listed_people:
            again = finished.get(customer_id)
            if reason is None and again is not None and row["created_at"] > again[1]:
                came_due_since.append((_priority_of(row, day), row["pk"], again[0]))
            else:
                report.already_listed += 1
            continue
        if reason == "no_phone_number" and not row["needs_number_fix"]:
            needs_number.append(row["pk"])
        elif reason is None and row["needs_number_fix"]:
            number_fixed.append(row["pk"])
        if reason:
            report.skipped[reason] += 1
            continue
        candidates.append(
            Candidate(
                priority=_priority_of(row, day),
                task_id=row["pk"],
                agent_id=row["case__agent_id"],
                customer_id=customer_id,
                booked=row["kind"] == TaskKind.CALLBACK,
                moment=row["earliest_at"] or day_start,
            )
        )

    candidates = _one_per_person(candidates, report)
    report.listed_again = _list_again(came_due_since)
    # A task with no number to call is flagged for the people who can fix it (it stays
    # open, and is listed the first morning after a number is added).
    FollowUpTask.objects.filter(pk__in=needs_number).update(needs_number_fix=True)
    FollowUpTask.objects.filter(pk__in=number_fixed).update(needs_number_fix=False)
    report.flagged_needs_number = len(needs_number)
    report.added = _insert_entries(call_list, _assign(call_list, candidates))
    CallList.objects.filter(pk=call_list.pk).update(
        built_at=timezone.now(), report=report.as_dict()
    )
    return report


def _priority_of(row: dict, day: dt.date) -> int:
    return priority_number(
        queue_priority(
            is_callback=row["kind"] == TaskKind.CALLBACK,
            deadline=row["deadline"],
            due=row["due_date"],
            today=day,
            intent=row["case__intent_class"] or None,
        )
    )


def _list_again(came_due: list[tuple[int, int, int]]) -> int:
    """Put back on the list the finished entries of people with a follow-up that came due
    after their call, led by the most urgent of those. Returns how many."""
    leads: dict[int, tuple[int, int]] = {}
    for priority, task_id, entry_id in sorted(came_due):
        leads.setdefault(entry_id, (priority, task_id))
    for entry_id, (priority, task_id) in leads.items():
        QueueEntry.objects.filter(pk=entry_id, status=QueueEntryStatus.DONE).update(
            task_id=task_id, priority=priority, closed_at=None, **UNCLAIMED
        )
    return len(leads)


@dataclass(frozen=True)
class Candidate:
    priority: int
    task_id: int
    agent_id: int | None
    customer_id: int
    booked: bool  # a callback the person booked
    moment: dt.datetime  # its next call not before


def _one_per_person(
    candidates: list[Candidate], report: BuildReport
) -> list[tuple[int, int, int | None, int]]:
    """One entry per person, as (priority, lead task, its agent, person) in hand-out order.
    The entry ranks as the person's most urgent follow-up; it is led by the one that may be
    called first (the earliest callback they booked, else the earliest next call), so the
    person is called as soon as any of their follow-ups may be; the others ride along."""
    by_person: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_person.setdefault(candidate.customer_id, []).append(candidate)
    entries = []
    for customer_id, theirs in by_person.items():
        booked = [candidate for candidate in theirs if candidate.booked]
        lead = min(
            booked or theirs,
            key=lambda candidate: (candidate.moment, candidate.priority, candidate.task_id),
        )
        priority = min(candidate.priority for candidate in theirs)
        entries.append((priority, lead.task_id, lead.agent_id, customer_id))
        report.riding_along += len(theirs) - 1
    entries.sort()
    return entries


def _assign(call_list: CallList, candidates: list[tuple]) -> list[tuple[int, int, int | None, int]]:
    """Keep a case with its agent when that agent is on duty; share the rest so that every
    agent ends the build with about the same number of entries."""
    agents = agents_on_duty(call_list.day)
    on_duty = set(agents)
    load = Counter(
        dict(
            call_list.entries.filter(assigned_agent__in=agents)
            .values_list("assigned_agent")
            .annotate(n=Count("pk"))
        )
    )
    assigned: dict[int, int | None] = {}
    for _, task_id, case_agent, _customer in candidates:
        if case_agent in on_duty:
            assigned[task_id] = case_agent
            load[case_agent] += 1
    heap = [(load[agent], agent) for agent in agents]
    heapq.heapify(heap)
    entries = []
    for priority, task_id, _, customer_id in candidates:
        agent = assigned.get(task_id)
        if agent is None and heap:
            count, agent = heapq.heappop(heap)
            heapq.heappush(heap, (count + 1, agent))
        entries.append((task_id, priority, agent, customer_id))
    return entries


def _insert_entries(call_list: CallList, entries: list[tuple[int, int, int | None, int]]) -> int:
    """Insert (task, priority, agent, person) rows, skipping people and tasks already listed
    that day; the unique constraints decide, so concurrent builds cannot list a person
    twice."""
    if not entries:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One statement with three arrays: Django builds no SQL per row, which makes
            # this several times faster than bulk_create at 50,000 rows
            # (bench/bench_call_lists.py).
            columns = [list(column) for column in zip(*entries, strict=True)]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {QueueEntry._meta.db_table}"
                    " (call_list_id, task_id, priority, assigned_agent_id, customer_id,"
                    " status, calls_made)"
                    " SELECT %s, unnest(%s::bigint[]), unnest(%s::integer[]),"
                    " unnest(%s::integer[]), unnest(%s::bigint[]), %s, 0"
                    " ON CONFLICT DO NOTHING",
                    [call_list.pk, *columns, QueueEntryStatus.WAITING],
                )
                # The rows this build inserted, not the list's growth meanwhile: a build
                # running at the same time adds its own.
                return cursor.rowcount
        else:
            # SQLite: one writer at a time, so the list's growth is this build's.
            before = QueueEntry.objects.filter(call_list=call_list).count()
            QueueEntry.objects.bulk_create(
                [
                    QueueEntry(
                        call_list=call_list,
                        task_id=task,
                        priority=priority,
                        assigned_agent_id=agent,
                        customer_id=customer,
                    )
                    for task, priority, agent, customer in entries
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
        return QueueEntry.objects.filter(call_list=call_list).count() - before


# --- Who is at work --------------------------------------------------------------------------

_working: dict[dt.date, tuple[float, frozenset[int]]] = {}
WORKING_CACHE_SECONDS = 30


def forget_working_agents(**_signal_kwargs) -> None:
    _working.clear()


post_save.connect(forget_working_agents, sender=DutyDay, dispatch_uid="working-duty")
post_delete.connect(forget_working_agents, sender=DutyDay, dispatch_uid="working-del-duty")
post_save.connect(
    forget_working_agents, sender=settings.AUTH_USER_MODEL, dispatch_uid="working-user"
)
m2m_changed.connect(
    forget_working_agents, sender=get_user_model().groups.through, dispatch_uid="working-groups"
)


def working_agent_ids(day: dt.date) -> frozenset[int]:
    """The agents at work on `day` (agents_on_duty), cached per process for half a minute
    and dropped when a roster, a user or a group membership is saved."""
    cached = _working.get(day)
    if cached is None or cached[0] < time.monotonic():
        if len(_working) > 30:
            _working.clear()
        cached = (time.monotonic() + WORKING_CACHE_SECONDS, frozenset(agents_on_duty(day)))
        _working[day] = cached
    return cached[1]
