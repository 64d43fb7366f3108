"""Reading a call-script graph: its nodes, options and objection handlers, where each node
leads (edges, next_node_id), the variables a text uses, which nodes are medical, what a
call can reach, and the rows (layers) a drawing puts the nodes in.

Never raises on malformed input: what a graph from outside holds may be anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scripts.graph.schema import (
    ANSWER_TYPES,
    FREE_ANSWER_TYPES,
    MEDICAL_VARIABLE_PREFIX,
    OPTION_ANSWER_TYPES,
    PLACEHOLDER,
    Edge,
)

__all__ = [
    "edges",
    "is_medical",
    "is_medical_hidden",
    "layers",
    "next_node_id",
    "node",
    "nodes_of",
    "objection",
    "objections_of",
    "options_of",
    "reachable",
    "takes_next",
    "takes_options",
    "variables_in",
    "visible_nodes",
]


def _objects_in(container: Any, key: str) -> list[dict]:
    """The items of the list container[key] that are objects, in stored order; none where
    there is no such list (never raises on bad input)."""
    items = container.get(key) if isinstance(container, Mapping) else None
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, Mapping)]


def nodes_of(graph: Any) -> list[dict]:
    """The graph's nodes that are objects, in stored order (never raises on bad input)."""
    return _objects_in(graph, "nodes")


def objections_of(graph: Any) -> list[dict]:
    return _objects_in(graph, "objections")


def node(graph: Mapping, node_id: str) -> dict | None:
    """The node with this id, or None."""
    return next((item for item in nodes_of(graph) if item.get("id") == node_id), None)


def objection(graph: Mapping, objection_id: str) -> dict | None:
    return next((item for item in objections_of(graph) if item.get("id") == objection_id), None)


def options_of(item: Mapping) -> list[dict]:
    return _objects_in(item, "options")


def _str(item: Any, key: str) -> str | None:
    """item[key] when it is a string: what a graph from outside holds may be anything."""
    value = item.get(key) if isinstance(item, Mapping) else None
    return value if isinstance(value, str) else None


def takes_options(item: Mapping) -> bool:
    """Whether this node's answers are options (identity checks and choice questions)."""
    kind = _str(item, "kind")
    if kind == "identity_check":
        return True
    return kind == "question" and _str(item, "answer_type") in OPTION_ANSWER_TYPES


def takes_next(item: Mapping) -> bool:
    """Whether this node continues to its own `next` (a multiple-choice question may, or
    may lead on from each option instead)."""
    kind = _str(item, "kind")
    if kind in ("greeting", "statement"):
        return True
    return kind == "question" and _str(item, "answer_type") in FREE_ANSWER_TYPES | {"multiple"}


def edges(item: Mapping) -> list[Edge]:
    """Where a node may lead: one edge per option, and its own `next`. Targets may be
    missing from the graph; validate() says so."""
    source = str(item.get("id", ""))
    found = []
    # A question of an unknown answer type is reported as such; its links still count, so
    # one mistake does not make everything after it look unreachable.
    unknown_type = _str(item, "kind") == "question" and item.get("answer_type") not in ANSWER_TYPES
    if (takes_next(item) or unknown_type) and isinstance(item.get("next"), str) and item["next"]:
        found.append(Edge(source, item["next"], None, ""))
    if takes_options(item) or unknown_type:
        for option in options_of(item):
            target = option.get("next")
            if isinstance(target, str) and target:
                found.append(
                    Edge(source, target, str(option.get("value", "")), str(option.get("label", "")))
                )
    return found


def next_node_id(graph: Mapping, node_id: str, answer_value: Any = None) -> str | None:
    """The node that follows `node_id` given the answer; None at a closing, for an answer
    the node does not offer, or an unknown node.

    A multiple-choice answer is a list of values or one string of them joined by commas;
    it continues to the node's `next`, else to the first chosen option's."""
    item = node(graph, node_id)
    if item is None or item.get("kind") == "closing":
        return None
    if item.get("kind") == "question" and item.get("answer_type") == "multiple":
        if item.get("next"):
            return item["next"]
        chosen = _chosen_values(answer_value)
        for option in options_of(item):
            if _str(option, "value") in chosen:
                return option.get("next") or None
        return None
    if takes_options(item):
        for option in options_of(item):
            if option.get("value") == answer_value:
                return option.get("next") or None
        return None
    return item.get("next") or None


def _chosen_values(answer_value: Any) -> set[str]:
    if answer_value is None:
        return set()
    if isinstance(answer_value, str):
        return {part.strip() for part in answer_value.split(",") if part.strip()}
    return {str(value) for value in answer_value}


def variables_in(text: Any) -> list[str]:
    """The placeholder names a text uses, in order, known or not."""
    if not isinstance(text, str):
        return []
    return PLACEHOLDER.findall(text)


def is_medical(item: Mapping) -> bool:
    """A node is medical when marked so, or when it says a patient's data (department,
    doctor, discharge date): either way, a sensitive patient's identity comes first."""
    if item.get("medical") is True:
        return True
    return any(name.startswith(MEDICAL_VARIABLE_PREFIX) for name in variables_in(item.get("text")))


def is_medical_hidden(graph: Mapping, node_id: str, identity_confirmed: bool) -> bool:
    """Whether the call screen must hide this node's text. For a patient who is not
    sensitive, pass identity_confirmed=True."""
    item = node(graph, node_id)
    return item is not None and is_medical(item) and not identity_confirmed


def visible_nodes(graph: Mapping, *, identity_confirmed: bool) -> list[dict]:
    """The nodes the call screen may show now, in stored order."""
    return [item for item in nodes_of(graph) if identity_confirmed or not is_medical(item)]


def reachable(graph: Mapping) -> set[str]:
    """Ids of the nodes a call can come to: from the start, and from the targets of
    objection handlers that jump (an objection can be raised at any node)."""
    index = _index(graph)
    roots = [_str(graph, "start"), *_jump_targets(graph)]
    return _walk_from([root for root in roots if root in index], index)


def layers(graph: Mapping) -> list[list[str]]:
    """Node ids in rows: each node one row below the furthest node leading to it (loops
    cut), so every forward edge points down; the nodes no call can reach form a last row."""
    index = _index(graph)
    depth, _ = _depths(graph, index)
    rows: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node_id in index:
        if node_id in depth:
            rows[depth[node_id]].append(node_id)
    unreached = [node_id for node_id in index if node_id not in depth]
    if unreached:
        rows.append(unreached)
    return rows


def _depths(graph: Any, index: Mapping[str, Mapping]) -> tuple[dict[str, int], set[tuple]]:
    """The row of each reachable node (longest path from the start once the edges that
    close a loop are set aside) and those loop-closing edges."""
    start = _str(graph, "start")
    roots = ([start] if start in index else []) + _jump_targets(graph)
    finished, back = _depth_first([root for root in roots if root in index], index)
    depth: dict[str, int] = {}
    # Reverse finishing order is a topological order of the graph without its back edges.
    for node_id in reversed(finished):
        depth.setdefault(node_id, 0 if node_id == start else 1)
        for edge in edges(index[node_id]):
            if edge.target in index and (node_id, edge.target) not in back:
                depth[edge.target] = max(depth.get(edge.target, 0), depth[node_id] + 1)
    return depth, back


def _depth_first(
    roots: list[str], index: Mapping[str, Mapping]
) -> tuple[list[str], set[tuple[str, str]]]:
    """Nodes in the order a depth-first search finishes them, and the edges that lead back
    to a node still on the search path (the ones that close a loop)."""
    on_path, done = set(), set()
    finished: list[str] = []
    back: set[tuple[str, str]] = set()
    for root in roots:
        if root in on_path or root in done:
            continue
        on_path.add(root)
        stack = [(root, iter(edges(index[root])))]
        while stack:
            node_id, pending = stack[-1]
            for edge in pending:
                target = edge.target
                if target not in index or target in done:
                    continue
                if target in on_path:
                    back.add((node_id, target))
                    continue
                on_path.add(target)
                stack.append((target, iter(edges(index[target]))))
                break
            else:
                stack.pop()
                on_path.discard(node_id)
                done.add(node_id)
                finished.append(node_id)
    return finished, back


def _index(graph: Any) -> dict[str, dict]:
    """Nodes by id; the first of a duplicated id wins (validate() reports the others)."""
    index: dict[str, dict] = {}
    for item in nodes_of(graph):
        node_id = item.get("id")
        if isinstance(node_id, str) and node_id not in index:
            index[node_id] = item
    return index


def _jump_targets(graph: Any) -> list[str]:
    return [
        item["target"]
        for item in objections_of(graph)
        if item.get("action") == "jump" and isinstance(item.get("target"), str)
    ]


def _walk_from(roots: Iterable[str], index: Mapping[str, Mapping], *, skip=None) -> set[str]:
    seen: set[str] = set()
    stack = [root for root in roots if root in index]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for edge in edges(index[current]):
            if edge.target in index and not (skip and skip(index[current], edge)):
                stack.append(edge.target)
    return seen
