"""Differences between two versions of a call-script graph: diff() gives the GraphDiff of
nodes and objection handlers added, removed or changed field by field; text_changes()
the character-level pieces for showing two texts side by side.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scripts.graph.reading import _index, objections_of

__all__ = [
    "COMPARED_NODE_FIELDS",
    "COMPARED_OBJECTION_FIELDS",
    "FieldChange",
    "GraphDiff",
    "ItemChange",
    "diff",
    "text_changes",
]

COMPARED_NODE_FIELDS = (
    "kind",
    "text",
    "answer_type",
    "medical",
    "outcome_field",
    "options",
    "next",
    "disposition",
)
COMPARED_OBJECTION_FIELDS = ("label", "text", "action", "target", "disposition")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ItemChange:
    item_id: str
    changes: tuple[FieldChange, ...]

    def get(self, field_name: str) -> FieldChange | None:
        return next((change for change in self.changes if change.field == field_name), None)


@dataclass(frozen=True)
class GraphDiff:
    added_nodes: tuple[str, ...] = ()
    removed_nodes: tuple[str, ...] = ()
    changed_nodes: tuple[ItemChange, ...] = ()
    added_objections: tuple[str, ...] = ()
    removed_objections: tuple[str, ...] = ()
    changed_objections: tuple[ItemChange, ...] = ()
    # (old, new) when the start node changed.
    start: tuple[Any, Any] | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.added_nodes
            or self.removed_nodes
            or self.changed_nodes
            or self.added_objections
            or self.removed_objections
            or self.changed_objections
            or self.start
        )

    def node_change(self, node_id: str) -> ItemChange | None:
        return next((change for change in self.changed_nodes if change.item_id == node_id), None)


def diff(old_graph: Mapping, new_graph: Mapping) -> GraphDiff:
    """What changed from one version's graph to another's: nodes and objection handlers
    added, removed or changed (field by field), and the start. Order alone is no change."""
    old_nodes, new_nodes = _index(old_graph), _index(new_graph)
    old_objections = _by_id(objections_of(old_graph))
    new_objections = _by_id(objections_of(new_graph))
    old_start = old_graph.get("start") if isinstance(old_graph, Mapping) else None
    new_start = new_graph.get("start") if isinstance(new_graph, Mapping) else None
    return GraphDiff(
        added_nodes=tuple(i for i in new_nodes if i not in old_nodes),
        removed_nodes=tuple(i for i in old_nodes if i not in new_nodes),
        changed_nodes=_changes(old_nodes, new_nodes, COMPARED_NODE_FIELDS),
        added_objections=tuple(i for i in new_objections if i not in old_objections),
        removed_objections=tuple(i for i in old_objections if i not in new_objections),
        changed_objections=_changes(old_objections, new_objections, COMPARED_OBJECTION_FIELDS),
        start=(old_start, new_start) if old_start != new_start else None,
    )


def _by_id(items: list[dict]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for item in items:
        if isinstance(item.get("id"), str):
            found.setdefault(item["id"], item)
    return found


def _changes(
    old: Mapping[str, Mapping], new: Mapping[str, Mapping], fields: tuple[str, ...]
) -> tuple[ItemChange, ...]:
    changed = []
    for item_id, item in new.items():
        if item_id not in old:
            continue
        changes = tuple(
            FieldChange(name, old[item_id].get(name), item.get(name))
            for name in fields
            if _normal(old[item_id].get(name)) != _normal(item.get(name))
        )
        if changes:
            changed.append(ItemChange(item_id, changes))
    return tuple(changed)


def _normal(value: Any) -> Any:
    # An absent field and an empty one say the same.
    return None if value in ("", [], False) else value


def text_changes(old: str, new: str) -> list[tuple[str, str]]:
    """(operation, text) pieces for showing two texts side by side, character by character
    (Chinese has no spaces to split words on): "equal", "delete" (old only), "insert"."""
    old, new = old or "", new or ""
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(("equal", old[i1:i2]))
            continue
        if i2 > i1:
            pieces.append(("delete", old[i1:i2]))
        if j2 > j1:
            pieces.append(("insert", new[j1:j2]))
    return pieces
