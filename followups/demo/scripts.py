"""The demo's call scripts: four published graphs (schema 1, the one the script editor
builds on) sharing a greeting, an identity check, satisfaction, complaint, note and
closings around each script's own middle. Their text is data (demo/data/scripts.yaml);
this module puts each script's graph together."""

from __future__ import annotations

from dataclasses import dataclass

from followups.demo.data import load
from followups.models import CaseKind

# The graph schema (version 1) that the script editor builds on: nodes with options leading
# to a `next` node, closings with a disposition, and objection handlers usable from any node.

_DATA = load("scripts")
_SHARED = _DATA["shared"]
COMPLAINT_TEXT = _SHARED["complaint"]
NOTE_TEXT = _SHARED["note"]
FAMILY_CLOSING = _SHARED["family_closing"]
WRONG_NUMBER_CLOSING = _SHARED["wrong_number_closing"]


def _node(node_id: str, kind: str, text: str, **fields) -> dict:
    return {"id": node_id, "kind": kind, "text": text, **fields}


def _options(*choices: tuple[str, str, str]) -> list[dict]:
    return [{"value": value, "label": label, "next": target} for value, label, target in choices]


def _body_node(item: dict) -> dict:
    """A node of a script's own middle as the data writes it: options as [value, label,
    next]."""
    node = dict(item)
    if "options" in node:
        node["options"] = _options(*node["options"])
    return node


def _objections(*, how_we_have_your_number: str, where_to_check_us: str) -> list[dict]:
    objections = [dict(objection) for objection in _SHARED["objections"]]
    for objection in objections:
        if objection["id"] == "how_number":
            objection["text"] = how_we_have_your_number
        elif objection["id"] == "scam":
            objection["text"] += where_to_check_us
    return objections


def _script_graph(
    *,
    greeting: str,
    identity: str,
    first_after_identity: str,
    body: list[dict],
    satisfaction: str,
    after_satisfied: str,
    closing: str,
    how_we_have_your_number: str,
    where_to_check_us: str,
) -> dict:
    """A script's own middle (`body`) between the parts every script shares: greeting,
    identity check, satisfaction, complaint, note and the closings."""
    nodes = [
        _node("greet", "greeting", greeting, next="identity"),
        _node(
            "identity",
            "identity_check",
            identity,
            options=_options(
                ("yes", "是本人", first_after_identity),
                ("family", "家属接听", "close_family"),
                ("no", "不是", "close_wrong"),
            ),
        ),
        *(_body_node(item) for item in body),
        _node(
            "q_satisfaction",
            "question",
            satisfaction,
            answer_type="rating",
            outcome_field="satisfaction",
            options=_options(
                ("satisfied", "满意", after_satisfied),
                ("neutral", "一般", "q_note"),
                ("dissatisfied", "不满意", "s_complaint"),
                ("poor", "差", "s_complaint"),
            ),
        ),
        _node("s_complaint", "statement", COMPLAINT_TEXT, next="q_note"),
        _node("q_note", "question", NOTE_TEXT, answer_type="text", next="close_ok"),
        _node("close_ok", "closing", closing, disposition="complete"),
        _node("close_family", "closing", FAMILY_CLOSING, disposition="family"),
        _node("close_wrong", "closing", WRONG_NUMBER_CLOSING, disposition="wrong_number"),
    ]
    return {
        "schema": 1,
        "start": "greet",
        "nodes": nodes,
        "objections": _objections(
            how_we_have_your_number=how_we_have_your_number,
            where_to_check_us=where_to_check_us,
        ),
    }


@dataclass(frozen=True)
class ScriptSpec:
    code: str
    name: str
    case_kind: CaseKind
    description: str
    graph: dict


def _spec(entry: dict) -> ScriptSpec:
    about = {key: entry.pop(key) for key in ("code", "name", "case_kind", "description")}
    return ScriptSpec(
        about["code"],
        about["name"],
        CaseKind(about["case_kind"]),
        about["description"],
        _script_graph(**entry),
    )


SCRIPTS = tuple(_spec(dict(entry)) for entry in _DATA["scripts"])
DISCHARGE_GRAPH, MISSED_APPOINTMENT_GRAPH, POLICY_GRAPH, AFTER_SALES_GRAPH = (
    spec.graph for spec in SCRIPTS
)
