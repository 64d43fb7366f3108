"""The reads behind a person's page: who they are, their cases with plan and steps, the
follow-ups, calls, list entries, escalations, reviews, imports and audit events that touched
them, and when to call them. A fixed number of queries, whatever the history."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, QuerySet

from followups.models import (
    AuditEvent,
    CallAttempt,
    CallingPolicy,
    CallReview,
    Case,
    CaseStatus,
    Customer,
    Escalation,
    FollowUpTask,
    ImportJob,
    ImportJobStatus,
    PlanStep,
    QueueEntry,
    TaskStatus,
)
from followups.scheduling import BestTime, CallingRules, ReachRecord, best_time
from followups.selectors.audit_trail import person_events_q
from followups.selectors.people_search import findable_q, may_search
from followups.selectors.policies import calling_rules, default_policy_id

# A follow-up held for a wrong or missing number waits suspended or pending.
HELD = (TaskStatus.SUSPENDED, TaskStatus.PENDING)
SHOWN_ENTRIES = 20
SHOWN_AUDIT_EVENTS = 50
SHOWN_IMPORTS = 10
# Imports of the person's hospital read when the database cannot search inside a report.
IMPORTS_READ = 200


@dataclass
class PersonPage:
    customer: Customer
    cases: list[Case]
    tasks: list[FollowUpTask]
    calls: list[CallAttempt]
    entries: list[QueueEntry]
    escalations: list[Escalation]
    best_time: BestTime
    # What only those who review calls read: reviews, imports and the audit trail.
    reviews: list[CallReview] = field(default_factory=list)
    imports: list[ImportJob] = field(default_factory=list)
    audit_events: list[AuditEvent] = field(default_factory=list)

    @property
    def held_for_number(self) -> int:
        """The follow-ups of open cases held until the number on file is fixed: those
        services/people.resume_after_number_fix puts back on the lists."""
        open_ids = {case.pk for case in self.cases if case.is_open}
        return sum(
            1
            for task in self.tasks
            if task.needs_number_fix and task.status in HELD and task.case_id in open_ids
        )


def findable(user, customer_id: int) -> bool:
    """Whether `user` may open the person's page: one who may search people (not a
    department head), and finds them there."""
    return may_search(user) and Customer.objects.filter(findable_q(user), pk=customer_id).exists()


def person_page(*, customer: Customer, full: bool) -> PersonPage:
    """Everything a person's page shows; `full` adds reviews, imports and the audit trail
    (for those who review calls). `customer` comes with its patient (person_with_stay)."""
    cases = list(
        Case.objects.filter(customer=customer)
        .select_related("plan", "agent", "patient")
        .prefetch_related(
            Prefetch("plan__steps", queryset=PlanStep.objects.select_related("script"))
        )
        .order_by("-status", "-anchor_date", "-pk")
    )
    tasks = list(
        FollowUpTask.objects.filter(case__customer=customer)
        .select_related("step", "agent")
        .order_by("-due_date", "-pk")
    )
    by_case: dict[int, list[FollowUpTask]] = {}
    for task in tasks:
        by_case.setdefault(task.case_id, []).append(task)
    for case in cases:
        case.task_list = sorted(by_case.get(case.pk, []), key=lambda t: (t.due_date, t.pk))
    calls_all = list(
        CallAttempt.objects.filter(task__case__customer=customer)
        .select_related("agent", "task__step")
        .order_by("-started_at", "-pk")
    )
    calls = [call for call in calls_all if call.same_call_as_id is None]
    page = PersonPage(
        customer=customer,
        cases=cases,
        tasks=tasks,
        calls=calls,
        entries=list(
            QueueEntry.objects.filter(customer=customer)
            .select_related("call_list", "assigned_agent", "claimed_by")
            .order_by("-call_list__day", "-pk")[:SHOWN_ENTRIES]
        ),
        escalations=list(
            Escalation.objects.filter(case__customer=customer)
            .select_related("owner", "department")
            .order_by("-created_at", "-pk")
        ),
        best_time=_best_time(customer, cases, calls_all),
    )
    if full:
        page.reviews = list(
            CallReview.objects.filter(attempt__task__case__customer=customer)
            .select_related("reviewer", "attempt")
            .order_by("-created_at", "-pk")
        )
        page.imports = _imports(customer)
        page.audit_events = list(_audit_events(page)[:SHOWN_AUDIT_EVENTS])
    return page


def person_with_stay(customer_id: int) -> QuerySet[Customer]:
    return Customer.objects.select_related("patient__hospital", "patient__department").filter(
        pk=customer_id
    )


def _rules(customer: Customer, cases: list[Case]) -> CallingRules:
    """The calling rules of the person's first open case with a plan, else the default."""
    planned = [c for c in cases if c.status == CaseStatus.OPEN and c.plan_id]
    policy_id = planned[0].plan.calling_policy_id if planned else default_policy_id()
    policy = (
        CallingPolicy.objects.prefetch_related("windows", "holiday_overrides")
        .filter(pk=policy_id)
        .first()
        if policy_id
        else None
    )
    rules = calling_rules(policy) if policy is not None else CallingRules()
    return rules.for_timezone(customer.timezone)


def _best_time(customer: Customer, cases: list[Case], calls: list[CallAttempt]) -> BestTime:
    """When to call the person, from their own calls and stated preference (as
    services/contact.best_time_for says it, read from the calls already on the page)."""
    rules = _rules(customer, cases)
    record = ReachRecord.of_calls(((c.started_at, c.disposition) for c in calls), rules)
    return best_time(record=record, stated=customer.preferred_slot)


def _imports(customer: Customer) -> list[ImportJob]:
    """The committed imports whose report names the patient's 住院号 at their hospital."""
    patient = getattr(customer, "patient", None)
    if patient is None:
        return []
    jobs = ImportJob.objects.filter(
        hospital_id=patient.hospital_id, dry_run=False, status=ImportJobStatus.DONE
    ).select_related("created_by")
    mrn = patient.medical_record_number
    if connection.vendor == "postgresql":
        # A report's rows are [row, 住院号, outcome, reasons]: jsonb containment finds one.
        return list(jobs.filter(report__rows__contains=[[mrn]]).order_by("-pk")[:SHOWN_IMPORTS])
    found = []
    for job in jobs.order_by("-pk")[:IMPORTS_READ]:
        if any(len(row) > 1 and row[1] == mrn for row in (job.report or {}).get("rows", [])):
            found.append(job)
    return found[:SHOWN_IMPORTS]


def _audit_events(page: PersonPage) -> QuerySet[AuditEvent]:
    """Events about the person, their stay, cases, calls, list entries, escalations and
    the imports that named them (all of them, not only those the page lists)."""
    match = person_events_q(page.customer.pk, extra={ImportJob: [job.pk for job in page.imports]})
    return AuditEvent.objects.filter(match).select_related("actor").order_by("-at", "-pk")
