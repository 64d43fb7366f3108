"""Serializers of the call endpoints: a claimed call (masked), why none, an outcome."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from followups.models import (
    CaseKind,
    Disposition,
    EscalationCategory,
    EscalationSeverity,
    IntentClass,
    QueueEntry,
    Satisfaction,
    ScriptVersion,
    TaskKind,
)
from followups.scheduling import FollowUpAction


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
    assigned_agent = serializers.IntegerField(
        source="assigned_agent_id",
        allow_null=True,
        read_only=True,
        help_text=_("Whose list the call is on (None: nobody's)."),
    )
    from_colleague = serializers.IntegerField(
        source="from_colleague_id",
        allow_null=True,
        read_only=True,
        help_text=_(
            "The colleague whose call this was, when it was taken from the team pool because"
            " you had none of your own to call now; None for your own calls."
        ),
    )
    priority = serializers.IntegerField(read_only=True)
    claimed_at = serializers.DateTimeField(allow_null=True, read_only=True)
    lease_expires_at = serializers.DateTimeField(allow_null=True, read_only=True)
    script_version = serializers.IntegerField(
        source="script_version_to_use",
        allow_null=True,
        read_only=True,
        help_text=_("The script version to use: published for the step's script at claim time."),
    )
    claim_token = serializers.CharField(
        read_only=True,
        help_text=_(
            "Send it with the outcome: it proves the call was handed to you, should the "
            "lease run out and another agent take the call before you submit."
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


class OutcomeInputSerializer(serializers.Serializer):
    """An outcome as the call screen submits it; the service checks the rest."""

    entry = serializers.PrimaryKeyRelatedField(queryset=QueueEntry.objects.all())
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
        help_text=_("The claim_token of queue/next: needed only once the call is no longer yours."),
    )


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


class OutcomeSerializer(serializers.Serializer):
    """What was recorded; the same body on a replay of the same idempotency key."""

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
