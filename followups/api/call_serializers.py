"""Serializers of the call endpoints: a claimed call (masked) with the follow-ups it covers,
why none, an outcome and what it settled."""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from followups.models import (
    CaseKind,
    Disposition,
    EscalationCategory,
    EscalationSeverity,
    IntentClass,
    QueueEntry,
    Satisfaction,
    TaskKind,
)
from followups.scheduling import CallFollowUp, FollowUpAction
from followups.services.outcome_input import SPOKEN_TO
from scripts.models import ScriptVersion


def optional_id(source: str, help_text) -> serializers.IntegerField:
    """A read-only id a claimed call may lack (None)."""
    return serializers.IntegerField(
        source=source, allow_null=True, read_only=True, help_text=help_text
    )


class PlanStepBriefSerializer(serializers.Serializer):
    """The plan step a follow-up is for, named without its plan (no further query)."""

    id = serializers.IntegerField(read_only=True)
    offset_days = serializers.IntegerField(
        read_only=True, help_text=_("Days after the case's anchor date (e.g. discharge).")
    )
    label = serializers.SerializerMethodField()

    def get_label(self, step) -> str:
        return step.day_label


class CarriedTaskSerializer(serializers.Serializer):
    """One follow-up a call to a person covers (person_calls.carried_tasks), with what the
    call screen needs to go through it: its own script version and what is left of its
    budget. Serializes FollowUpTask instances to which the claim view attaches
    `script_version_to_use`."""

    task = serializers.IntegerField(source="pk", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_kind = serializers.ChoiceField(
        source="case.kind", choices=CaseKind.choices, read_only=True
    )
    task_kind = serializers.ChoiceField(source="kind", choices=TaskKind.choices, read_only=True)
    step = PlanStepBriefSerializer(allow_null=True, read_only=True)
    due_date = serializers.DateField(read_only=True)
    callback_at = serializers.DateTimeField(allow_null=True, read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    budget_left = serializers.IntegerField(
        read_only=True, help_text=_("Calls nobody answers this follow-up may still make.")
    )
    script_version = optional_id(
        "script_version_to_use",
        _("The script version to use for this follow-up, as for the call's own."),
    )


class ClaimedCallSerializer(serializers.Serializer):
    """A call handed to the agent: enough to start it, with the number masked. Serializes
    `Claim.entry`, to which claim_next_call attaches the department and script version.
    A plain Serializer: a ModelSerializer rebuilds its fields from the model on every use,
    which cost more than the claim itself."""

    id = serializers.IntegerField(read_only=True)
    task = serializers.IntegerField(source="task_id", read_only=True)
    case = serializers.IntegerField(source="task.case_id", read_only=True)
    case_kind = serializers.ChoiceField(
        source="task.case.kind", choices=CaseKind.choices, read_only=True
    )
    task_kind = serializers.ChoiceField(
        source="task.kind", choices=TaskKind.choices, read_only=True
    )
    customer_honorific = serializers.CharField(
        source="task.case.customer.honorific", read_only=True
    )
    masked_phone = serializers.CharField(source="task.case.customer.masked_phone", read_only=True)
    department = serializers.CharField(source="department_name", allow_null=True, read_only=True)
    due_date = serializers.DateField(source="task.due_date", read_only=True)
    callback_at = serializers.DateTimeField(
        source="task.callback_at", allow_null=True, read_only=True
    )
    assigned_agent = optional_id(
        "assigned_agent_id", _("Whose list the call is on (None: nobody's).")
    )
    from_colleague = optional_id(
        "from_colleague_id",
        _(
            "The colleague whose call this was, when it was taken from the team pool because"
            " you had none of your own to call now; None for your own calls."
        ),
    )
    priority = serializers.IntegerField(read_only=True)
    claimed_at = serializers.DateTimeField(allow_null=True, read_only=True)
    lease_expires_at = serializers.DateTimeField(allow_null=True, read_only=True)
    script_version = optional_id(
        "script_version_to_use",
        _("The script version to use: published for the step's script at claim time."),
    )
    claim_token = serializers.CharField(
        read_only=True,
        help_text=_(
            "Send it with the call's outcome: the proof the call was handed to you, still "
            "good should the lease run out and another agent take the call before you submit."
        ),
    )
    tasks = CarriedTaskSerializer(
        source="carried",
        many=True,
        read_only=True,
        help_text=_(
            "Every follow-up of the person this call covers, the call's own (the fields "
            "above) first: one call to a person settles them all."
        ),
    )


class LeaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = QueueEntry
        fields = ["id", "lease_expires_at"]
        read_only_fields = fields


class PhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(help_text=_("E.164, e.g. +8613800138000"))


class AnswerInputSerializer(serializers.Serializer):
    node_id = serializers.CharField(max_length=60)
    value = serializers.CharField(allow_blank=True, required=False, default="")
    is_objection = serializers.BooleanField(required=False, default=False)


class EscalationInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=EscalationCategory.choices)
    severity = serializers.ChoiceField(
        choices=EscalationSeverity.choices, default=EscalationSeverity.NORMAL
    )
    description = serializers.CharField()


class TaskPartInputSerializer(serializers.Serializer):
    """What the call said about one of the follow-ups it covers (the claim's `tasks`)."""

    task = serializers.IntegerField(min_value=1, help_text=_("A task id from the claim's tasks."))
    script_version = serializers.PrimaryKeyRelatedField(
        queryset=ScriptVersion.objects.all(), required=False, allow_null=True, default=None
    )
    answers = AnswerInputSerializer(many=True, required=False, default=list)
    disposition = serializers.ChoiceField(
        choices=[(value, label) for value, label in Disposition.choices if value in SPOKEN_TO],
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Only when the person was spoken to: this follow-up's own outcome. Empty: the "
            "call's disposition."
        ),
    )
    apart = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Not discussed on this call (only when the person was spoken to): it stays open "
            "and no attempt is recorded for it."
        ),
    )
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, required=False, allow_blank=True, default=""
    )
    intent_class = serializers.ChoiceField(
        choices=IntentClass.choices, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict) -> dict:
        # What is said about a follow-up not discussed would be dropped without a word.
        if attrs["apart"] and (attrs["answers"] or attrs["disposition"]):
            raise serializers.ValidationError(
                _("A follow-up not discussed on the call has no answers or disposition.")
            )
        return attrs


class EntryReference(serializers.PrimaryKeyRelatedField):
    """The queue entry an outcome names, by id, not read here: the claim token the service
    checks names the entry, and the outcome reads it anyway (locked). What this answers is
    the entry with its fields deferred (each loads when first read); `refuse_if_gone` is
    the error a missing entry always had."""

    def __init__(self, **kwargs):
        super().__init__(queryset=QueueEntry.objects.all(), **kwargs)

    def to_internal_value(self, data) -> QueueEntry:
        # As queryset.get(pk=data) would take it: "7" and 7 alike, True or "seven" refused.
        try:
            if isinstance(data, bool):
                raise TypeError
            pk = QueueEntry._meta.pk.get_prep_value(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        entry = QueueEntry.from_db(QueueEntry.objects.db, ["id"], [pk])
        entry.named_as = data
        return entry

    def refuse_if_gone(self, entry: QueueEntry) -> None:
        """The field's error (a ValidationError by field) when no entry has that id."""
        if not QueueEntry.objects.filter(pk=entry.pk).exists():
            try:
                self.fail("does_not_exist", pk_value=getattr(entry, "named_as", entry.pk))
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"entry": error.detail}) from None


class OutcomeInputSerializer(serializers.Serializer):
    """An outcome as the call screen submits it; the service checks the rest."""

    entry = EntryReference()
    idempotency_key = serializers.CharField(
        max_length=64,
        required=False,
        help_text=_("Required here or in the Idempotency-Key header; a repeat returns the first."),
    )
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    script_version = serializers.PrimaryKeyRelatedField(
        queryset=ScriptVersion.objects.all(), required=False, allow_null=True
    )
    answers = AnswerInputSerializer(many=True, required=False)
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, required=False, allow_blank=True, default=""
    )
    intent_class = serializers.ChoiceField(
        choices=IntentClass.choices, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    callback_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "With disposition callback: the time the customer asked to be called back. With"
            " family: when the relative said the patient can be reached (optional)."
        ),
    )
    escalation = EscalationInputSerializer(required=False, allow_null=True, default=None)
    do_not_call = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "The customer asked never to be called again: do-not-call, planned calls cancelled."
        ),
    )
    claim_token = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "The claim_token queue/next answered with when it handed you this call: the "
            "proof you may record it (without it: 403), even once the call is no longer yours."
        ),
    )
    tasks = TaskPartInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text=_(
            "The other follow-ups the call covered (the claim's tasks), each with its own "
            "script path; one left out gets the call's disposition and no answers. The "
            "call's own script path stays in script_version and answers above."
        ),
    )

    def validate_tasks(self, parts: list[dict]) -> list[dict]:
        seen = [part["task"] for part in parts]
        if len(seen) != len(set(seen)):
            raise serializers.ValidationError(_("Give each follow-up once."))
        return parts


class FollowUpSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[(action.value, action.value) for action in FollowUpAction]
    )
    earliest = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class RaisedEscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    severity = serializers.CharField()
    due_at = serializers.DateTimeField()


class SettledAttemptSerializer(serializers.Serializer):
    """One follow-up's attempt on the call and what follows for it."""

    attempt = serializers.IntegerField()
    task = serializers.IntegerField()
    disposition = serializers.CharField()
    script_version = serializers.IntegerField(allow_null=True)
    follow_up = FollowUpSerializer(
        allow_null=True, help_text=_("None only for calls recorded before it was kept.")
    )


# One instance answers for every attempt (to_representation reads its fields, changes
# nothing): building a serializer's fields anew is most of what serializing one costs.
SETTLED_ATTEMPT = SettledAttemptSerializer()


class OutcomeSerializer(serializers.Serializer):
    """What was recorded; the same body on a replay of the same idempotency key. The
    top-level attempt fields describe the call's first settled follow-up."""

    attempt = serializers.IntegerField(source="attempt.pk")
    idempotency_key = serializers.CharField(source="attempt.idempotency_key")
    entry = serializers.IntegerField(source="attempt.queue_entry_id", allow_null=True)
    task = serializers.IntegerField(source="attempt.task_id")
    disposition = serializers.CharField(source="attempt.disposition")
    started_at = serializers.DateTimeField(source="attempt.started_at")
    ended_at = serializers.DateTimeField(source="attempt.ended_at")
    script_version = serializers.IntegerField(source="attempt.script_version_id", allow_null=True)
    after_lease_lost = serializers.BooleanField(source="attempt.after_lease_lost")
    follow_up = FollowUpSerializer()
    escalation = RaisedEscalationSerializer(allow_null=True)
    settled = serializers.SerializerMethodField()
    kept_open = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=_("The follow-ups (task ids) marked as not discussed: still open, no attempt."),
    )

    @extend_schema_field(SettledAttemptSerializer(many=True))
    def get_settled(self, result) -> list[dict]:
        """Every attempt of the call, the first one first. Its follow-up is the result's
        own; the others' are read back from what was stored with them, so a replay says
        the same."""
        attempts = result.settled or (result.attempt,)
        return [
            SETTLED_ATTEMPT.to_representation(
                {
                    "attempt": attempt.pk,
                    "task": attempt.task_id,
                    "disposition": attempt.disposition,
                    "script_version": attempt.script_version_id,
                    "follow_up": (
                        result.follow_up
                        if attempt.pk == result.attempt.pk
                        else stored_follow_up(attempt)
                    ),
                }
            )
            for attempt in attempts
        ]


def stored_follow_up(attempt) -> CallFollowUp | None:
    """The follow-up kept with an attempt (outcome_replay.stored_follow_up); None when none
    was kept."""
    stored = attempt.follow_up or {}
    if not stored.get("action"):
        return None
    earliest = stored.get("earliest")
    return CallFollowUp(
        FollowUpAction(stored["action"]),
        dt.datetime.fromisoformat(earliest) if earliest else None,
        stored.get("reason", ""),
    )
