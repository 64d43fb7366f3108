"""Why we call (a Case) and each planned call of it (a FollowUpTask)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from followups.scheduling import NOT_REACHED
from followups.scheduling.after_call import REACHED

from .base import Created, Timestamped
from .fields import (
    json_object,
    optional_day,
    optional_fk,
    optional_moment,
    parent_fk,
    protected_fk,
    status_field,
)
from .plans import DEFAULT_ATTEMPT_BUDGET


class CaseKind(models.TextChoices):
    DISCHARGE = "discharge", _("Discharge follow-up")
    MISSED_APPOINTMENT = "missed_appointment", _("Missed appointment")
    CONSULTATION = "consultation", _("Consultation not yet booked")
    PURCHASE = "purchase", _("Purchase")
    POLICY = "policy", _("Insurance policy verification")
    AFTER_SALES = "after_sales", _("After-sales satisfaction")
    COMPLAINT = "complaint", _("Complaint follow-up")


class IntentClass(models.TextChoices):
    # Values are the ones followups.scheduling.IntentClass uses.
    A = "A", _("A: strong intent, every ~3 days")
    B = "B", _("B: hesitating, weekly")
    C = "C", _("C: not soon, every 2–4 weeks")
    D = "D", _("D: information only, greetings only")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TaskKind(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RETRY = "retry", _("Retry")
    CALLBACK = "callback", _("Callback")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    DONE = "done", _("Done")
    SUSPENDED = "suspended", _("Suspended")
    UNREACHABLE = "unreachable", _("Unreachable")
    WINDOW_MISSED = "window_missed", _("Window missed")
    CANCELLED = "cancelled", _("Cancelled")


class Case(Created):
    customer = protected_fk("followups.Customer", "cases", _("customer"))
    patient = optional_fk("followups.Patient", "cases", _("patient"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices)
    anchor_date = models.DateField(
        _("anchor date"), help_text=_("The event the plan counts from, e.g. the discharge date.")
    )
    intent_class = models.CharField(
        _("intent class"), max_length=1, choices=IntentClass.choices, blank=True
    )
    plan = optional_fk("followups.FollowUpPlan", "cases", _("plan"), on_delete=models.PROTECT)
    # Which rule chose the plan (services/plan_rules.py); plan_chosen_by says how it came.
    plan_rule = optional_fk("followups.PlanRule", "cases", _("plan rule"))
    plan_chosen_by = models.CharField(_("plan chosen"), max_length=8, blank=True)
    product = models.CharField(_("product or service"), max_length=120, blank=True)
    status = status_field(CaseStatus, CaseStatus.OPEN, max_length=10)
    closed_reason = models.CharField(_("closing reason"), max_length=200, blank=True)
    closed_at = optional_moment(_("closed at"))
    agent = optional_fk(
        settings.AUTH_USER_MODEL,
        "cases",
        _("agent"),
        help_text=_("The agent who keeps this case where possible."),
    )
    # Kept by record_outcome in the transaction that stores the call (migration 0019 filled
    # it for earlier calls): the 出院患者随访比例 counts a case once, reached or not.
    reached_at = optional_moment(
        _("first reached"),
        help_text=_("When a call first reached the person (complete or partial) on this case."),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-anchor_date", "pk"]
        indexes = [
            models.Index(fields=["status", "kind"], name="case_status_kind_idx"),
            models.Index(fields=["customer", "status"], name="case_customer_status_idx"),
            # The discharge follow-up indicator counts cases by their anchor date.
            models.Index(fields=["kind", "anchor_date"], name="case_kind_anchor_idx"),
            # What 回访率 reads of each case, in id order (reports/reach.py).
            models.Index(
                fields=["id"], include=["customer", "patient", "kind"], name="case_facts_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def plan_reason(self) -> str:
        """Why the case follows its plan, in a sentence (admin, API, the person's page)."""
        from .plan_rules import plan_reason

        return plan_reason(self)


class FollowUpTask(Timestamped):
    """One planned call of a case; retries and callbacks move it, they do not copy it."""

    case = parent_fk(Case, "tasks", _("case"))
    step = optional_fk("followups.PlanStep", "tasks", _("plan step"), on_delete=models.PROTECT)
    # A recurring step's calls count 1, 2, 3 …; every other task is its step's first.
    occurrence = models.PositiveSmallIntegerField(_("occurrence"), default=1, db_default=1)
    kind = models.CharField(
        _("kind"), max_length=10, choices=TaskKind.choices, default=TaskKind.SCHEDULED
    )
    status = status_field(TaskStatus, TaskStatus.PENDING, max_length=16)
    # The day the step fell due; never moved by retries (reports count a task on it).
    due_date = models.DateField(_("due date"))
    # The next call's moment: retries and callbacks move it, inside the follow-up window.
    earliest_at = optional_moment(_("next call not before"))
    window_ends_on = optional_day(
        _("follow-up window ends"),
        help_text=_("The last day this task may be called; after it the task is window missed."),
    )
    deadline = optional_day(_("deadline"))
    callback_at = optional_moment(_("booked callback"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(
        _("attempt budget"),
        default=DEFAULT_ATTEMPT_BUDGET,
        help_text=_("Calls nobody answers this task may make."),
    )
    outcome_counts = json_object(_("outcomes so far"), help_text=_("Disposition → count."))
    # The last call (by its start) as the reports read it, kept with the counters in the
    # transaction that stores each call (count_call): no subquery per task in a report.
    last_disposition = models.CharField(_("last call's disposition"), max_length=16, blank=True)
    last_agent = optional_fk(
        settings.AUTH_USER_MODEL, "+", _("agent of the last call"), db_index=False
    )
    last_call_at = optional_moment(_("last call started"))
    # A call of this task reached the person (complete or partial), kept by count_call: the
    # reports read it from the index below, without the task rows.
    # (A default in the database too, for the bulk inserts of the benches and imports.)
    reached = models.BooleanField(_("reached on a call"), default=False, db_default=False)
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    needs_number_fix = models.BooleanField(_("number needs fixing"), default=False)
    agent = optional_fk(settings.AUTH_USER_MODEL, "tasks", _("agent"))

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step", "occurrence"],
                condition=models.Q(step__isnull=False),
                name="one_task_per_case_step",
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__gte=1), name="task_max_attempts_positive"
            ),
        ]
        indexes = [
            # The list build reads open tasks by due date every morning; history does not
            # enter this index, so its cost follows what is due.
            # With the case, the supervisor's "due" and "overdue" are counted from it alone.
            models.Index(
                fields=["due_date"],
                include=["case"],
                condition=models.Q(status="pending"),
                name="task_open_due_idx",
            ),
            # The list build and the retry planner read open tasks by their next moment.
            models.Index(
                fields=["earliest_at"],
                condition=models.Q(status="pending"),
                name="task_open_earliest_idx",
            ),
            # With what 回访率 counts of a case's tasks, read in case order (reports/reach.py).
            models.Index(
                fields=["case", "status"],
                include=["due_date", "attempts", "reached"],
                name="task_case_status_idx",
            ),
            # Reports count due tasks of a period whatever their status
            # (bench/bench_reports.py: dashboard 1.73 s → 0.60 s at 1M calls), from this
            # index alone: what they group and count is in it (回访率 of a year at 1M
            # calls: 2.4 s → see bench/bench_reports.py).
            models.Index(
                fields=["due_date"],
                include=["case", "last_agent", "last_disposition", "status", "attempts", "reached"],
                name="task_due_facts_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.due_date}"

    @property
    def step_label(self) -> str:
        """Which of its case's follow-ups it is: its plan step ("Day 3"), or its kind (a
        booked callback, a retry) when no step made it. Reads the step: load it with the
        task where several are named."""
        return self.step.day_label if self.step_id else str(self.get_kind_display())

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.PENDING

    # What count_call changes: the fields a save after it names (with updated_at).
    CALL_FIELDS = (
        "attempts",
        "outcome_counts",
        "reached",
        "last_disposition",
        "last_agent",
        "last_call_at",
    )

    def count_call(self, *, disposition: str, agent_id: int, started_at) -> None:
        """One more call of this task: its counters and its last call move (not saved; its
        fields are CALL_FIELDS). A call recorded late but started earlier stays history,
        not the last call."""
        self.attempts += 1
        self.outcome_counts = {
            **self.outcome_counts,
            disposition: self.outcome_counts.get(disposition, 0) + 1,
        }
        self.reached = self.reached or disposition in REACHED
        if self.last_call_at is None or started_at >= self.last_call_at:
            self.last_disposition, self.last_agent_id = disposition, agent_id
            self.last_call_at = started_at

    @property
    def unanswered_calls(self) -> int:
        """Calls nobody answered (no answer, busy, phone off): what spends the budget."""
        return sum(self.outcome_counts.get(name, 0) for name in NOT_REACHED)

    @property
    def budget_left(self) -> int:
        return max(self.max_attempts - self.unanswered_calls, 0)
