"""bench_reach.py's adapter: every call into the project's code is in this module, and
only here; the simulation in bench_reach.py sees plain values. Change this module when the
project's services change. Imported by bench_reach.py once Django is set up."""

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import common
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from followups import models as m
from followups.scheduling import is_callable, windows_on
from followups.services.call_lists import build_call_lists
from followups.services.cases import open_case
from followups.services.claims import claim_next_call
from followups.services.leases import claim_token
from followups.services.outcomes import record_outcome
from followups.services.policies import calling_rules

ZONE = ZoneInfo("Asia/Shanghai")

PLAN_OFFSETS = (3, 7, 30)
NON_CONTACTS = frozenset({"no_answer", "busy", "phone_off", "family"})
NAIVE_MAX_ATTEMPTS = 3


@dataclass
class World:
    rules: object  # scheduling.CallingRules of the default policy
    plan: m.FollowUpPlan
    step_offset: dict[int, int]  # plan step id -> offset in days
    agents: list
    department: m.Department
    default_policy_made: bool


@dataclass(frozen=True)
class Handed:
    entry: object  # the QueueEntry, passed back to record_outcome as is
    task_id: int
    case_id: int
    step_id: int | None
    kind: str  # the task's kind when it was handed out


def set_up_world(agent_count: int) -> World:
    """The default calling policy (made when the migrations made none), a discharge plan
    with steps at 3, 7 and 30 days (max attempts left at the model's default), agents."""
    policy = m.CallingPolicy.objects.filter(is_default=True).first()
    made = policy is None
    if made:
        policy = common.make_policy(name="default", timezone="Asia/Shanghai")
    plan = common.make_plan(policy, name="出院随访 (bench)", offsets=PLAN_OFFSETS)
    steps = dict(plan.steps.values_list("pk", "offset_days"))
    ids = [pk for pk, _ in common.add_users("bench-agent", agent_count, first=1,
                                            first_name="'坐席' || i")]  # fmt: skip
    agents = sorted(User.objects.filter(pk__in=ids), key=lambda user: user.pk)
    _hospital, (department,) = common.make_hospital([("心内科", "cardio")])
    return World(calling_rules(policy), plan, steps, agents, department, made)


def add_people(world: World, people: list) -> None:
    customers = m.Customer.objects.bulk_create(
        m.Customer(name=f"患者{p.idx}", gender="MF"[p.idx % 2], phone=p.phone) for p in people
    )
    patients = m.Patient.objects.bulk_create(
        m.Patient(
            customer=customer,
            hospital=world.department.hospital,
            department=world.department,
            medical_record_number=f"ZY{p.idx:06d}",
            admitted_on=p.anchor - dt.timedelta(days=5),
            discharged_on=p.anchor,
        )
        for p, customer in zip(people, customers, strict=True)
    )
    for p, customer, patient in zip(people, customers, patients, strict=True):
        p.records = (customer, patient)


def open_discharge_case(world: World, person) -> int:
    customer, patient = person.records
    case = open_case(
        customer=customer, patient=patient, kind="discharge", anchor_date=person.anchor,
        plan=world.plan,
    )  # fmt: skip
    return case.pk


def start_day(world: World, day: dt.date) -> tuple[int, Counter]:
    """Everyone on the roster, then the day's lists: (entries added, skipped by reason)."""
    for agent in world.agents:
        m.DutyDay.objects.create(agent=agent, day=day)
    report = build_call_lists(day=day)
    # What a deployment gets by itself and a simulation compressing weeks into minutes does
    # not: fresh statistics (autovacuum) and connections that age out (conn_max_age), so that
    # the claim's prepared plan is not the one made on day one for near-empty tables.
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    return report.added, Counter(report.skipped)


def claim(agent, now: dt.datetime) -> tuple[Handed | None, dt.datetime | None]:
    result = claim_next_call(agent=agent, now=now)
    if result.entry is None:
        return None, result.next_possible_at
    task = result.entry.task
    return Handed(result.entry, task.pk, task.case_id, task.step_id, task.kind), None


def record(agent, handed: Handed, *, disposition, started_at, ended_at, callback_at, naive):
    """Record the outcome of the call to the person (for the naive policy, then override
    what follows a non-contact). Returns (what the call settled, error or None): per
    follow-up settled, the lead first, (task id, step id, disposition, the task's next
    moment if it is still to be called, its kind)."""
    try:
        result = record_outcome(
            agent=agent,
            entry=handed.entry,
            idempotency_key=uuid.uuid4().hex,
            disposition=disposition,
            started_at=started_at,
            ended_at=ended_at,
            now=ended_at,
            callback_at=callback_at,
            claim_token=claim_token(handed.entry, agent),
        )
    except ValidationError as error:
        return [], f"{disposition}: {error.messages[0]}"
    attempts = [(a.task_id, a.disposition) for a in result.settled]
    for task_id, settled_as in attempts:
        if naive and settled_as in NON_CONTACTS:
            naive_override(task_id, started_at)
    tasks = {
        row[0]: row[1:]
        for row in m.FollowUpTask.objects.filter(pk__in=[t for t, _ in attempts]).values_list(
            "pk", "status", "kind", "earliest_at", "step_id"
        )
    }
    settled = []
    for task_id, settled_as in attempts:
        status, kind, earliest, step_id = tasks[task_id]
        planned = earliest if status == m.TaskStatus.PENDING else None
        settled.append((task_id, step_id, settled_as, planned, kind))
    return settled, None


def naive_override(task_id: int, started_at: dt.datetime) -> None:
    """Same wall time the next day; unreachable once the task has had 3 attempts."""
    attempts = m.FollowUpTask.objects.values_list("attempts", flat=True).get(pk=task_id)
    if attempts >= NAIVE_MAX_ATTEMPTS:
        changes = {"status": m.TaskStatus.UNREACHABLE}
    else:
        changes = {
            "status": m.TaskStatus.PENDING,
            "kind": "retry",
            "earliest_at": started_at + dt.timedelta(days=1),
        }
    names = {f.name for f in m.FollowUpTask._meta.concrete_fields}
    m.FollowUpTask.objects.filter(pk=task_id).update(
        **{name: value for name, value in changes.items() if name in names}
    )


def colleague_call_waiting(agent, now: dt.datetime) -> bool:
    """Today's list has a callable entry of another agent's waiting (or its lease expired),
    for a person nobody is on the phone with (one conversation at a time per person)."""
    on_the_phone = m.QueueEntry.objects.filter(
        status=m.QueueEntryStatus.CLAIMED, lease_expires_at__gte=now
    ).values("task__case__customer_id")
    return (
        m.QueueEntry.objects.filter(call_list__day=now.astimezone(ZONE).date())
        .filter(assigned_agent__isnull=False)
        .exclude(assigned_agent=agent)
        .filter(
            Q(status=m.QueueEntryStatus.WAITING)
            | Q(status=m.QueueEntryStatus.CLAIMED, lease_expires_at__lt=now)
        )
        .filter(task__status=m.TaskStatus.PENDING, task__case__status=m.CaseStatus.OPEN)
        .filter(task__case__customer__do_not_call=False)
        .filter(Q(task__earliest_at__isnull=True) | Q(task__earliest_at__lte=now))
        .exclude(task__case__customer_id__in=on_the_phone)
        .exists()
    )


def person_days() -> tuple[list[int], int]:
    """The phone calls made to each person on each local day, over the person-days with
    at least one call (a call settling several follow-ups is one call: its first attempt),
    and the number of person-days on which a person had more than one list entry."""
    calls = (
        m.CallAttempt.objects.filter(same_call_as__isnull=True)
        .annotate(day=TruncDate("started_at", tzinfo=ZONE))
        .values("task__case__customer_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("task__case__customer_id", "day", "n")
    )
    doubled = (
        m.QueueEntry.objects.values("call_list__day", "customer_id")
        .annotate(n=Count("pk"))
        .order_by()
        .filter(n__gt=1)
        .count()
    )
    return [n for _customer, _day, n in calls], doubled


def task_statuses() -> Counter:
    return Counter(m.FollowUpTask.objects.values_list("status", flat=True))


def in_window(world: World, moment: dt.datetime) -> bool:
    return is_callable(moment, world.rules)


def day_windows(world: World, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    return windows_on(day, world.rules)
