"""What an outcome submit must be before anything is written: its fields, its script paths
(checked against the script versions they claim), and what it says about each follow-up
of the call. Raises ValidationError with the errors by field; writes nothing."""

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import Disposition, IntentClass, Satisfaction
from followups.services import escalations
from scripts.models import ScriptVersion

# Clients' keys; the other follow-ups settled on the same call store "<key>#<task id>".
IDEMPOTENCY_KEY_LENGTH = 64
# What the call said may differ from one follow-up to the next only when the person was
# spoken to: a follow-up not discussed stays open, one may be refused while another is done.
SPOKEN_TO = frozenset({Disposition.COMPLETE, Disposition.PARTIAL, Disposition.REFUSED})
# The times a client reports are checked against the server's: a call starts once it was
# handed out and ends by now (give or take clocks a little apart), lasts a bounded time,
# and a callback is booked within a horizon (one in 9999 would park the follow-up forever).
CLOCK_SKEW = dt.timedelta(minutes=5)
LONGEST_CALL = dt.timedelta(hours=4)
CALLBACK_HORIZON = dt.timedelta(days=90)
# A path through a script is a few dozen steps; far more is not a call (and would not fit
# the answers' numbering).
MOST_ANSWERS = 1000


class OutcomeConflict(Exception):
    """A submit that contradicts what is recorded (HTTP 409): the idempotency key of another
    submit (`field` = "idempotency_key"), or a second outcome under one claim."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def submit_digest(submitted: Mapping) -> str:
    """A fingerprint of everything a submit says (times to the instant, records by id), so
    that a replay can be told from another submit reusing its key."""

    def plain(value):
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat()
        if dataclasses.is_dataclass(value):
            return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        if hasattr(value, "pk"):
            return value.pk
        if isinstance(value, Mapping):
            return dict(value)
        if isinstance(value, Sequence) and not isinstance(value, str):
            return list(value)
        return str(value)

    text = json.dumps(submitted, sort_keys=True, default=plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TaskPart:
    """What the call said about one follow-up of the person (other than the call's own
    script path, given to record_outcome directly for the call's lead follow-up)."""

    script_version: ScriptVersion | None = None
    answers: Sequence[Mapping] = ()
    disposition: str = ""  # "": the call's disposition
    apart: bool = False  # not discussed on this call: stays open, no attempt recorded
    satisfaction: str = ""
    intent_class: str = ""


@dataclass(frozen=True)
class CallSaid:
    """What a checked submit says about the call, as the outcome records it for one
    follow-up: the call's own (the lead's), or another's with its part (`for_part`)."""

    disposition: str
    started_at: dt.datetime
    ended_at: dt.datetime
    script_version: ScriptVersion | None
    path: Sequence[tuple[str, str, bool]]  # (node, value, objection), checked (`validated`)
    satisfaction: str
    intent_class: str
    notes: str
    callback_at: dt.datetime | None

    def attempt_fields(self) -> dict:
        """What a CallAttempt keeps of it (the script path goes in its answers)."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name != "path"
        }

    def for_part(self, part: TaskPart, path, *, own: bool) -> "CallSaid":
        """What the call said about one of its follow-ups: its own disposition where its
        part gives one; for another than the call's own (`own`), its own script path, and
        its satisfaction and intent class where it gives them."""
        disposition = part.disposition or self.disposition
        if own:
            return dataclasses.replace(self, disposition=disposition)
        return dataclasses.replace(
            self,
            disposition=disposition,
            script_version=part.script_version,
            path=path,
            satisfaction=part.satisfaction or self.satisfaction,
            intent_class=part.intent_class or self.intent_class,
        )


def validated(
    *,
    disposition,
    started_at,
    ended_at,
    script_version,
    answers,
    satisfaction,
    intent_class,
    callback_at,
    escalation,
    notes: str = "",
    now: dt.datetime | None = None,
    claimed_at: dt.datetime | None = None,
) -> CallSaid:
    """Check every field before anything is written; what the call said, its script path
    as (node, value, objection) tuples. Raises ValidationError with the errors by field.
    With `now` and the claim's `claimed_at`, the times are held to the server's clock."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if disposition not in Disposition.values:
        error("disposition", _("Unknown disposition: %(value)s.") % {"value": disposition})
    moments = {"started_at": started_at, "ended_at": ended_at, "callback_at": callback_at}
    for field, moment in moments.items():
        if moment is None:
            if field != "callback_at":
                error(field, _("This field is required."))
        elif not isinstance(moment, dt.datetime) or timezone.is_naive(moment):
            error(field, _("Give a date and time with its timezone."))
    times_valid = not errors.keys() & moments.keys()
    if times_valid and ended_at < started_at:
        error("ended_at", _("The call cannot end before it starts."))
    if times_valid and now is not None:
        _check_against_clock(error, started_at, ended_at, callback_at, now, claimed_at)
    if disposition == Disposition.CALLBACK and callback_at is None:
        error("callback_at", _("A callback needs the time the customer asked to be called."))
    if times_valid and callback_at is not None and callback_at < started_at:
        error("callback_at", _("A callback cannot be booked for before the call."))
    if satisfaction not in ("", *Satisfaction.values):
        error("satisfaction", _("Unknown satisfaction: %(value)s.") % {"value": satisfaction})
    if intent_class not in ("", *IntentClass.values):
        error("intent_class", _("Unknown intent class: %(value)s.") % {"value": intent_class})
    path = _path(answers, script_version, error)
    if escalation is not None:
        for message in escalations.escalation_errors(
            category=escalation.get("category", ""),
            severity=escalation.get("severity") or "normal",
            description=escalation.get("description", ""),
        ):
            error("escalation", message)
    if errors:
        raise ValidationError(errors)
    return CallSaid(
        disposition=disposition,
        started_at=started_at,
        ended_at=ended_at,
        script_version=script_version,
        path=path,
        satisfaction=satisfaction,
        intent_class=intent_class,
        notes=notes,
        callback_at=callback_at,
    )


def _check_against_clock(error, started_at, ended_at, callback_at, now, claimed_at) -> None:
    if claimed_at is not None and started_at < claimed_at - CLOCK_SKEW:
        error(
            "started_at",
            _("The call cannot start before it was handed to you (%(moment)s).")
            % {"moment": timezone.localtime(claimed_at).strftime("%Y-%m-%d %H:%M")},
        )
    if ended_at > now + CLOCK_SKEW:
        error("ended_at", _("The call cannot end in the future."))
    elif ended_at - started_at > LONGEST_CALL:
        error("ended_at", _("A call lasts at most %(hours)s hours.") % {"hours": 4})
    if callback_at is not None and callback_at > now + CALLBACK_HORIZON:
        error(
            "callback_at",
            _("A callback can be booked at most %(days)s days ahead.")
            % {"days": CALLBACK_HORIZON.days},
        )


def _path(answers, script_version, error) -> list[tuple[str, str, bool]]:
    if len(answers) > MOST_ANSWERS:
        error("answers", _("A call has at most %(most)s answers.") % {"most": MOST_ANSWERS})
        return []
    path = []
    for answer in answers:
        node_id = str(answer.get("node_id") or "").strip()
        if not node_id:
            error("answers", _("Every answer needs the node it answers."))
            continue
        path.append((node_id, str(answer.get("value") or ""), bool(answer.get("is_objection"))))
    if script_version is not None:
        known = _node_ids(script_version.graph)
        unknown = sorted({node_id for node_id, _value, _objection in path} - known)
        if unknown:
            error(
                "answers",
                _("These nodes are not in script version %(version)s: %(nodes)s.")
                % {"version": script_version, "nodes": ", ".join(unknown)},
            )
    return path


def validated_parts(parts: Mapping[int, TaskPart], *, disposition: str) -> dict:
    """Check each follow-up's part; their script paths by task id."""
    errors: list[str] = []
    paths: dict[int, list] = {}
    for task_id, part in parts.items():
        if part.apart or part.disposition:
            if disposition not in SPOKEN_TO:
                errors.append(
                    _(
                        "The person was not spoken to: every follow-up of the call shares its"
                        " outcome."
                    )
                )
                continue
            if part.disposition and part.disposition not in SPOKEN_TO:
                errors.append(
                    _("A follow-up of the call can only be done, partly done or refused.")
                )
                continue

        def error(_field: str, message: str) -> None:
            errors.append(message)

        paths[task_id] = _path(part.answers, part.script_version, error)
        if part.satisfaction not in ("", *Satisfaction.values):
            errors.append(_("Unknown satisfaction: %(value)s.") % {"value": part.satisfaction})
        if part.intent_class not in ("", *IntentClass.values):
            errors.append(_("Unknown intent class: %(value)s.") % {"value": part.intent_class})
    if errors:
        raise ValidationError({"tasks": sorted(set(errors))})
    return paths


def _node_ids(graph) -> set[str]:
    """The ids of a graph's nodes and objection handlers (schema 1, as script_graph reads
    it: lists of objects under "nodes" and "objections")."""
    if not isinstance(graph, Mapping):
        return set()
    ids = set()
    for part in ("nodes", "objections"):
        items = graph.get(part)
        if isinstance(items, list):
            ids |= {item.get("id") for item in items if isinstance(item, Mapping)}
    return ids
