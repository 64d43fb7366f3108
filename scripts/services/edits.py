"""Node-level edits of a draft, as the editor makes them: nodes, their answer options and
links, and the objection handlers. Each edit locks the draft and saves its whole graph.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from scripts import graph as script_graph
from scripts.models import ScriptVersion
from scripts.services.drafts import _locked_draft, starter_graph

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


def _check_editable(changes: Mapping[str, Any], editable: Iterable[str]) -> None:
    unknown = set(changes) - set(editable)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )


def update_node(
    *, version: ScriptVersion, node_id: str, changes: Mapping[str, Any], actor
) -> ScriptVersion:
    """Change some of a node's fields (text, answer type, medical flag, outcome field,
    next node, disposition). Switching a question to a rating gives it the four levels."""
    _check_editable(changes, EDITABLE_NODE_FIELDS)

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
    """A new answer of a node; without a value typed, it gets one (_new_option_value)."""
    value, label = value.strip(), label.strip()
    if not label:
        raise ValidationError(_("An answer needs a label."), code="option")

    def change(graph: dict) -> None:
        nonlocal value
        item = _find_node(graph, node_id)
        if not script_graph.takes_options(item):
            raise ValidationError(_("This node takes no answer options."), code="option")
        options = item.setdefault("options", [])
        value = value or _new_option_value(options)
        if any(option.get("value") == value for option in options):
            raise ValidationError(
                _("The answer value “%(value)s” is already used.") % {"value": value},
                code="option",
            )
        options.append({"value": value, "label": label, "next": target})

    return _edit(version, change)


def _new_option_value(options: list[dict]) -> str:
    """A value for an answer given none: opt1, opt2, … the first free one on the node. The
    value is what is recorded and counted, so it is short, ASCII and unique on the node;
    the label keeps the agent's words."""
    used = {option.get("value") for option in options}
    return next(f"opt{n}" for n in itertools.count(len(options) + 1) if f"opt{n}" not in used)


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
    _check_editable(changes, OBJECTION_FIELDS)

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
