"""Call scripts and their versions: drafts and their edits, publishing, retiring, import/export.

A published version never changes: every edit works on a draft, and publishing checks the
whole graph with followups.script_graph first.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from followups import script_graph
from followups.models import (
    AuditAction,
    CallAttempt,
    CallScript,
    Case,
    CaseKind,
    Hospital,
    PlanStep,
    ScriptVersion,
    ScriptVersionStatus,
)
from followups.script_graph import GraphError
from followups.services import audit

EXPORT_FORMAT = "huifang-script"
EXPORT_FORMAT_VERSION = 1
# Words the script pages use in their own URLs (/scripts/new/, /scripts/import/ …).
RESERVED_CODES = frozenset({"new", "import", "versions"})


class InvalidScript(Exception):
    """The graph or the file has problems; nothing was saved. `errors` lists them."""

    def __init__(self, errors: list[GraphError]):
        super().__init__("; ".join(str(error.message) for error in errors))
        self.errors = errors


def _not_a_draft() -> ValidationError:
    return ValidationError(
        _("Only a draft can be edited; a published or retired version never changes."),
        code="not_draft",
    )


# --- Scripts and drafts -------------------------------------------------------------------


def starter_graph() -> dict:
    """The smallest graph that may be published: a greeting, the identity check and the
    three closings every call can end with. Texts in Chinese: they are what is said."""
    return {
        "schema": script_graph.SCHEMA_VERSION,
        "start": "greet",
        "nodes": [
            {
                "id": "greet",
                "kind": "greeting",
                "text": "{customer.honorific}您好！我是{hospital.name}的回访专员{agent.name}。",
                "next": "identity",
            },
            {
                "id": "identity",
                "kind": "identity_check",
                "text": "请问您是{customer.name}本人吗？",
                "options": [
                    {"value": "yes", "label": "是本人", "next": "close_ok"},
                    {"value": "family", "label": "家属接听", "next": "close_family"},
                    {"value": "no", "label": "不是", "next": "close_wrong"},
                ],
            },
            {
                "id": "close_ok",
                "kind": "closing",
                "text": "感谢您的配合，祝您生活愉快，再见！",
                "disposition": "complete",
            },
            {
                "id": "close_family",
                "kind": "closing",
                "text": "好的，谢谢您，我们改天再联系{customer.honorific}本人。再见！",
                "disposition": "family",
            },
            {
                "id": "close_wrong",
                "kind": "closing",
                "text": "不好意思，可能是号码登记有误，打扰您了。再见！",
                "disposition": "wrong_number",
            },
        ],
        "objections": [],
    }


@transaction.atomic
def create_script(
    *, name: str, code: str, case_kind: str, actor, description: str = ""
) -> CallScript:
    """A new script with its first draft (version 1, the starter graph)."""
    if code in RESERVED_CODES:
        raise ValidationError({"code": _("This code is reserved; choose another.")})
    if CallScript.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A script with this code exists already.")})
    if CallScript.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A script with this name exists already.")})
    script = CallScript.objects.create(
        name=name, code=code, case_kind=case_kind, description=description
    )
    ScriptVersion.objects.create(script=script, number=1, graph=starter_graph(), created_by=actor)
    return script


@transaction.atomic
def new_draft(
    *, script: CallScript, actor, from_version: ScriptVersion | None = None
) -> ScriptVersion:
    """The script's draft: the one being written if there is one, else a new one numbered
    after the last, with the graph of `from_version`, the published version or the latest."""
    # One writer at a time per script, so two clicks make one draft, not two.
    CallScript.objects.select_for_update().get(pk=script.pk)
    draft = script.versions.filter(status=ScriptVersionStatus.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    if from_version is not None and from_version.script_id != script.pk:
        raise ValidationError(_("That version belongs to another script."))
    source = (
        from_version
        or script.versions.filter(status=ScriptVersionStatus.PUBLISHED).first()
        or script.versions.order_by("-number").first()
    )
    last = script.versions.aggregate(last=Max("number"))["last"] or 0
    return ScriptVersion.objects.create(
        script=script,
        number=last + 1,
        graph=copy.deepcopy(source.graph) if source is not None else starter_graph(),
        created_by=actor,
    )


@transaction.atomic
def save_draft(*, version: ScriptVersion, graph: dict, actor) -> ScriptVersion:
    """Replace a draft's graph. A draft may be incomplete (the editor shows what is
    missing), but it must have the shape of a graph."""
    draft = _locked_draft(version)
    shape = _shape_errors(graph)
    if shape:
        raise InvalidScript(shape)
    draft.graph = graph
    draft.save(update_fields=["graph"])
    return draft


def _locked_draft(version: ScriptVersion) -> ScriptVersion:
    """The version's row, locked for this transaction, if it is still a draft."""
    locked = ScriptVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != ScriptVersionStatus.DRAFT:
        raise _not_a_draft()
    return locked


def _shape_errors(graph: Any) -> list[GraphError]:
    errors = script_graph.validate(graph)
    return [error for error in errors if error.node_id is None and error.field in SHAPE_FIELDS]


# Problems that make a graph unreadable, as opposed to unfinished.
SHAPE_FIELDS = {None, "schema", "nodes", "objections"}


# --- Node-level edits (the editor) ----------------------------------------------------------

NODE_ID_PREFIXES = {
    "greeting": "greet",
    "identity_check": "identity",
    "question": "q",
    "statement": "s",
    "closing": "close",
}
EDITABLE_NODE_FIELDS = ("text", "answer_type", "medical", "outcome_field", "next", "disposition")


def _edit(version: ScriptVersion, change) -> ScriptVersion:
    """Apply `change(graph)` to a locked copy of the draft's graph and save it."""
    with transaction.atomic():
        draft = _locked_draft(version)
        graph = copy.deepcopy(draft.graph) or starter_graph()
        graph.setdefault("nodes", [])
        graph.setdefault("objections", [])
        change(graph)
        draft.graph = graph
        draft.save(update_fields=["graph"])
    return draft


def _find_node(graph: dict, node_id: str) -> dict:
    found = script_graph.node(graph, node_id)
    if found is None:
        raise ValidationError(
            _("There is no node “%(id)s” in this draft.") % {"id": node_id}, code="no_node"
        )
    return found


def _free_id(graph: dict, prefix: str) -> str:
    used = {item.get("id") for item in script_graph.nodes_of(graph)}
    used |= {item.get("id") for item in script_graph.objections_of(graph)}
    number = 1
    while f"{prefix}_{number}" in used:
        number += 1
    return f"{prefix}_{number}"


def add_node(
    *,
    version: ScriptVersion,
    kind: str,
    actor,
    after: str | None = None,
    text: str = "",
    answer_type: str | None = None,
) -> ScriptVersion:
    """A new node of `kind`, placed after node `after` (else at the end), with a fresh id.
    It is not linked yet: the editor shows it as unreachable until something leads to it."""
    if kind not in script_graph.NODE_KINDS:
        raise ValidationError(_("Unknown node kind."), code="kind")
    if kind == "question" and answer_type not in script_graph.ANSWER_TYPES:
        answer_type = "single"

    def change(graph: dict) -> None:
        item = _new_node(graph, kind=kind, text=text, answer_type=answer_type)
        nodes = graph["nodes"]
        position = len(nodes)
        if after:
            position = nodes.index(_find_node(graph, after)) + 1
        nodes.insert(position, item)
        if not graph.get("start"):
            graph["start"] = item["id"]

    return _edit(version, change)


def _new_node(graph: dict, *, kind: str, text: str, answer_type: str | None) -> dict:
    item: dict[str, Any] = {"id": _free_id(graph, NODE_ID_PREFIXES[kind]), "kind": kind}
    item["text"] = text
    if kind == "question":
        item["answer_type"] = answer_type
        item.update(_answer_fields(answer_type))
    elif kind == "identity_check":
        item["options"] = [
            {"value": "yes", "label": "是本人", "next": ""},
            {"value": "family", "label": "家属接听", "next": ""},
            {"value": "no", "label": "不是", "next": ""},
        ]
    elif kind == "closing":
        item["disposition"] = "complete"
    else:
        item["next"] = ""
    return item


def _answer_fields(answer_type: str | None) -> dict:
    """The fields a question of this answer type starts with."""
    if answer_type == "rating":
        return {
            "options": [
                {"value": value, "label": script_graph.RATING_LABELS[value], "next": ""}
                for value in script_graph.RATING_LEVELS
            ]
        }
    if answer_type in script_graph.OPTION_ANSWER_TYPES:
        return {"options": []}
    return {"next": ""}


def update_node(
    *, version: ScriptVersion, node_id: str, changes: Mapping[str, Any], actor
) -> ScriptVersion:
    """Change some of a node's fields (text, answer type, medical flag, outcome field,
    next node, disposition). Switching a question to a rating gives it the four levels."""
    unknown = set(changes) - set(EDITABLE_NODE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )

    def change(graph: dict) -> None:
        item = _find_node(graph, node_id)
        for name, value in changes.items():
            if name == "answer_type" and value != item.get("answer_type"):
                _change_answer_type(item, value)
            elif name == "medical":
                if value:
                    item["medical"] = True
                else:
                    item.pop("medical", None)
            elif value in (None, "") and name in {"outcome_field", "answer_type"}:
                item.pop(name, None)
            else:
                item[name] = value

    return _edit(version, change)


def _change_answer_type(item: dict, answer_type: str) -> None:
    item["answer_type"] = answer_type
    fresh = _answer_fields(answer_type)
    if answer_type == "rating":
        item["options"] = fresh["options"]
    elif answer_type in script_graph.OPTION_ANSWER_TYPES:
        item.setdefault("options", [])
    else:
        # Typed answers have no options; they go on to the node's own next.
        item.pop("options", None)
        item.setdefault("next", "")
    if answer_type in {"single", "rating"}:
        item.pop("next", None)


def remove_node(*, version: ScriptVersion, node_id: str, actor) -> ScriptVersion:
    """Remove a node. What led to it keeps pointing at its id, so the editor shows each
    broken link where it is, to be joined up again."""

    def change(graph: dict) -> None:
        graph["nodes"].remove(_find_node(graph, node_id))

    return _edit(version, change)


def move_node(*, version: ScriptVersion, node_id: str, by: int, actor) -> ScriptVersion:
    """Move a node up (by < 0) or down the list. Order is how the editor and the call
    screen list the nodes; where a call goes is decided by the links alone."""

    def change(graph: dict) -> None:
        nodes = graph["nodes"]
        item = _find_node(graph, node_id)
        position = nodes.index(item)
        nodes.remove(item)
        nodes.insert(max(0, min(len(nodes), position + by)), item)

    return _edit(version, change)


def set_start(*, version: ScriptVersion, node_id: str, actor) -> ScriptVersion:
    def change(graph: dict) -> None:
        graph["start"] = _find_node(graph, node_id)["id"]

    return _edit(version, change)


def add_option(
    *, version: ScriptVersion, node_id: str, value: str, label: str, actor, target: str = ""
) -> ScriptVersion:
    value, label = value.strip(), label.strip()
    if not value or not label:
        raise ValidationError(_("An answer needs a value and a label."), code="option")

    def change(graph: dict) -> None:
        item = _find_node(graph, node_id)
        if not script_graph.takes_options(item):
            raise ValidationError(_("This node takes no answer options."), code="option")
        options = item.setdefault("options", [])
        if any(option.get("value") == value for option in options):
            raise ValidationError(
                _("The answer value “%(value)s” is already used.") % {"value": value},
                code="option",
            )
        options.append({"value": value, "label": label, "next": target})

    return _edit(version, change)


def update_option(
    *, version: ScriptVersion, node_id: str, position: int, label: str, actor
) -> ScriptVersion:
    def change(graph: dict) -> None:
        _option_at(graph, node_id, position)["label"] = label

    return _edit(version, change)


def remove_option(*, version: ScriptVersion, node_id: str, position: int, actor) -> ScriptVersion:
    def change(graph: dict) -> None:
        item = _find_node(graph, node_id)
        item["options"].remove(_option_at(graph, node_id, position))

    return _edit(version, change)


def connect_option(
    *, version: ScriptVersion, node_id: str, position: int | None, target: str, actor
) -> ScriptVersion:
    """Lead the answer at `position` of a node (or, with position None, the node itself)
    to node `target`; an empty target unlinks it."""

    def change(graph: dict) -> None:
        if target:
            _find_node(graph, target)
        if position is None:
            _find_node(graph, node_id)["next"] = target
        else:
            _option_at(graph, node_id, position)["next"] = target

    return _edit(version, change)


def _option_at(graph: dict, node_id: str, position: int) -> dict:
    options = _find_node(graph, node_id).get("options") or []
    if not 0 <= position < len(options):
        raise ValidationError(_("There is no such answer."), code="option")
    return options[position]


OBJECTION_FIELDS = ("label", "text", "action", "target", "disposition", "do_not_call")


def add_objection(
    *,
    version: ScriptVersion,
    label: str,
    text: str,
    action: str,
    actor,
    target: str = "",
    disposition: str = "",
) -> ScriptVersion:
    """An objection handler the agent may use at any node."""

    def change(graph: dict) -> None:
        item = {"id": _free_id(graph, "obj"), "label": label, "text": text, "action": action}
        item.update(_objection_follow_up(action, target=target, disposition=disposition))
        graph["objections"].append(item)

    return _edit(version, change)


def update_objection(
    *, version: ScriptVersion, objection_id: str, changes: Mapping[str, Any], actor
) -> ScriptVersion:
    unknown = set(changes) - set(OBJECTION_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )

    def change(graph: dict) -> None:
        item = _find_objection(graph, objection_id)
        item.update({name: value for name, value in changes.items() if name in {"label", "text"}})
        action = changes.get("action", item.get("action"))
        item["action"] = action
        follow_up = _objection_follow_up(
            action,
            target=changes.get("target", item.get("target", "")),
            disposition=changes.get("disposition", item.get("disposition", "")),
            do_not_call=_ticked(changes["do_not_call"])
            if "do_not_call" in changes
            else bool(item.get("do_not_call")),
        )
        for key in ("target", "disposition", "do_not_call"):
            item.pop(key, None)
        item.update(follow_up)

    return _edit(version, change)


def _objection_follow_up(
    action: str, *, target: str, disposition: str, do_not_call: bool = False
) -> dict:
    # Only the fields the action uses are kept, so a graph never says two things at once.
    if action == "jump":
        return {"target": target or ""}
    if action == "end":
        ending = {"disposition": disposition or "callback"}
        return {**ending, "do_not_call": True} if do_not_call else ending
    return {}


def _ticked(value: Any) -> bool:
    """A checkbox as a form posts it ("on", absent) or as JSON posts it (true/false)."""
    return value is True or str(value).lower() in {"on", "true", "1"}


def remove_objection(*, version: ScriptVersion, objection_id: str, actor) -> ScriptVersion:
    def change(graph: dict) -> None:
        graph["objections"].remove(_find_objection(graph, objection_id))

    return _edit(version, change)


def _find_objection(graph: dict, objection_id: str) -> dict:
    found = script_graph.objection(graph, objection_id)
    if found is None:
        raise ValidationError(_("There is no such objection handler."), code="no_objection")
    return found


# --- Publishing -----------------------------------------------------------------------------


def publish(*, version: ScriptVersion, actor, change_note: str, now: dt.datetime) -> ScriptVersion:
    """Publish a draft: its graph must validate (for sensitive patients too; nothing is
    published otherwise), the version published before it is retired, and the audit trail
    names both versions."""
    change_note = change_note.strip()
    if not change_note:
        raise ValidationError(
            {"change_note": _("Say in a few words what changed.")}, code="change_note"
        )
    with transaction.atomic():
        # Lock the script first: two publishes of one script queue up instead of both
        # retiring the same version.
        CallScript.objects.select_for_update().get(pk=version.script_id)
        draft = _locked_draft(version)
        errors = script_graph.validate(draft.graph, for_sensitive=True)
        if errors:
            raise InvalidScript(errors)
        previous = (
            ScriptVersion.objects.select_for_update()
            .filter(script_id=draft.script_id, status=ScriptVersionStatus.PUBLISHED)
            .first()
        )
        if previous is not None:
            previous.status = ScriptVersionStatus.RETIRED
            previous.save(update_fields=["status"])
        draft.status = ScriptVersionStatus.PUBLISHED
        draft.change_note = change_note[:300]
        draft.published_at = now
        draft.published_by = actor
        draft.save(update_fields=["status", "change_note", "published_at", "published_by"])
        audit.record(
            actor=actor,
            action=AuditAction.PUBLISH_SCRIPT,
            target=draft,
            script=draft.script_id,
            version=draft.number,
            version_id=draft.pk,
            retired_version_id=previous.pk if previous is not None else None,
        )
    return draft


def retire(*, version: ScriptVersion, actor, now: dt.datetime) -> ScriptVersion:
    """Take a published version out of use; calls already made keep pointing at it."""
    with transaction.atomic():
        locked = ScriptVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != ScriptVersionStatus.PUBLISHED:
            raise ValidationError(_("Only the published version can be retired."), code="retire")
        locked.status = ScriptVersionStatus.RETIRED
        locked.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action=AuditAction.RETIRE_SCRIPT,
            target=locked,
            script=locked.script_id,
            version=locked.number,
            version_id=locked.pk,
            retired_at=now.isoformat(),
        )
    return locked


# --- Import and export ----------------------------------------------------------------------


def export_version(version: ScriptVersion) -> dict:
    """The version as a self-describing document another center can import."""
    script = version.script
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "script": {
            "code": script.code,
            "name": script.name,
            "case_kind": script.case_kind,
            "description": script.description,
        },
        "version": {
            "number": version.number,
            "status": version.status,
            "change_note": version.change_note,
            "published_at": version.published_at.isoformat() if version.published_at else None,
        },
        "graph": version.graph,
    }


def import_version(*, data: Mapping | str | bytes, actor) -> ScriptVersion:
    """A new draft from an exported document: of the script with the same code (which may
    not have a draft already), else of a new script. The graph is validated as for
    publishing; any problem raises InvalidScript and nothing is created."""
    envelope = _read_envelope(data)
    errors = script_graph.validate(envelope["graph"], for_sensitive=True)
    if errors:
        raise InvalidScript(errors)
    meta = envelope["script"]
    try:
        with transaction.atomic():
            script = CallScript.objects.select_for_update().filter(code=meta["code"]).first()
            if script is None:
                if CallScript.objects.filter(name=meta["name"]).exists():
                    raise InvalidScript(
                        [_envelope_error("script.name", _("Another script has this name."))]
                    )
                script = CallScript.objects.create(
                    code=meta["code"],
                    name=meta["name"],
                    case_kind=meta["case_kind"],
                    description=meta["description"],
                )
            draft = script.versions.filter(status=ScriptVersionStatus.DRAFT).first()
            if draft is not None:
                raise InvalidScript(
                    [
                        _envelope_error(
                            "script.code",
                            _(
                                "The script “%(name)s” already has a draft (version %(number)s):"
                                " publish or finish it first."
                            )
                            % {"name": script.name, "number": draft.number},
                        )
                    ]
                )
            last = script.versions.aggregate(last=Max("number"))["last"] or 0
            return ScriptVersion.objects.create(
                script=script, number=last + 1, graph=envelope["graph"], created_by=actor
            )
    except IntegrityError:
        raise InvalidScript(
            [_envelope_error("script", _("Someone saved this script at the same moment; retry."))]
        ) from None


CODE = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


def _read_envelope(data: Mapping | str | bytes) -> dict:
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise InvalidScript(
                [_envelope_error(None, _("The file is not JSON (an exported script is)."))]
            ) from None
    if not isinstance(data, Mapping):
        raise InvalidScript([_envelope_error(None, _("The file is not an exported script."))])
    if data.get("format") != EXPORT_FORMAT:
        raise InvalidScript(
            [_envelope_error("format", _("The file is not an exported Huifang script."))]
        )
    if data.get("format_version") != EXPORT_FORMAT_VERSION:
        raise InvalidScript(
            [
                _envelope_error(
                    "format_version",
                    _(
                        "This export format version (%(found)s) is not one this system reads "
                        "(%(known)s)."
                    )
                    % {"found": data.get("format_version"), "known": EXPORT_FORMAT_VERSION},
                )
            ]
        )
    meta, graph = data.get("script"), data.get("graph")
    errors = []
    if not isinstance(meta, Mapping):
        errors.append(_envelope_error("script", _("The script's name and code are missing.")))
        meta = {}
    code, name = meta.get("code"), meta.get("name")
    if not isinstance(code, str) or not CODE.match(code) or code in RESERVED_CODES:
        errors.append(_envelope_error("script.code", _("The script code is missing or invalid.")))
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors.append(_envelope_error("script.name", _("The script name is missing or too long.")))
    case_kind = meta.get("case_kind") or ""
    if case_kind not in CaseKind.values and case_kind != "":
        errors.append(_envelope_error("script.case_kind", _("Unknown case kind.")))
    if not isinstance(graph, Mapping):
        errors.append(_envelope_error("graph", _("The script graph is missing.")))
    if errors:
        raise InvalidScript(errors)
    description = meta.get("description")
    return {
        "script": {
            "code": code,
            "name": name.strip(),
            "case_kind": case_kind,
            "description": description if isinstance(description, str) else "",
        },
        "graph": dict(graph),
    }


def _envelope_error(field_name: str | None, message) -> GraphError:
    return GraphError(None, field_name, str(message))


# --- Variables for a call -------------------------------------------------------------------


def script_values(*, case: Case, agent) -> dict[str, str | None]:
    """The value of every script variable for a call of `case` by `agent` (None where the
    data is missing, which the text shows as a visible gap). Spoken Chinese, whatever the
    screen's language: dates as 11月10日."""
    customer = case.customer
    patient = case.patient
    hospital = patient.hospital if patient is not None else _only_hospital()
    return {
        "customer.honorific": customer.honorific or None,
        "customer.name": customer.name or None,
        "agent.name": _person_name(agent),
        "hospital.name": hospital.name if hospital is not None else None,
        "patient.department": patient.department.name if patient is not None else None,
        "patient.doctor": (patient.attending_doctor or None) if patient is not None else None,
        "patient.discharged_on": (
            spoken_date(patient.discharged_on)
            if patient is not None and patient.discharged_on
            else None
        ),
        "case.product": case.product or None,
    }


def sample_values(*, agent) -> dict[str, str | None]:
    """Made-up values for previewing a script (no real person's data)."""
    return {
        "customer.honorific": "张先生",
        "customer.name": "张建国",
        "agent.name": _person_name(agent) or "王静",
        "hospital.name": (_only_hospital() or Hospital(name="示例医院")).name,
        "patient.department": "心内科",
        "patient.doctor": "周建国",
        "patient.discharged_on": spoken_date(dt.date(2026, 11, 10)),
        "case.product": "心内科专家门诊复诊",
    }


def spoken_date(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _person_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name().strip() or user.get_username() or None


def _only_hospital() -> Hospital | None:
    """The center's hospital when it serves exactly one (a case without a patient has no
    hospital of its own)."""
    hospitals = list(Hospital.objects.order_by("pk")[:2])
    return hospitals[0] if len(hospitals) == 1 else None


# --- Reads for the script pages -------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    version: ScriptVersion
    calls: int


@dataclass(frozen=True)
class ScriptRow:
    script: CallScript
    versions: list[VersionRow]
    plans: list[str]

    @property
    def published(self) -> ScriptVersion | None:
        return next((row.version for row in self.versions if row.version.is_published), None)

    @property
    def draft(self) -> ScriptVersion | None:
        return next(
            (
                row.version
                for row in self.versions
                if row.version.status == ScriptVersionStatus.DRAFT
            ),
            None,
        )


def script_overview(*, include_drafts: bool = True) -> list[ScriptRow]:
    """Every script with its versions (newest first), the calls made with each version and
    the plans whose steps use it: one query per table, whatever the number of scripts."""
    scripts = list(CallScript.objects.order_by("name"))
    versions = ScriptVersion.objects.select_related("published_by").order_by("-number")
    if not include_drafts:
        versions = versions.exclude(status=ScriptVersionStatus.DRAFT)
    calls = dict(
        CallAttempt.objects.filter(script_version__isnull=False)
        .values_list("script_version")
        .annotate(n=Count("pk"))
        .values_list("script_version", "n")
    )
    plans: dict[int, list[str]] = {}
    for script_id, plan_name in (
        PlanStep.objects.filter(script__isnull=False)
        .values_list("script_id", "plan__name")
        .distinct()
        .order_by("plan__name")
    ):
        plans.setdefault(script_id, []).append(plan_name)
    by_script: dict[int, list[VersionRow]] = {}
    for version in versions:
        by_script.setdefault(version.script_id, []).append(
            VersionRow(version, calls.get(version.pk, 0))
        )
    return [
        ScriptRow(script, by_script.get(script.pk, []), plans.get(script.pk, []))
        for script in scripts
    ]
