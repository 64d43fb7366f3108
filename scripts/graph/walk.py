"""A walk through a call script (the preview and the agent's runner): replay() follows a
path of tokens from the start and returns the Walk, its Steps and where the call is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scripts.graph.reading import _index, _str, next_node_id, objection, options_of
from scripts.graph.schema import IDENTITY_CONFIRMED

__all__ = ["Step", "Walk", "replay"]


@dataclass(frozen=True)
class Step:
    """One step of a walk: a node (or an objection handler) and the answer given there."""

    node: dict
    answer: str | None = None
    answer_label: str | None = None
    is_objection: bool = False


@dataclass(frozen=True)
class Walk:
    steps: tuple[Step, ...]
    # The node waiting for an answer; None once the call has ended.
    current: dict | None
    identity_confirmed: bool
    # The disposition the call ended with, when it has.
    disposition: str | None = None
    # The tokens that were followed (what a link one step further appends to).
    path: tuple[str, ...] = field(default_factory=tuple)


def replay(graph: Mapping, path: Sequence[str]) -> Walk:
    """Follow a path of tokens from the start: "node_id" to go on from a statement,
    "node_id:value" to answer, "!objection_id" to raise an objection. The walk stops at the
    first token that does not fit where the call is."""
    index = _index(graph)
    current = index.get(_str(graph, "start"))
    steps: list[Step] = []
    followed: list[str] = []
    confirmed = False
    for token in path:
        if current is None or current.get("kind") == "closing":
            break
        if token.startswith("!"):
            handler = objection(graph, token[1:])
            if handler is None:
                break
            steps.append(Step(node=handler, is_objection=True))
            followed.append(token)
            if handler.get("action") == "end":
                return Walk(tuple(steps), None, confirmed, handler.get("disposition"), (*followed,))
            if handler.get("action") == "jump":
                current = index.get(_str(handler, "target"))
            continue
        node_id, _, value = token.partition(":")
        if node_id != current.get("id"):
            break
        target = next_node_id(graph, node_id, value or None)
        if target is None:
            break
        label = next(
            (str(o.get("label", "")) for o in options_of(current) if o.get("value") == value),
            value or None,
        )
        steps.append(Step(node=current, answer=value or None, answer_label=label))
        followed.append(token)
        if current.get("kind") == "identity_check" and value == IDENTITY_CONFIRMED:
            confirmed = True
        current = index.get(target)
    if current is not None and current.get("kind") == "closing":
        steps.append(Step(node=current))
        return Walk(tuple(steps), None, confirmed, current.get("disposition"), (*followed,))
    return Walk(tuple(steps), current, confirmed, None, (*followed,))
