"""The day's call lists, the calls made (attempts and answers) and the problems they raise."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .cases import IntentClass
from .fields import json_object, optional_fk, optional_moment, parent_fk, protected_fk, status_field


class CallList(models.Model):
    """The list of calls for one day, built each morning; its report says what was skipped."""

    day = models.DateField(_("day"), unique=True)
    built_at = optional_moment(_("built at"))
    report = json_object(
        _("build report"),
        help_text=_("Counts added and skipped by reason."),
    )

    class Meta:
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)


class QueueEntryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Why an agent put a held call back (services/list_choices.put_back; kept in its audit event).
PUT_BACK_REASONS = (
    ("colleague", _("A colleague should make this call (language, department)")),
    ("prepare", _("I need to look something up first")),
    ("line", _("Phone line or headset problem")),
    ("other", _("Another reason")),
)


class QueueEntry(models.Model):
    """One person on one day's list: one call for every follow-up of theirs that is due.

    `task` is the entry's lead follow-up (the one that decides when the person may be
    called and how urgent the call is); the others due that day ride along and are read
    when the call is made (services/person_calls.py), so a case opened or a callback moved
    during the day joins the same call."""

    call_list = parent_fk(CallList, "entries", _("call list"))
    customer = parent_fk("followups.Customer", "queue_entries", _("person"))
    task = parent_fk("followups.FollowUpTask", "queue_entries", _("lead follow-up"))
    calls_made = models.PositiveSmallIntegerField(
        _("calls made"),
        default=0,
        help_text=_("Calls made to the person on this list's day (at most the daily limit)."),
    )
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Lower is called first."))
    assigned_agent = optional_fk(settings.AUTH_USER_MODEL, "assigned_entries", _("assigned agent"))
    status = status_field(QueueEntryStatus, QueueEntryStatus.WAITING, max_length=10)
    claimed_by = optional_fk(settings.AUTH_USER_MODEL, "claimed_entries", _("claimed by"))
    claimed_at = optional_moment(_("claimed at"))
    lease_expires_at = optional_moment(_("lease expires at"))
    closed_at = optional_moment(_("closed at"))

    class Meta:
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue entries")
        ordering = ["call_list", "priority", "pk"]
        constraints = [
            # One list per day, so this is "one entry per task per day".
            models.UniqueConstraint(
                fields=["call_list", "task"], name="one_entry_per_task_per_day"
            ),
            models.UniqueConstraint(
                fields=["call_list", "customer"], name="one_entry_per_person_per_day"
            ),
        ]
        indexes = [
            # The claim walks these in hand-out order and stops at the first callable
            # entry (services/claim_sql.py): the pool's, and each agent's own.
            models.Index(
                fields=["call_list", "priority", "id"],
                condition=models.Q(status="waiting"),
                name="entry_waiting_idx",
            ),
            models.Index(
                fields=["call_list", "assigned_agent", "priority", "id"],
                condition=models.Q(status="waiting"),
                name="entry_waiting_own_idx",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(status="claimed"),
                name="entry_lease_idx",
            ),
            # "The call this agent holds": read first by every claim.
            models.Index(
                fields=["claimed_by", "lease_expires_at"],
                condition=models.Q(status="claimed"),
                name="entry_held_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_list} #{self.pk}"

    def save(self, *args, **kwargs):
        # The person is the lead follow-up's customer; entries made from a task alone (the
        # admin, tests) get it here.
        if self.customer_id is None and self.task_id is not None:
            self.customer_id = (
                type(self)
                .task.field.related_model.objects.filter(pk=self.task_id)
                .values_list("case__customer_id", flat=True)
                .get()
            )
        super().save(*args, **kwargs)


class AAPORGroup(models.TextChoices):
    """AAPOR final disposition groups (Standard Definitions), from which RR1, COOP1,
    REF1 and CON1 are computed."""

    INTERVIEW = "I", _("Complete interview")
    PARTIAL = "P", _("Partial interview")
    REFUSAL = "R", _("Refusal and break-off")
    NON_CONTACT = "NC", _("Non-contact")
    OTHER = "O", _("Other eligible, non-interview")
    UNKNOWN_HOUSEHOLD = "UH", _("Unknown if reachable")
    NOT_ELIGIBLE = "NE", _("Not eligible")


class Disposition(models.TextChoices):
    # Values are the ones followups.scheduling's retry rules use.
    COMPLETE = "complete", _("Reached: complete")
    PARTIAL = "partial", _("Reached: partial")
    FAMILY = "family", _("Family member answered")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    PHONE_OFF = "phone_off", _("Phone off or suspended")
    WRONG_NUMBER = "wrong_number", _("Wrong or empty number")
    REFUSED = "refused", _("Refused")
    CALLBACK = "callback", _("Asked for a callback")
    DECEASED = "deceased", _("Deceased")


# The AAPOR codes behind each group: 1.1 complete, 1.2 partial, 2.11 refusal,
# 2.21 respondent unavailable (a relative answered), 2.31 deceased, 2.1x appointment
# (a callback is a contact that did not yet give an interview), 3.12/3.13 busy or no
# answer, 4.3x non-working or wrong number.
AAPOR_GROUP_OF = {
    Disposition.COMPLETE: AAPORGroup.INTERVIEW,
    Disposition.PARTIAL: AAPORGroup.PARTIAL,
    Disposition.REFUSED: AAPORGroup.REFUSAL,
    Disposition.FAMILY: AAPORGroup.NON_CONTACT,
    Disposition.CALLBACK: AAPORGroup.OTHER,
    Disposition.DECEASED: AAPORGroup.OTHER,
    Disposition.NO_ANSWER: AAPORGroup.UNKNOWN_HOUSEHOLD,
    Disposition.BUSY: AAPORGroup.UNKNOWN_HOUSEHOLD,
    Disposition.PHONE_OFF: AAPORGroup.UNKNOWN_HOUSEHOLD,
    Disposition.WRONG_NUMBER: AAPORGroup.NOT_ELIGIBLE,
}

REACHED_DISPOSITIONS = frozenset({Disposition.COMPLETE, Disposition.PARTIAL})


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    POOR = "poor", _("Poor")


class CallAttempt(models.Model):
    """The outcome record of one call: never edited away, never lost."""

    task = protected_fk("followups.FollowUpTask", "attempts_made", _("task"))
    queue_entry = optional_fk(QueueEntry, "attempts", _("queue entry"))
    agent = protected_fk(settings.AUTH_USER_MODEL, "call_attempts", _("agent"))
    # The person called and the patient record of the task's case, copied when the call is
    # recorded: the reports group calls by them without going through task and case.
    customer = optional_fk("followups.Customer", "+", _("person called"), db_index=False)
    patient = optional_fk("followups.Patient", "+", _("patient record"), db_index=False)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    dialled_number = PhoneNumberField(_("number dialled"), blank=True)
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices)
    script_version = optional_fk(
        "scripts.ScriptVersion", "attempts", _("script version"), on_delete=models.PROTECT
    )
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    intent_class = models.CharField(
        _("intent class after the call"),
        max_length=1,
        choices=IntentClass.choices,
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    callback_at = optional_moment(_("callback at"))
    # Clients send keys of at most 64 characters; the other follow-ups settled on the same
    # call store the key with "#<task id>" added.
    idempotency_key = models.CharField(_("idempotency key"), max_length=90, unique=True)
    same_call_as = optional_fk(
        "self",
        "settled_with",
        _("recorded on the call of"),
        on_delete=models.CASCADE,
        help_text=_(
            "Set on the other follow-ups settled on one call to a person: the attempt of the"
            " call's lead follow-up. Counts of calls leave these out."
        ),
    )
    submit_digest = models.CharField(
        _("fingerprint of the submit"),
        max_length=64,
        blank=True,
        help_text=_("Tells a replay of the submit from another submit reusing its key."),
    )
    claimed_at = optional_moment(
        _("claimed at"),
        help_text=_("The claim the outcome was recorded under: one outcome a claim."),
    )
    rules_check = models.CharField(
        _("calling rules"),
        max_length=8,
        blank=True,
        choices=[
            ("window", _("in a window")),
            ("booked", _("booked callback")),
            ("outside", _("outside the rules")),
        ],
        help_text=_("How the call stood with the rules in force when it was made."),
    )
    rules_in_force = json_object(
        _("rules in force"),
        help_text=_("The calling rules of the day of the call, as they were then."),
    )
    follow_up = json_object(
        _("what the call led to"),
        help_text=_("The next step decided when the outcome was recorded (action, time, reason)."),
    )
    after_lease_lost = models.BooleanField(
        _("submitted after the lease was lost"),
        default=False,
        help_text=_("Stored all the same, and flagged for the supervisor."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        permissions = [
            ("work_queue", "Can work the daily call queue"),
            ("review_outcomes", "Can review outcomes, escalations and reports"),
            ("read_outcomes", "Can read outcomes, reviews, escalations and reports"),
            ("export_data", "Can export outcome data"),
        ]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["-started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gte=models.F("started_at")),
                name="attempt_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["queue_entry", "agent", "claimed_at"],
                condition=models.Q(same_call_as__isnull=True, claimed_at__isnull=False),
                name="attempt_one_outcome_a_claim",
            ),
        ]
        indexes = [
            # The calls of a period by script version: the dashboard's version table reads
            # them from this index alone (no write more than the plain index it replaced).
            models.Index(
                fields=["started_at"],
                include=["script_version", "disposition"],
                name="attempt_started_idx",
            ),
            models.Index(fields=["agent", "started_at"], name="attempt_agent_started_idx"),
            models.Index(fields=["task", "started_at"], name="attempt_task_started_idx"),
            # What the reports read from the calls of a period without the call rows: the
            # people each agent reached, the satisfaction answers by patient and agent, the
            # calls not kept as inside a calling window (none or few).
            # The calls (first attempts) with what the agent figures count of them.
            models.Index(
                fields=["started_at"],
                include=["id", "agent", "rules_check", "disposition", "ended_at"],
                condition=models.Q(same_call_as__isnull=True),
                name="attempt_calls_idx",
            ),
            models.Index(
                fields=["started_at"],
                include=["agent", "customer"],
                condition=models.Q(disposition__in=sorted(REACHED_DISPOSITIONS)),
                name="attempt_reached_people_idx",
            ),
            models.Index(
                fields=["started_at"],
                include=["agent", "patient", "satisfaction"],
                condition=~models.Q(satisfaction=""),
                name="attempt_rated_idx",
            ),
            models.Index(
                fields=["started_at"],
                include=["satisfaction"],
                condition=~models.Q(satisfaction="") & ~models.Q(notes=""),
                name="attempt_remarks_idx",
            ),
            models.Index(
                fields=["started_at"],
                condition=models.Q(rules_check__in=["", "booked", "outside"]),
                name="attempt_not_in_window_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_disposition_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def aapor_group(self) -> AAPORGroup:
        return AAPOR_GROUP_OF[Disposition(self.disposition)]

    @property
    def reached(self) -> bool:
        return self.disposition in REACHED_DISPOSITIONS

    @property
    def handle_seconds(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds())


class ScriptAnswer(models.Model):
    """One step of the path a call took through its script version."""

    # No index of its own: the unique (attempt, position) below leads with it.
    attempt = parent_fk(CallAttempt, "answers", _("call attempt"), db_index=False)
    position = models.PositiveSmallIntegerField(_("position in the path"))
    node_id = models.CharField(_("node"), max_length=60)
    value = models.TextField(_("answer"), blank=True)
    is_objection = models.BooleanField(_("objection handler"), default=False)
    shown_text = models.TextField(
        _("text shown"),
        blank=True,
        help_text=_("The step's text as the agent was shown it (empty where it was hidden)."),
    )

    class Meta:
        verbose_name = _("script answer")
        verbose_name_plural = _("script answers")
        ordering = ["attempt", "position"]
        constraints = [
            # Covering: a call's last node and the steps by node are read from the index.
            models.UniqueConstraint(
                fields=["attempt", "position"],
                include=["node_id", "is_objection"],
                name="one_answer_per_path_position",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_id}={self.value}"


class EscalationCategory(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    SERVICE = "service", _("Service")
    PRODUCT = "product", _("Product")
    BILLING = "billing", _("Billing")
    TECHNICAL = "technical", _("Technical")
    COMPLAINT = "complaint", _("Complaint")


class EscalationSeverity(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")


class Escalation(models.Model):
    """A problem heard on a call, followed until someone has verified it is solved."""

    case = protected_fk("followups.Case", "escalations", _("case"))
    attempt = optional_fk(CallAttempt, "escalations", _("raised on call"))
    category = models.CharField(_("category"), max_length=12, choices=EscalationCategory.choices)
    severity = models.CharField(
        _("severity"),
        max_length=8,
        choices=EscalationSeverity.choices,
        default=EscalationSeverity.NORMAL,
    )
    department = optional_fk("followups.Department", "escalations", _("department"))
    owner = optional_fk(settings.AUTH_USER_MODEL, "escalations_owned", _("owner"))
    description = models.TextField(_("description"))
    status = status_field(EscalationStatus, EscalationStatus.OPEN, max_length=12)
    due_at = models.DateTimeField(_("due at"))
    resolution = models.TextField(_("resolution"), blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    acknowledged_at = optional_moment(_("acknowledged at"))
    resolved_at = optional_moment(_("resolved at"))
    verified_at = optional_moment(_("verified at"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="escalation_unresolved_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} / {self.get_severity_display()} #{self.pk}"


class CallReview(models.Model):
    """A supervisor's quality review of one call."""

    attempt = parent_fk(CallAttempt, "reviews", _("call"))
    reviewer = protected_fk(settings.AUTH_USER_MODEL, "call_reviews", _("reviewer"))
    score = models.PositiveSmallIntegerField(_("score (0–100)"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)
    # The call's start and agent, copied when the review is saved: the agent figures
    # average the scores of a period's calls from the reviews alone (call_review_idx).
    call_started_at = models.DateTimeField(_("call started at"), null=True, editable=False)
    call_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        editable=False,
        db_index=False,
        verbose_name=_("agent of the call"),
    )

    class Meta:
        verbose_name = _("call review")
        verbose_name_plural = _("call reviews")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="review_score_at_most_100"
            )
        ]
        indexes = [
            models.Index(
                fields=["call_started_at"],
                include=["call_agent", "score"],
                name="call_review_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt} {self.score}"

    def save(self, *args, **kwargs):
        self.call_started_at, self.call_agent_id = self.attempt.started_at, self.attempt.agent_id
        super().save(*args, **kwargs)
