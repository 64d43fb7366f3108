"""What an outcome submit must be before anything is written: its fields, its script paths
(checked against the script versions they claim), and what it says about each follow-up
of the call. Raises ValidationError with the errors by field; writes nothing."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import Disposition, IntentClass, Satisfaction, ScriptVersion
from followups.services import escalations

# Clients' keys; the other follow-ups settled on the same call store "<key>#<task id>".
IDEMPOTENCY_KEY_LENGTH = 64
# What the call said may differ from one follow-up to the next only when the person was
# spoken to: a follow-up not discussed stays open, one may be refused while another is done.
SPOKEN_TO = frozenset({Disposition.COMPLETE, Disposition.PARTIAL, Disposition.REFUSED})


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
) -> list[tuple[str, str, bool]]:
    """Check every field before anything is written; the script path as (node, value,
    objection) tuples. Raises ValidationError with the errors by field."""
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
    return path


def _path(answers, script_version, error) -> list[tuple[str, str, bool]]:
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
