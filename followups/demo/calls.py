"""What the people of the demo say when they are called: who picks up, the way through the
script they take, and what an agent notes. Pure: a random stream and a script graph in, a
Call out; recording it is the services' job (demo/history.py)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from followups.demo.content import (
    ASKS_FOR_NO_CALLS,
    BUSY_NOW,
    CALLBACK_DAYS,
    DEPARTMENTS,
    DISSATISFACTION,
    FAMILY_SAYS_WHEN,
    IDENTITY_WEIGHTS,
    NOTES,
    OUTCOME_FIELD_WEIGHTS,
    PICK_UP_WEIGHTS,
    REFUSED_AT_ONCE_WEIGHT,
    SATISFACTION_WORDS,
    USUAL_ANSWER_WEIGHT,
)
from followups.models import (
    Disposition,
    EscalationCategory,
    EscalationSeverity,
    Satisfaction,
)
from followups.scheduling import CallingRules, windows_on

REACHED = frozenset({Disposition.COMPLETE, Disposition.PARTIAL})
# A callback asked for is booked at least this long after the call, and no later in its
# window than this share of it (so that it is called in that window).
CALLBACK_NOT_BEFORE = dt.timedelta(minutes=30)
CALLBACK_LATEST_SHARE = 0.6


# What a call said on a follow-up's script; what the agent records of it on the lead's.
ON_SCRIPT = ("answers", "disposition", "satisfaction", "intent_class")
RECORDED = (*ON_SCRIPT, "notes", "callback_at", "escalation", "do_not_call")


@dataclass
class Call:
    """One call as the agent records it."""

    disposition: str
    # (node or objection id, answer, is an objection), in the order they came
    path: list[tuple[str, str, bool]] = field(default_factory=list)
    notes: str = ""
    callback_at: dt.datetime | None = None
    do_not_call: bool = False
    escalation: dict | None = None
    satisfaction: str = ""
    intent_class: str = ""
    red_flag: bool = False  # what the person said needs a doctor now

    @property
    def answers(self) -> list[dict]:
        return [
            {"node_id": node_id, "value": value, "is_objection": objection}
            for node_id, value, objection in self.path
        ]

    def on_script(self) -> dict:
        """What the call said on a follow-up's script: a TaskPart's fields."""
        return {name: getattr(self, name) for name in ON_SCRIPT}

    def recorded(self) -> dict:
        """What the agent records of the call on its lead follow-up (record_outcome's)."""
        return {name: getattr(self, name) for name in RECORDED}


def lead_call(
    rng: random.Random,
    graph: dict,
    *,
    case,
    started: dt.datetime,
    rules: CallingRules,
    died_on: dt.date | None,
) -> Call:
    """The call as it goes on the person's lead follow-up's script."""
    day = started.astimezone(rules.zone).date()
    if died_on is not None and died_on < day:
        return Call(
            Disposition.DECEASED,
            [("greet", "", False), ("identity", "family", False)],
            notes=f"家属告知患者已于{died_on.year}年{died_on.month}月{died_on.day}日去世。",
        )
    pick_up = rng.choices(
        [*PICK_UP_WEIGHTS, Disposition.REFUSED],
        [*PICK_UP_WEIGHTS.values(), REFUSED_AT_ONCE_WEIGHT],
    )[0]
    if pick_up == Disposition.REFUSED:
        if rng.random() < ASKS_FOR_NO_CALLS:
            return Call(
                Disposition.REFUSED, [("greet", "", False), ("dnc", "", True)], do_not_call=True
            )
        return Call(Disposition.REFUSED, [("greet", "", False)], notes="对方表示不需要回访。")
    if pick_up != "answered":
        return Call(pick_up)
    nodes = _nodes(graph)
    identity = next(node for node in graph["nodes"] if node["kind"] == "identity_check")
    who = rng.choices(
        [option["value"] for option in identity["options"]], _option_weights(identity)
    )[0]
    path = [(graph["start"], "", False), (identity["id"], who, False)]
    if who == "yes" and rng.random() < BUSY_NOW:
        return Call(
            Disposition.CALLBACK,
            [*path, ("busy", "", True)],
            callback_at=_callback_moment(rng, started, rules),
            notes="客户正在忙，约好时间再打。",
        )
    target = next(option["next"] for option in identity["options"] if option["value"] == who)
    call = _walk(rng, nodes, nodes[target], path, day=day)
    if call.disposition == Disposition.FAMILY and rng.random() < FAMILY_SAYS_WHEN:
        call.callback_at = _callback_moment(rng, started, rules)
        call.notes = "家属接听，告知本人方便接电话的时间。"
    _escalation(rng, call, case=case)
    return call


def riding_along(rng: random.Random, graph: dict, *, day: dt.date) -> Call:
    """The way through another follow-up's script on the same call: the identity is
    confirmed already, and what needed a doctor was heard on the lead's."""
    nodes = _nodes(graph)
    identity = next(node for node in graph["nodes"] if node["kind"] == "identity_check")
    path = [(graph["start"], "", False), (identity["id"], "yes", False)]
    target = next(option["next"] for option in identity["options"] if option["value"] == "yes")
    return _walk(rng, nodes, nodes[target], path, day=day, calm=True)


def _nodes(graph: dict) -> dict[str, dict]:
    return {node["id"]: node for node in graph["nodes"]}


def _walk(
    rng: random.Random,
    nodes: dict[str, dict],
    node: dict,
    path: list[tuple[str, str, bool]],
    *,
    day: dt.date,
    calm: bool = False,
) -> Call:
    """Follow the script from `node` to a closing, answering as people usually do; `calm`:
    no red flag and no complaint."""
    while node["kind"] != "closing":
        if "options" in node:
            options = node["options"]
            weights = _option_weights(node)
            if calm and node.get("outcome_field") in {"red_flag", "satisfaction"}:
                weights = [
                    0 if option["value"] in {"yes", "dissatisfied", "poor"} else weight
                    for option, weight in zip(options, weights, strict=True)
                ]
            option = rng.choices(options, weights)[0]
            value, target = option["value"], option["next"]
        else:
            value, target = _free_answer(rng, node, day=day), node["next"]
        path.append((node["id"], value, False))
        node = nodes[target]
    path.append((node["id"], "", False))
    said = {nodes[node_id].get("outcome_field"): value for node_id, value, _ in path}
    return Call(
        node["disposition"],
        path,
        notes=next((value for node_id, value, _ in path if node_id == "q_note"), ""),
        satisfaction=said.get("satisfaction", ""),
        intent_class=said.get("intent_class", ""),
        red_flag=said.get("red_flag") == "yes",
    )


def _option_weights(node: dict) -> list[float]:
    values = [option["value"] for option in node["options"]]
    if node["kind"] == "identity_check":
        return [IDENTITY_WEIGHTS[value] for value in values]
    known = OUTCOME_FIELD_WEIGHTS.get(node.get("outcome_field"))
    if known:
        return [known[value] for value in values]
    others = len(values) - 1
    return [USUAL_ANSWER_WEIGHT] + [(100 - USUAL_ANSWER_WEIGHT) / others] * others


def _free_answer(rng: random.Random, node: dict, *, day: dt.date) -> str:
    answer_type = node.get("answer_type")
    if answer_type == "text":
        return rng.choice(NOTES)
    if answer_type == "number":
        return str(rng.choice([6, 7, 8, 8, 9, 9, 10, 10, 10]))
    if answer_type == "date":
        return (day + dt.timedelta(days=rng.randint(1, 7))).isoformat()
    return ""


def _callback_moment(rng: random.Random, after: dt.datetime, rules: CallingRules) -> dt.datetime:
    """A moment in a calling window of the next days that the person asks to be called
    at, on a five-minute mark."""
    day = after.astimezone(rules.zone).date()
    slots = []
    for ahead in range(CALLBACK_DAYS + 8):
        slots += [
            (start, end)
            for start, end in windows_on(day + dt.timedelta(days=ahead), rules)
            if start >= after + CALLBACK_NOT_BEFORE
        ]
        if ahead >= CALLBACK_DAYS and slots:
            break
    start, end = rng.choice(slots)
    minutes = int((end - start).total_seconds() * CALLBACK_LATEST_SHARE // 60)
    return start + dt.timedelta(minutes=rng.randrange(0, max(minutes, 1), 5))


def _escalation(rng: random.Random, call: Call, *, case) -> None:
    """What the agent raises from what was heard: a red flag goes to the department's
    doctor on duty at once; a poor rating is followed up by the service team."""
    if call.red_flag and case.patient_id:
        department = case.patient.department
        spec = next(spec for spec in DEPARTMENTS if spec.code == department.code)
        call.notes = f"患者诉{spec.warning_sign}，已转{department.name}值班医生。"
        call.escalation = {
            "category": EscalationCategory.MEDICAL,
            "severity": EscalationSeverity.URGENT,
            "description": call.notes,
        }
        return
    if call.satisfaction not in {Satisfaction.DISSATISFIED, Satisfaction.POOR}:
        return
    category, complaints = DISSATISFACTION[case.kind]
    poor = call.satisfaction == Satisfaction.POOR
    call.escalation = {
        "category": category,
        "severity": EscalationSeverity.HIGH if poor else EscalationSeverity.NORMAL,
        "description": f"客户评价“{SATISFACTION_WORDS[call.satisfaction]}”："
        f"{rng.choice(complaints)}。",
    }
