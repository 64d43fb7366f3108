"""Validating a call-script graph: validate() lists every problem (shape, ids, each node,
paths and loops, the identity check first for sensitive patients, objection handlers), and
the helpers that group the errors by node and by objection handler.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext

from scripts.graph.reading import (
    _index,
    _jump_targets,
    _str,
    _walk_from,
    edges,
    is_medical,
    nodes_of,
    objections_of,
    options_of,
    reachable,
    takes_next,
    takes_options,
    variables_in,
)
from scripts.graph.schema import (
    ANSWER_TYPES,
    DISPOSITIONS,
    IDENTITY_CONFIRMED,
    KNOWN_SCHEMAS,
    KNOWN_VARIABLES,
    MEDICAL_VARIABLE_PREFIX,
    NODE_ID,
    NODE_KINDS,
    OBJECTION_ACTIONS,
    OPTION_ANSWER_TYPES,
    OUTCOME_FIELDS,
    RATING_LEVELS,
    SCHEMA_VERSION,
    GraphError,
)

__all__ = ["errors_by_node", "errors_by_objection", "objection_field", "validate"]


def validate(graph: Any, *, for_sensitive: bool = True) -> list[GraphError]:
    """Every problem of a graph, graph-wide ones first, then node by node, then objection
    handlers; an empty list means it can be published. Never raises on malformed input."""
    if not isinstance(graph, Mapping):
        return [GraphError(None, None, gettext("A script graph must be a JSON object."))]
    errors = _check_shape(graph)
    if any(error.field in {"schema", "nodes"} for error in errors):
        return errors
    index = _index(graph)
    start = graph.get("start")
    if not isinstance(start, str) or not start:
        errors.append(GraphError(None, "start", gettext("Choose the node the call starts at.")))
    elif start not in index:
        errors.append(
            GraphError(
                None,
                "start",
                gettext("The start node “%(id)s” does not exist.") % {"id": start},
            )
        )
    errors += _check_ids(graph)
    for item in nodes_of(graph):
        errors += _check_node(item, index)
    errors += _check_paths(graph, index)
    if for_sensitive:
        errors += _check_identity_first(graph, index)
    errors += _check_objections(graph, index, for_sensitive=for_sensitive)
    return _in_graph_order(errors, graph)


def errors_by_node(errors: Iterable[GraphError]) -> dict[str | None, list[GraphError]]:
    """Errors grouped by node id (None: graph-wide and objection errors)."""
    grouped: dict[str | None, list[GraphError]] = {}
    for error in errors:
        grouped.setdefault(error.node_id, []).append(error)
    return grouped


def objection_field(objection_id: str, key: str) -> str:
    return f"objections.{objection_id}.{key}"


def errors_by_objection(errors: Iterable[GraphError]) -> dict[str, list[GraphError]]:
    grouped: dict[str, list[GraphError]] = {}
    for error in errors:
        if error.node_id is None and (error.field or "").startswith("objections."):
            objection_id = error.field.split(".")[1]
            grouped.setdefault(objection_id, []).append(error)
    return grouped


def _check_shape(graph: Mapping) -> list[GraphError]:
    errors = []
    schema = graph.get("schema")
    if type(schema) is not int or schema not in KNOWN_SCHEMAS:
        errors.append(
            GraphError(
                None,
                "schema",
                gettext("Unknown script schema %(schema)s; this version reads schema %(known)s.")
                % {"schema": repr(graph.get("schema")), "known": SCHEMA_VERSION},
            )
        )
    nodes = graph.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        errors.append(GraphError(None, "nodes", gettext("A script needs at least one node.")))
    elif len(nodes_of(graph)) != len(nodes):
        errors.append(GraphError(None, "nodes", gettext("Every node must be a JSON object.")))
    objections = graph.get("objections", [])
    if not isinstance(objections, list) or len(objections_of(graph)) != len(objections):
        errors.append(
            GraphError(
                None, "objections", gettext("Objection handlers must be a list of JSON objects.")
            )
        )
    return errors


def _numbered_ids(items: list[dict]) -> Iterable[tuple[int, dict, str | None, bool]]:
    """Each item with its position (from 1), its id (None when it is not a valid id) and
    whether an item before it has that id."""
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        item_id = item.get("id")
        if not isinstance(item_id, str) or not NODE_ID.match(item_id):
            yield position, item, None, False
            continue
        yield position, item, item_id, item_id in seen
        seen.add(item_id)


def _check_ids(graph: Mapping) -> list[GraphError]:
    errors = []
    for position, item, node_id, repeated in _numbered_ids(nodes_of(graph)):
        if node_id is None:
            errors.append(
                GraphError(
                    item["id"] if isinstance(item.get("id"), str) else None,
                    "id",
                    gettext(
                        "Node %(position)s needs an id of letters, digits, _ or -, starting "
                        "with a letter (at most 60)."
                    )
                    % {"position": position},
                )
            )
        elif repeated:
            errors.append(
                GraphError(
                    node_id,
                    "id",
                    gettext("Two nodes have the id “%(id)s”; ids must be unique.")
                    % {"id": node_id},
                )
            )
    return errors


def _check_node(item: Mapping, index: Mapping[str, Mapping]) -> list[GraphError]:
    node_id = item.get("id") if isinstance(item.get("id"), str) else None
    errors: list[GraphError] = []

    def error(field_name: str | None, message: str) -> None:
        errors.append(GraphError(node_id, field_name, message))

    kind = item.get("kind")
    if kind not in NODE_KINDS:
        error("kind", gettext("Unknown node kind %(kind)s.") % {"kind": repr(kind)})
        return errors
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        error("text", gettext("Write what the agent says here."))
    errors += _unknown_variables(node_id, "text", text)
    if kind == "question":
        errors += _check_question(item, node_id)
        if item.get("answer_type") not in ANSWER_TYPES:
            return errors
    if kind == "identity_check":
        values = [option.get("value") for option in options_of(item)]
        if IDENTITY_CONFIRMED not in values:
            error(
                "options",
                gettext("An identity check needs the answer “%(value)s” (it is the person).")
                % {"value": IDENTITY_CONFIRMED},
            )
    if kind == "closing":
        if item.get("disposition") not in DISPOSITIONS:
            error("disposition", gettext("Choose how a call that ends here is recorded."))
        if item.get("next") or item.get("options"):
            error("next", gettext("A closing ends the call: it leads nowhere."))
        return errors
    if takes_options(item):
        errors += _check_options(item, node_id, index)
    elif item.get("options"):
        error("options", gettext("This kind of node has no answer options."))
    if takes_next(item):
        errors += _check_next(item, node_id, index)
    return errors


def _check_question(item: Mapping, node_id: str | None) -> list[GraphError]:
    errors = []
    answer_type = item.get("answer_type")
    if answer_type not in ANSWER_TYPES:
        errors.append(
            GraphError(node_id, "answer_type", gettext("Choose what kind of answer is expected."))
        )
        return errors
    values = [option.get("value") for option in options_of(item)]
    if answer_type == "rating" and sorted(map(str, values)) != sorted(RATING_LEVELS):
        errors.append(
            GraphError(
                node_id,
                "options",
                gettext(
                    "A rating has exactly the four levels satisfied, neutral, dissatisfied "
                    "and poor (满意/一般/不满意/差)."
                ),
            )
        )
    outcome = item.get("outcome_field")
    if outcome in (None, ""):
        return errors
    if not isinstance(outcome, str) or outcome not in OUTCOME_FIELDS:
        errors.append(
            GraphError(
                node_id,
                "outcome_field",
                gettext("Unknown outcome field %(field)s.") % {"field": repr(outcome)},
            )
        )
        return errors
    if outcome == "satisfaction" and answer_type != "rating":
        errors.append(
            GraphError(node_id, "outcome_field", gettext("Satisfaction is recorded from a rating."))
        )
    allowed = OUTCOME_FIELDS[outcome]
    if not isinstance(answer_type, str) or answer_type not in OPTION_ANSWER_TYPES:
        errors.append(
            GraphError(
                node_id,
                "outcome_field",
                gettext("An outcome field is recorded from answer options."),
            )
        )
    elif allowed is not None and not set(map(str, values)) <= allowed:
        errors.append(
            GraphError(
                node_id,
                "options",
                gettext("For %(field)s the answer values must be among: %(values)s.")
                % {"field": outcome, "values": ", ".join(sorted(allowed))},
            )
        )
    return errors


def _check_options(item: Mapping, node_id: str | None, index: Mapping) -> list[GraphError]:
    errors = []
    raw = item.get("options")
    if not isinstance(raw, list) or not raw:
        return [GraphError(node_id, "options", gettext("Add the answers the customer may give."))]
    if len(options_of(item)) != len(raw):
        errors.append(
            GraphError(node_id, "options", gettext("Every answer option must be a JSON object."))
        )
    # A multiple-choice question going on to its own `next` needs no target per option.
    needs_target = not (item.get("answer_type") == "multiple" and item.get("next"))
    seen: set[str] = set()
    for position, option in enumerate(options_of(item)):
        where = f"options.{position}"
        value = option.get("value")
        if not isinstance(value, str) or not value.strip():
            errors.append(
                GraphError(node_id, f"{where}.value", gettext("Give each answer a value."))
            )
        elif value in seen:
            errors.append(
                GraphError(
                    node_id,
                    f"{where}.value",
                    gettext("The answer value “%(value)s” appears twice.") % {"value": value},
                )
            )
        else:
            seen.add(value)
        label = option.get("label")
        if not isinstance(label, str) or not label.strip():
            errors.append(
                GraphError(node_id, f"{where}.label", gettext("Give each answer a label."))
            )
        errors += _unknown_variables(node_id, f"{where}.label", label)
        target = option.get("next")
        if target in (None, ""):
            if needs_target:
                errors.append(
                    GraphError(
                        node_id,
                        f"{where}.next",
                        gettext("Choose where the answer “%(label)s” leads.")
                        % {"label": label or value or position + 1},
                    )
                )
        elif not isinstance(target, str) or target not in index:
            errors.append(
                GraphError(
                    node_id,
                    f"{where}.next",
                    gettext("The answer “%(label)s” leads to “%(target)s”, which does not exist.")
                    % {"label": label or value or position + 1, "target": target},
                )
            )
    return errors


def _check_next(item: Mapping, node_id: str | None, index: Mapping) -> list[GraphError]:
    target = item.get("next")
    if item.get("answer_type") == "multiple" and not target:
        return []  # it leads on from its options
    if target in (None, ""):
        return [GraphError(node_id, "next", gettext("Choose what comes next: this is a dead end."))]
    if not isinstance(target, str) or target not in index:
        return [
            GraphError(
                node_id,
                "next",
                gettext("The next node “%(target)s” does not exist.") % {"target": target},
            )
        ]
    return []


def _unknown_variables(node_id: str | None, field_name: str, text: Any) -> list[GraphError]:
    return [
        GraphError(
            node_id,
            field_name,
            gettext("Unknown variable {%(name)s}; use one from the list.") % {"name": name},
        )
        for name in dict.fromkeys(variables_in(text))
        if name not in KNOWN_VARIABLES
    ]


def _check_paths(graph: Mapping, index: Mapping[str, Mapping]) -> list[GraphError]:
    """Every node reachable, and no loop a call cannot leave towards a closing."""
    errors = []
    if _str(graph, "start") in index:
        reached = reachable(graph)
        errors += [
            GraphError(
                node_id,
                None,
                gettext("No path from the start comes to this node."),
            )
            for node_id in index
            if node_id not in reached
        ]
    closing_reachable = _can_reach_closing(index)
    for node_id, item in index.items():
        if node_id in closing_reachable or item.get("kind") not in NODE_KINDS:
            continue
        targets = [edge.target for edge in edges(item)]
        # A dead end or a broken link is reported on its own node; what is left is a node
        # that goes on, always within a loop that never comes to a closing.
        if not targets or any(target not in index for target in targets):
            continue
        if node_id in _walk_from(targets, index):
            errors.append(
                GraphError(
                    node_id,
                    None,
                    gettext("This node is in a loop with no way out to a closing."),
                )
            )
    return errors


def _can_reach_closing(index: Mapping[str, Mapping]) -> set[str]:
    incoming: dict[str, list[str]] = {}
    for node_id, item in index.items():
        for edge in edges(item):
            incoming.setdefault(edge.target, []).append(node_id)
    found = {node_id for node_id, item in index.items() if item.get("kind") == "closing"}
    queue = deque(found)
    while queue:
        for source in incoming.get(queue.popleft(), []):
            if source not in found:
                found.add(source)
                queue.append(source)
    return found


def _check_identity_first(graph: Mapping, index: Mapping[str, Mapping]) -> list[GraphError]:
    """A sensitive patient hears nothing medical before the identity check's "yes"."""
    start = _str(graph, "start")
    if start not in index:
        return []
    errors = []
    # The opening may greet first; the first node after the greetings is the identity check.
    current, seen = index[start], set()
    while current.get("kind") == "greeting" and _str(current, "next") in index:
        if current["id"] in seen:
            break
        seen.add(current["id"])
        current = index[current["next"]]
    if current.get("kind") != "identity_check":
        errors.append(
            GraphError(
                start,
                "kind",
                gettext(
                    "For sensitive patients the call opens with the identity check (a greeting "
                    "may come first)."
                ),
            )
        )
    before_identity = _walk_from(
        [start, *_jump_targets(graph)],
        index,
        skip=lambda item, edge: (
            item.get("kind") == "identity_check" and edge.value == IDENTITY_CONFIRMED
        ),
    )
    for node_id in index:
        if node_id in before_identity and is_medical(index[node_id]):
            errors.append(
                GraphError(
                    node_id,
                    "medical",
                    gettext(
                        "Medical, yet reachable without the identity check's “yes”: a "
                        "sensitive patient's details could reach the wrong person."
                    ),
                )
            )
    return errors


def _check_objections(
    graph: Mapping, index: Mapping[str, Mapping], *, for_sensitive: bool
) -> list[GraphError]:
    errors = []
    for position, item, objection_id, repeated in _numbered_ids(objections_of(graph)):
        if objection_id is None:
            errors.append(
                GraphError(
                    None,
                    f"objections.{position}.id",
                    gettext("Objection handler %(position)s needs an id of letters and digits.")
                    % {"position": position},
                )
            )
            continue

        def error(key: str, message: str, objection_id: str = objection_id) -> None:
            errors.append(GraphError(None, objection_field(objection_id, key), message))

        if repeated or objection_id in index:
            error("id", gettext("The id “%(id)s” is already used.") % {"id": objection_id})
        if not isinstance(item.get("label"), str) or not item["label"].strip():
            error("label", gettext("Name the objection the way the customer puts it."))
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            error("text", gettext("Write what the agent answers."))
        for key in ("label", "text"):
            for name in dict.fromkeys(variables_in(item.get(key))):
                if name not in KNOWN_VARIABLES:
                    error(
                        key,
                        gettext("Unknown variable {%(name)s}; use one from the list.")
                        % {"name": name},
                    )
                elif for_sensitive and name.startswith(MEDICAL_VARIABLE_PREFIX):
                    error(
                        key,
                        gettext(
                            "An objection can come before the identity check: it may not "
                            "say a patient's data."
                        ),
                    )
        action = item.get("action")
        if action not in OBJECTION_ACTIONS:
            error("action", gettext("Choose what happens after the answer."))
        elif action == "jump":
            target = item.get("target")
            if not target:
                error("target", gettext("Choose the node the call goes on at."))
            elif not isinstance(target, str) or target not in index:
                error(
                    "target",
                    gettext("The node “%(target)s” does not exist.") % {"target": target},
                )
        elif action == "end" and item.get("disposition") not in DISPOSITIONS:
            error("disposition", gettext("Choose how a call that ends here is recorded."))
        # "Never call me again": an ending handler may tick the outcome's do-not-call box.
        if "do_not_call" in item and (
            not isinstance(item["do_not_call"], bool) or (item["do_not_call"] and action != "end")
        ):
            error(
                "do_not_call",
                gettext("Only a handler that ends the call can put the customer on do-not-call."),
            )
    return errors


def _in_graph_order(errors: list[GraphError], graph: Mapping) -> list[GraphError]:
    order = {node_id: position for position, node_id in enumerate(_index(graph))}

    def key(error: GraphError) -> tuple[int, int]:
        if error.node_id is None:
            return (2, 0) if (error.field or "").startswith("objections") else (0, 0)
        return (1, order.get(error.node_id, len(order)))

    return sorted(errors, key=key)
