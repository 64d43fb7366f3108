"""The call endpoints: claim the next call (to a person: every follow-up of theirs it
covers), keep it, reveal its number, record its outcome; and /ping/, the cheapest
authenticated request (the benchmark's framework floor)."""

import dataclasses
from collections.abc import Mapping
from urllib.parse import quote

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.api.call_serializers import (
    ClaimedCallSerializer,
    LeaseSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    PhoneSerializer,
)
from followups.clock import center_day
from followups.models import (
    CallList,
    QueueEntry,
)
from followups.roles import WORK_QUEUE
from followups.services.claims import REASONS, claim_next_call, script_versions_to_use
from followups.services.leases import NotHanded, claim_token, renew_lease, reveal_phone
from followups.services.outcomes import OutcomeConflict, TaskPart, record_outcome
from followups.services.person_calls import carried_tasks

TAGS = ["calls"]
# One instance for every response: building a serializer's fields (a deep copy each time)
# costs a third of a claim; to_representation reads them and changes nothing.
CLAIMED_CALL = ClaimedCallSerializer()
NO_SUCH_ENTRY = OpenApiResponse(description="No such entry.")
# An item of the outcome's `tasks` has a field for each of TaskPart's (and the task's id).
PART_FIELDS = [field.name for field in dataclasses.fields(TaskPart)]
# The outcome's serializers, one instance each for every request, as CLAIMED_CALL: checking
# a submit with run_validation keeps nothing on the instance, and building their fields
# anew cost more than the checks.
OUTCOME_INPUT = OutcomeInputSerializer()
OUTCOME = OutcomeSerializer()


class WorksTheQueue(BasePermission):
    message = _("Your role does not work the call queue.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(WORK_QUEUE))


def field_errors(error: DjangoValidationError) -> dict | list:
    return error.message_dict if hasattr(error, "error_dict") else error.messages


def attach_carried(entry: QueueEntry) -> QueueEntry:
    """Add `carried` to a claimed entry: the follow-ups its call covers, lead first, each
    with the script version to use. One query for the follow-ups (their case, customer
    and step joined), and one for the script versions only when there are others than
    the lead, whose version the claim already read.

    The list's day is not read from the database: a claim only hands out entries of the
    list of its own centre day, so the entry's list is that of the day it was claimed."""
    if entry.claimed_at is not None and not QueueEntry.call_list.is_cached(entry):
        QueueEntry.call_list.field.set_cached_value(
            entry, CallList(pk=entry.call_list_id, day=center_day(entry.claimed_at))
        )
    tasks = carried_tasks(entry)
    versions = script_versions_to_use([task for task in tasks if task.pk != entry.task_id])
    for task in tasks:
        task.script_version_to_use = (
            entry.script_version_to_use if task.pk == entry.task_id else versions[task.pk]
        )
    entry.carried = tasks
    return entry


def validated_outcome(body) -> dict:
    """The submit checked by OutcomeInputSerializer (errors by field: a ValidationError).
    Its entry is not read (EntryReference); one that does not exist is named with the other
    errors, as when the serializer read it."""
    try:
        return OUTCOME_INPUT.run_validation(body)
    except serializers.ValidationError as invalid:
        named = isinstance(body, Mapping) and isinstance(invalid.detail, dict)
        if named and "entry" not in invalid.detail:
            entry_field = OUTCOME_INPUT.fields["entry"]
            try:
                entry_field.refuse_if_gone(entry_field.run_validation(entry_field.get_value(body)))
            except serializers.ValidationError as gone:
                raise serializers.ValidationError({**gone.detail, **invalid.detail}) from None
        raise


def task_parts(data: dict) -> tuple[dict[int, TaskPart], dict]:
    """The outcome's `tasks` as record_outcome's parts, by task id. The lead follow-up's
    script path is the top-level one; a client sending it in the lead's item instead (one
    shape for every follow-up) has it moved there, and both at once is an error. Returns
    the parts and the lead's script path (script_version, answers)."""
    # The entry's follow-up is read only when the body speaks of follow-ups (the entry comes
    # unread: EntryReference).
    lead_id = data["entry"].task_id if data.get("tasks") else None
    lead_path = {
        "script_version": data.get("script_version"),
        "answers": data.get("answers", []),
    }
    parts = {}
    for item in data.get("tasks", []):
        if item["task"] == lead_id and (item["script_version"] or item["answers"]):
            if lead_path["script_version"] or lead_path["answers"]:
                raise serializers.ValidationError(
                    {
                        "tasks": [
                            _(
                                "The call's own follow-up has its script path twice: in "
                                "answers and in tasks."
                            )
                        ]
                    }
                )
            lead_path = {"script_version": item["script_version"], "answers": item["answers"]}
        if item["task"] == lead_id and item["apart"] and lead_path["answers"]:
            # The service would drop the path of a follow-up not discussed without a word.
            raise serializers.ValidationError(
                {"tasks": [_("A follow-up not discussed on the call has no answers.")]}
            )
        parts[item["task"]] = TaskPart(**{name: item[name] for name in PART_FIELDS})
    return parts, lead_path


# A call endpoint: for those who work the queue, tagged with the calls in the schema. (No
# docstring: the schema would give it as the description of the endpoints that have none.)
@extend_schema(tags=TAGS)
class CallView(APIView):
    permission_classes = [WorksTheQueue]


class PingView(CallView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Check the API answers for an authenticated user",
        description="Does nothing else: bench/bench_queue.py measures it as the framework "
        "floor (authentication and DRF, no database work beyond the token).",
        responses={200: inline_serializer("Ping", {"ok": serializers.BooleanField()})},
    )
    def get(self, request):
        return Response({"ok": True})


class NextCallView(CallView):
    @extend_schema(
        summary="Claim the caller's next call",
        description="Hands out the next call the agent may make now (own calls first, then "
        "the pool), under a lease; the call already held, if any. A call is to a person: "
        "`tasks` lists every follow-up of theirs it covers, the lead (the top-level fields) "
        "first; the outcome settles them all. With nothing to hand "
        "out: 204, the reason in `X-Queue-Reason`, the agent's message (UTF-8, "
        "percent-encoded) in `X-Queue-Message` and the next possible moment (ISO 8601) in "
        "`X-Next-Possible-At`. No body: HTTP forbids one on 204.",
        request=None,
        parameters=[
            OpenApiParameter(
                "X-Queue-Reason",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[204],
                enum=list(REASONS),
                description="Why no call was handed out.",
            ),
            OpenApiParameter(
                "X-Queue-Message",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[204],
                description="The reason in the agent's words, UTF-8 percent-encoded.",
            ),
            OpenApiParameter(
                "X-Next-Possible-At",
                OpenApiTypes.DATETIME,
                OpenApiParameter.HEADER,
                response=[204],
                description="When a call may be possible (absent when unknown).",
            ),
        ],
        responses={
            200: ClaimedCallSerializer,
            204: OpenApiResponse(
                description="No call now: outside_window, no_list, all_claimed, all_done "
                "or nothing_assigned.",
            ),
        },
    )
    def post(self, request):
        claim = claim_next_call(agent=request.user, now=timezone.now())
        if claim.entry is not None:
            claim.entry.claim_token = claim_token(claim.entry, request.user)
            attach_carried(claim.entry)
            return Response(CLAIMED_CALL.to_representation(claim.entry))
        # Everything in headers: HTTP forbids a body on 204 (gunicorn drops it, warning).
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response["X-Queue-Reason"] = claim.reason
        response["X-Queue-Message"] = quote(claim.message)
        if claim.next_possible_at is not None:
            response["X-Next-Possible-At"] = claim.next_possible_at.isoformat()
        return response


class RenewLeaseView(CallView):
    @extend_schema(
        summary="Keep the call held: extend its lease",
        request=None,
        responses={
            200: LeaseSerializer,
            404: NO_SUCH_ENTRY,
            409: OpenApiResponse(description="The call is no longer the caller's."),
        },
    )
    def post(self, request, pk: int):
        entry = get_object_or_404(QueueEntry, pk=pk)
        try:
            entry = renew_lease(entry=entry, agent=request.user, now=timezone.now())
        except DjangoPermissionDenied as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(LeaseSerializer(entry).data)


class RevealPhoneView(CallView):
    @extend_schema(
        summary="Reveal the number of the call held (audited)",
        description="Only to the agent holding a live claim on the entry; writes an audit "
        "event naming the entry and task, never the number.",
        request=None,
        responses={
            200: PhoneSerializer,
            403: OpenApiResponse(description="Not the agent holding a live claim on it."),
            404: NO_SUCH_ENTRY,
        },
    )
    def post(self, request, pk: int):
        entry = get_object_or_404(QueueEntry, pk=pk)
        phone = reveal_phone(entry=entry, agent=request.user, now=timezone.now())
        response = Response({"phone": phone})
        response["Cache-Control"] = "no-store"
        return response


class OutcomeView(CallView):
    @extend_schema(
        summary="Record a call's outcome",
        description="One transaction: an attempt per follow-up the call covers (the claim's "
        "`tasks`) with its script path, each one's next step, the queue entry, the cases "
        "and any escalation; what holds for the person (wrong number, death, a booked "
        "callback, do-not-call) applies to all their calls. `tasks` gives the other "
        "follow-ups' script paths, and, when the person was spoken to, a follow-up's own "
        "disposition or that it was not discussed (`apart`: stays open, no attempt). The "
        "response's `settled` lists every attempt, `kept_open` the follow-ups not "
        "discussed. The idempotency key is "
        "required (body or `Idempotency-Key` header): the first submit answers 201, a "
        "repeat 200 with the same body and nothing written. Only for a call handed to the "
        "caller: `claim_token` is the one queue/next answered with when it handed them the "
        "call (required; a replay of a recorded key needs none). A submit after the lease "
        "was lost (run out, or the call since taken by a colleague) is kept and flagged "
        "`after_lease_lost`.",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False
            )
        ],
        request=OutcomeInputSerializer,
        responses={
            201: OutcomeSerializer,
            200: OpenApiResponse(OutcomeSerializer, description="A replay: the first result."),
            400: OpenApiResponse(description="Errors by field."),
            403: OpenApiResponse(description="Not a call handed to the caller."),
            409: OpenApiResponse(
                description="The key was used for another submit (errors under "
                "`idempotency_key`), or the call's outcome is recorded under this claim."
            ),
        },
    )
    def post(self, request):
        data = validated_outcome(request.data)
        entry_field = OUTCOME_INPUT.fields["entry"]
        try:
            response = self.record(request, data)
        except Exception:
            # Whatever else is wrong, an entry that does not exist is the answer, as when
            # the serializer read it first; only a new outcome proves it exists.
            entry_field.refuse_if_gone(data["entry"])
            raise
        if response.status_code != status.HTTP_201_CREATED:
            entry_field.refuse_if_gone(data["entry"])
        return response

    def record(self, request, data: dict) -> Response:
        header_key = request.headers.get("Idempotency-Key", "").strip()
        body_key = data.get("idempotency_key", "").strip()
        if header_key and body_key and header_key != body_key:
            raise serializers.ValidationError(
                {"idempotency_key": [_("The body and the Idempotency-Key header differ.")]}
            )
        if not (body_key or header_key):
            raise serializers.ValidationError(
                {"idempotency_key": [_("An idempotency key is required.")]}
            )
        parts, lead_path = task_parts(data)
        try:
            result = record_outcome(
                agent=request.user,
                entry=data["entry"],
                idempotency_key=body_key or header_key,
                disposition=data["disposition"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                now=timezone.now(),
                script_version=lead_path["script_version"],
                answers=lead_path["answers"],
                satisfaction=data["satisfaction"],
                intent_class=data["intent_class"],
                notes=data["notes"],
                callback_at=data["callback_at"],
                escalation=data["escalation"],
                do_not_call=data["do_not_call"],
                parts=parts,
                claim_token=data.get("claim_token", ""),
                submitted=request.data,
            )
        except OutcomeConflict as conflict:
            body = {conflict.field: [conflict.message]} if conflict.field else None
            return Response(body or {"detail": conflict.message}, status=status.HTTP_409_CONFLICT)
        except NotHanded:
            raise PermissionDenied(
                _("This call was not handed to you: claim it first (queue/next).")
            ) from None
        except DjangoValidationError as error:
            raise serializers.ValidationError(field_errors(error)) from None
        body = OUTCOME.to_representation(result)
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


urlpatterns = [
    path("ping/", PingView.as_view(), name="api-ping"),
    path("queue/next/", NextCallView.as_view(), name="api-queue-next"),
    path("queue/<int:pk>/renew/", RenewLeaseView.as_view(), name="api-queue-renew"),
    path("queue/<int:pk>/reveal-phone/", RevealPhoneView.as_view(), name="api-queue-reveal-phone"),
    path("outcomes/", OutcomeView.as_view(), name="api-outcomes"),
]
