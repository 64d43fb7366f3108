"""The rules of a call-script graph (schema 1): validation, variables, navigation, diff, SVG.

Pure: dicts in, answers out, no ORM. The agent console, the script editor and the import
all use these functions, so a graph means the same thing everywhere.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SCHEMA_VERSION = 1
KNOWN_SCHEMAS = frozenset({SCHEMA_VERSION})

NODE_KINDS = ("greeting", "identity_check", "question", "statement", "closing")
NODE_KIND_LABELS = {
    "greeting": _("Greeting"),
    "identity_check": _("Identity check"),
    "question": _("Question"),
    "statement": _("Statement"),
    "closing": _("Closing"),
}
ANSWER_TYPES = ("single", "multiple", "rating", "text", "number", "date")
ANSWER_TYPE_LABELS = {
    "single": _("One choice"),
    "multiple": _("Several choices"),
    "rating": _("Satisfaction rating"),
    "text": _("Free text"),
    "number": _("Number"),
    "date": _("Date"),
}
# Answer types whose answers are options, each leading on; the others are typed in and
# continue to the node's own `next`.
OPTION_ANSWER_TYPES = frozenset({"single", "multiple", "rating"})
FREE_ANSWER_TYPES = frozenset({"text", "number", "date"})

# The four satisfaction levels of the seeds (满意/一般/不满意/差); the values are those of
# followups.models.Satisfaction, the labels what the agent reads out.
RATING_LEVELS = ("satisfied", "neutral", "dissatisfied", "poor")
RATING_LABELS = {"satisfied": "满意", "neutral": "一般", "dissatisfied": "不满意", "poor": "差"}

# What an answer tells about the call, and the answer values each field accepts (None: any).
OUTCOME_FIELDS: dict[str, frozenset[str] | None] = {
    "satisfaction": frozenset(RATING_LEVELS),
    "intent_class": frozenset({"A", "B", "C", "D"}),
    "callback_wanted": frozenset({"yes", "no"}),
    "red_flag": frozenset({"yes", "no"}),
}
OUTCOME_FIELD_LABELS = {
    "satisfaction": _("Satisfaction"),
    "intent_class": _("Intent class (A/B/C/D)"),
    "callback_wanted": _("Callback wanted (yes/no)"),
    "red_flag": _("Red flag: needs a doctor (yes/no)"),
}

# The values of followups.models.Disposition (a test keeps the two in step).
DISPOSITIONS = (
    "complete",
    "partial",
    "family",
    "no_answer",
    "busy",
    "phone_off",
    "wrong_number",
    "refused",
    "callback",
    "deceased",
)
OBJECTION_ACTIONS = ("return", "jump", "end")
OBJECTION_ACTION_LABELS = {
    "return": _("Back to where the call was"),
    "jump": _("Go on at another node"),
    "end": _("End the call"),
}

# The answer of an identity check that confirms the person is who we called.
IDENTITY_CONFIRMED = "yes"

# The variables a text may use, in the order the editor's picker shows them. The three
# patient.* values are medical: a node that says them counts as medical.
KNOWN_VARIABLES = (
    "customer.honorific",
    "customer.name",
    "agent.name",
    "hospital.name",
    "patient.department",
    "patient.doctor",
    "patient.discharged_on",
    "case.product",
)
VARIABLE_LABELS = {
    "customer.honorific": _("customer's honorific (张先生)"),
    "customer.name": _("customer's full name"),
    "agent.name": _("agent's name"),
    "hospital.name": _("hospital name"),
    "patient.department": _("patient's department"),
    "patient.doctor": _("attending doctor"),
    "patient.discharged_on": _("discharge date"),
    "case.product": _("product or service of the case"),
}
MEDICAL_VARIABLE_PREFIX = "patient."

NODE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,59}$")
# Anything between single braces is a placeholder; what is not whitelisted renders inert.
PLACEHOLDER = re.compile(r"\{([^{}\n]{1,80})\}")


@dataclass(frozen=True)
class GraphError:
    """One problem of a graph. `node_id` is None for the graph as a whole and for objection
    handlers, whose `field` reads "objections.<id>.<key>"."""

    node_id: str | None
    field: str | None
    message: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    # The option value that takes this edge; None for a node's own `next`.
    value: str | None
    label: str


# --- Reading a graph ----------------------------------------------------------------------


def nodes_of(graph: Any) -> list[dict]:
    """The graph's nodes that are objects, in stored order (never raises on bad input)."""
    if not isinstance(graph, Mapping):
        return []
    nodes = graph.get("nodes")
    if not isinstance(nodes, list):
        return []
    return [item for item in nodes if isinstance(item, Mapping)]


def objections_of(graph: Any) -> list[dict]:
    if not isinstance(graph, Mapping):
        return []
    items = graph.get("objections")
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, Mapping)]


def node(graph: Mapping, node_id: str) -> dict | None:
    """The node with this id, or None."""
    return next((item for item in nodes_of(graph) if item.get("id") == node_id), None)


def objection(graph: Mapping, objection_id: str) -> dict | None:
    return next((item for item in objections_of(graph) if item.get("id") == objection_id), None)


def options_of(item: Mapping) -> list[dict]:
    options = item.get("options")
    if not isinstance(options, list):
        return []
    return [option for option in options if isinstance(option, Mapping)]


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


# --- Variables ----------------------------------------------------------------------------


def render_text(text: str, values: Mapping[str, str | None]) -> str:
    """The text with each whitelisted {a.b} replaced by its value, as plain text.

    A known variable without a value shows a visible placeholder; an unknown one shows
    itself marked unknown. Values are inserted once, never re-read as placeholders, and
    nothing is looked up on an object: a regex substitution from a dict of strings."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in KNOWN_VARIABLES:
            return gettext("[unknown variable: %(name)s]") % {"name": name}
        value = values.get(name)
        if value is None or str(value) == "":
            return gettext("[%(label)s?]") % {"label": VARIABLE_LABELS[name]}
        return str(value)

    if not isinstance(text, str):
        return ""
    return PLACEHOLDER.sub(replace, text)


# --- Validation ---------------------------------------------------------------------------


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


def _check_ids(graph: Mapping) -> list[GraphError]:
    errors = []
    seen: set[str] = set()
    for position, item in enumerate(nodes_of(graph), start=1):
        node_id = item.get("id")
        if not isinstance(node_id, str) or not NODE_ID.match(node_id):
            errors.append(
                GraphError(
                    node_id if isinstance(node_id, str) else None,
                    "id",
                    gettext(
                        "Node %(position)s needs an id of letters, digits, _ or -, starting "
                        "with a letter (at most 60)."
                    )
                    % {"position": position},
                )
            )
            continue
        if node_id in seen:
            errors.append(
                GraphError(
                    node_id,
                    "id",
                    gettext("Two nodes have the id “%(id)s”; ids must be unique.")
                    % {"id": node_id},
                )
            )
        seen.add(node_id)
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
    seen: set[str] = set()
    for position, item in enumerate(objections_of(graph), start=1):
        objection_id = item.get("id")
        if not isinstance(objection_id, str) or not NODE_ID.match(objection_id):
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

        if objection_id in seen or objection_id in index:
            error("id", gettext("The id “%(id)s” is already used.") % {"id": objection_id})
        seen.add(objection_id)
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


# --- A walk through the script (the preview) -----------------------------------------------


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


# --- Differences between two versions ------------------------------------------------------

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


# --- The graph as a picture ---------------------------------------------------------------

NODE_WIDTH, NODE_HEIGHT = 168, 48
GAP_X, GAP_Y, MARGIN = 28, 46, 16
# Label widths in full-width characters (a Latin letter counts about half).
HEADING_CHARACTERS, EDGE_LABEL_CHARACTERS = 13, 9
SNIPPET_CHARACTERS = 12
KIND_COLOURS = {
    "greeting": ("#e7f1ff", "#0d6efd"),
    "identity_check": ("#fff3cd", "#b58100"),
    "question": ("#e8f5e9", "#198754"),
    "statement": ("#f1f3f5", "#6c757d"),
    "closing": ("#e2e3f3", "#3d3f8f"),
}
PROBLEM_COLOURS = ("#fde8e8", "#dc3545")


def to_svg(graph: Mapping, *, title: str = "") -> str:
    """The graph drawn as SVG, top to bottom (each node below every node that leads to it),
    nodes coloured by kind, edges labelled with their answers, edges that close a loop
    drawn round the right. Dead ends, broken links and nodes no call can reach are red
    with a dashed border."""
    index = _index(graph)
    if not index:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" role="img">'
            f'<text x="10" y="24" font-size="13">{escape(gettext("No nodes yet."))}</text></svg>'
        )
    layout = _Layout(graph, index)
    reached = reachable(graph)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:.0f} '
        f'{layout.height:.0f}" width="{layout.width:.0f}" height="{layout.height:.0f}" '
        'role="img" class="script-graph" font-family="system-ui, -apple-system, '
        "'Segoe UI', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif\">",
        f"<title>{escape(title or gettext('Script graph'))}</title>",
        "<defs>",
        *(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>'
            for name, colour in (("ok", "#6c757d"), ("bad", "#dc3545"))
        ),
        "</defs>",
    ]
    labels = []
    for node_id, item in index.items():
        for target, label in _merged_edges(item):
            path, label_at, ok = layout.edge(node_id, target)
            colour, dash = ("#8a939c", "") if ok else ("#dc3545", ' stroke-dasharray="4 3"')
            parts.append(
                f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.3"{dash} '
                f'marker-end="url(#arrow-{"ok" if ok else "bad"})"/>'
            )
            if not ok:
                label = f"{label} → {target}?".strip(" →")
            if label:
                labels.append(_edge_label(label, label_at))
    parts += labels
    for node_id, item in index.items():
        problem = _is_problem(item, index, reached)
        parts.append(_node_box(item, layout.box(node_id), problem=problem))
    parts.append("</svg>")
    return "".join(parts)


DUMMY_WIDTH = 12
PORT_SPACING = 36
ORDERING_SWEEPS = 4


class _Layout:
    """Where each node of the picture goes: rows from layers(), an invisible waypoint in
    every row a long edge crosses, rows ordered by the mean position of their neighbours
    (a few sweeps down and up, as layered graph drawing does) so edges cross little."""

    def __init__(self, graph: Mapping, index: Mapping[str, Mapping]):
        self.index = index
        self.depth, self.back = _depths(graph, index)
        rows: list[list] = [[] for _ in range(max(self.depth.values(), default=-1) + 1)]
        for node_id in index:
            if node_id in self.depth:
                rows[self.depth[node_id]].append(node_id)
        self.waypoints: dict[tuple[str, str], list[tuple]] = {}
        neighbours: list[tuple] = []
        for node_id, item in index.items():
            for target, _label in _merged_edges(item):
                if not self._forward(node_id, target):
                    continue
                chain: list = [node_id]
                for row in range(self.depth[node_id] + 1, self.depth[target]):
                    waypoint = ("~", node_id, target, row)
                    rows[row].append(waypoint)
                    chain.append(waypoint)
                chain.append(target)
                self.waypoints[(node_id, target)] = chain[1:-1]
                neighbours += list(zip(chain, chain[1:], strict=False))
        unreached = [node_id for node_id in index if node_id not in self.depth]
        self.rows = _order_rows(rows, neighbours)
        self.ports: dict[tuple[str, str], float] = {}
        if unreached:
            self.rows.append(unreached)
        widest = max(_row_width(row) for row in self.rows)
        # Room on the right for the edges that close a loop or join unreachable nodes.
        self.width = widest + 2 * MARGIN + 2 * GAP_X
        self.height = len(self.rows) * (NODE_HEIGHT + GAP_Y) - GAP_Y + 2 * MARGIN + GAP_Y / 2
        self.centre: dict[Any, float] = {}
        self.top: dict[Any, float] = {}
        for number, row in enumerate(self.rows):
            x = MARGIN + (widest - _row_width(row)) / 2
            for slot in row:
                slot_width = DUMMY_WIDTH if isinstance(slot, tuple) else NODE_WIDTH
                self.centre[slot] = x + slot_width / 2
                self.top[slot] = MARGIN + number * (NODE_HEIGHT + GAP_Y)
                x += slot_width + GAP_X
        # Edges leave a node side by side, ordered as their first stops lie, so that the
        # answers' labels sit apart.
        for node_id in index:
            going = sorted(
                (self.centre[(self.waypoints[key] or [key[1]])[0]], key)
                for key in self.waypoints
                if key[0] == node_id
            )
            spread = min(PORT_SPACING, NODE_WIDTH / (len(going) + 1))
            for place, (_x, key) in enumerate(going):
                self.ports[key] = (place - (len(going) - 1) / 2) * spread

    def _forward(self, source: str, target: str) -> bool:
        return (
            source in self.depth
            and target in self.depth
            and (source, target) not in self.back
            and self.depth[target] > self.depth[source]
        )

    def box(self, node_id: str) -> tuple[float, float]:
        return self.centre[node_id] - NODE_WIDTH / 2, self.top[node_id]

    def edge(self, source: str, target: str) -> tuple[str, tuple[float, float], bool]:
        """The SVG path of an edge, where its label goes, and whether it is sound."""
        sx, sy = self.centre[source], self.top[source] + NODE_HEIGHT
        if target not in self.index:
            # A link to nothing: a short red stub.
            end = sy + GAP_Y / 2
            return f"M{sx:.1f},{sy:.1f} L{sx:.1f},{end:.1f}", (sx, end + 10), False
        if not self._forward(source, target):
            return self._around(source, target)
        sx += self.ports.get((source, target), 0)
        points = [(sx, sy)]
        for waypoint in self.waypoints.get((source, target), []):
            x, top = self.centre[waypoint], self.top[waypoint]
            points += [(x, top), (x, top + NODE_HEIGHT)]
        points.append((self.centre[target], self.top[target]))
        path = [f"M{sx:.1f},{sy:.1f}"]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            if x1 == x2:
                path.append(f"L{x2:.1f},{y2:.1f}")
                continue
            bend = (y2 - y1) / 2
            path.append(f"C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f} {x2:.1f},{y2:.1f}")
        (x1, y1), (x2, y2) = points[0], points[1]
        return " ".join(path), ((x1 + x2) / 2, (y1 + y2) / 2), True

    def _around(self, source: str, target: str) -> tuple[str, tuple[float, float], bool]:
        """Back up a loop, or between unreachable nodes: round the right-hand side."""
        sx = self.centre[source] + NODE_WIDTH / 2
        sy = self.top[source] + NODE_HEIGHT / 2
        tx = self.centre[target] + NODE_WIDTH / 2
        ty = self.top[target] + NODE_HEIGHT / 2
        out = max(sx, tx) + GAP_X * 1.5
        path = f"M{sx:.1f},{sy:.1f} C{out:.1f},{sy:.1f} {out:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
        return path, (out - GAP_X * 0.4, (sy + ty) / 2), True


def _order_rows(rows: list[list], neighbours: list[tuple]) -> list[list]:
    above: dict[Any, list] = {}
    below: dict[Any, list] = {}
    for upper, lower in neighbours:
        above.setdefault(lower, []).append(upper)
        below.setdefault(upper, []).append(lower)
    position = {slot: place for row in rows for place, slot in enumerate(row)}

    def reorder(row: list, linked: dict[Any, list]) -> list:
        def key(slot) -> float:
            known = [position[other] for other in linked.get(slot, [])]
            return sum(known) / len(known) if known else position[slot]

        ordered = sorted(row, key=key)
        for place, slot in enumerate(ordered):
            position[slot] = place
        return ordered

    for _sweep in range(ORDERING_SWEEPS):
        for number in range(1, len(rows)):
            rows[number] = reorder(rows[number], above)
        for number in range(len(rows) - 2, -1, -1):
            rows[number] = reorder(rows[number], below)
    return rows


def _row_width(row: list) -> float:
    widths = [DUMMY_WIDTH if isinstance(slot, tuple) else NODE_WIDTH for slot in row]
    return sum(widths) + GAP_X * (len(widths) - 1)


def _merged_edges(item: Mapping) -> list[tuple[str, str]]:
    """One edge per target, its answers' labels joined."""
    merged: dict[str, list[str]] = {}
    for edge in edges(item):
        labels = merged.setdefault(edge.target, [])
        if edge.label and edge.label not in labels:
            labels.append(edge.label)
    # Options without a target are dead ends drawn by the node's colour, not as edges.
    return [(target, " / ".join(labels)) for target, labels in merged.items()]


def _edge_label(full_label: str, at: tuple[float, float]) -> str:
    x, y = at
    label = _shorten(full_label, EDGE_LABEL_CHARACTERS)
    width = _text_width(label, 10) + 6
    return (
        f'<g class="edge-label"><title>{escape(full_label)}</title>'
        f'<rect x="{x - width / 2:.1f}" y="{y - 8:.1f}" '
        f'width="{width:.1f}" height="14" rx="3" fill="#ffffff" fill-opacity="0.9"/>'
        f'<text x="{x:.1f}" y="{y + 3:.1f}" font-size="10" text-anchor="middle" '
        f'fill="#495057">{escape(label)}</text></g>'
    )


def _node_box(item: Mapping, at: tuple[float, float], *, problem: bool) -> str:
    x, y = at
    node_id = str(item.get("id"))
    fill, stroke = (
        PROBLEM_COLOURS
        if problem
        else KIND_COLOURS.get(_str(item, "kind"), KIND_COLOURS["statement"])
    )
    dash = ' stroke-dasharray="5 3"' if problem else ""
    kind = NODE_KIND_LABELS.get(_str(item, "kind"), str(item.get("kind")))
    heading = f"{node_id} · {kind}"
    if item.get("kind") == "closing" and item.get("disposition"):
        heading = f"{node_id} · {item['disposition']}"
    text = str(item.get("text") or "")
    medical = ' <tspan fill="#b02a37">✚</tspan>' if is_medical(item) else ""
    return (
        f'<g class="node{" problem" if problem else ""}" data-node="{escape(node_id)}">'
        f"<title>{escape(node_id)}: {escape(text)}</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}/>'
        f'<text x="{x + 8:.1f}" y="{y + 18:.1f}" font-size="11" font-weight="600" '
        f'fill="{stroke}">{escape(_shorten(heading, HEADING_CHARACTERS))}{medical}</text>'
        f'<text x="{x + 8:.1f}" y="{y + 36:.1f}" font-size="11" fill="#343a40">'
        f"{escape(_shorten(text, SNIPPET_CHARACTERS))}</text></g>"
    )


def _is_problem(item: Mapping, index: Mapping[str, Mapping], reached: set[str]) -> bool:
    """Unreachable, a dead end, or leading to a node that does not exist."""
    if item.get("id") not in reached:
        return True
    if item.get("kind") == "closing":
        return False
    if takes_options(item) and not (item.get("answer_type") == "multiple" and item.get("next")):
        if any(not option.get("next") for option in options_of(item)):
            return True
    targets = [edge.target for edge in edges(item)]
    return not targets or any(target not in index for target in targets)


def _shorten(text: str, limit: int) -> str:
    """At most `limit` wide characters (a Latin letter counts half)."""
    used, kept = 0.0, []
    for character in text:
        used += 0.55 if ord(character) < 0x2E80 else 1
        if used > limit:
            return "".join(kept).rstrip() + "…"
        kept.append(character)
    return text


def _text_width(text: str, size: int) -> float:
    return sum(size * (0.58 if ord(character) < 0x2E80 else 1.0) for character in text)
