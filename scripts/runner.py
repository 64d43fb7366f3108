"""What the agent sees at a step of a call script: the one runner behind the call screen
(followups/views/runner.py) and the editor's preview (scripts/views/preview.py).

Pure: no request, no query. run() takes the graph, the path walked so far (replay tokens,
see scripts.graph.replay), what is known of the person (the values of the script
variables, and whether the patient is sensitive) and whether the call has already
confirmed who is speaking on another follow-up; it returns the Screen: each step walked
with its text, the node waiting for an answer with its answers, the objection handlers,
how the call ended and what the answers tell the outcome form. The views add only what
HTTP needs (URLs, JSON for the page).

The identity gate: a sensitive patient's medical text (a node marked medical, or one that
says the patient's data) stays hidden until an identity check is answered yes, on this
path or on another follow-up of the same call. Objection handlers are never medical.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from followups.models import (
    Disposition,
    EscalationCategory,
    EscalationSeverity,
    IntentClass,
    Satisfaction,
)
from scripts import graph as script_graph
from scripts.graph import Walk

# The answers a button can carry a key for (1–9 on the keyboard).
KEYED_OPTIONS = 9


@dataclass(frozen=True)
class ShownStep:
    """A step walked, as the screen lists it; `text` is None while it is hidden."""

    id: str | None
    kind_label: str
    # An objection handler's label (the steps of the script have none).
    label: str | None
    text: str | None
    # The label of the answer given, or the value typed.
    answer: str | None
    is_objection: bool
    is_closing: bool


@dataclass(frozen=True)
class ShownOption:
    key: int | None
    label: str | None
    value: str | None
    token: str


@dataclass(frozen=True)
class Choice:
    """One way on from a node when the walk is clicked through without typing (the
    preview): an answer option, or a single "go on"."""

    label: str
    token: str


@dataclass(frozen=True)
class ShownNode:
    """The node waiting for an answer."""

    id: str | None
    kind: str | None
    kind_label: str
    text: str | None
    hidden: bool
    is_medical: bool
    # How the call screen takes the answer: options, multiple, free, go_on (or closing).
    answer_kind: str
    answer_type: str | None
    answer_type_label: str
    options: tuple[ShownOption, ...]
    go_on_token: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class ShownHandler:
    """An objection handler the agent may raise where the call is."""

    id: str | None
    label: str | None
    action_label: str
    token: str


@dataclass(frozen=True)
class ObjectionSaid:
    """The handler just raised: what to say, and what the call does next."""

    label: str | None
    text: str
    action: str | None


@dataclass(frozen=True)
class Screen:
    walk: Walk
    sensitive: bool
    # Confirmed on this path or, before it, on another follow-up of the call.
    identity_confirmed: bool
    steps: tuple[ShownStep, ...]
    current: ShownNode | None
    objection_said: ObjectionSaid | None
    objections: tuple[ShownHandler, ...]
    # The outcome fields the answers so far tell (see prefill()).
    prefill: dict[str, str] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.walk.current is None

    @property
    def final(self) -> ShownStep | None:
        """The last step once the call has ended (its closing, or the handler that ended it)."""
        return self.steps[-1] if self.ended and self.steps else None

    @property
    def disposition(self) -> str | None:
        return self.walk.disposition

    @property
    def disposition_label(self) -> str | None:
        if self.walk.disposition in Disposition.values:
            return Disposition(self.walk.disposition).label
        return None

    @property
    def path(self) -> tuple[str, ...]:
        return self.walk.path

    @property
    def can_go_back(self) -> bool:
        return bool(self.walk.path)


def run(
    graph: Mapping,
    tokens: Sequence[str],
    *,
    values: Mapping[str, str | None],
    sensitive: bool,
    identity_confirmed: bool = False,
) -> Screen:
    """The screen after walking `tokens` through `graph`: texts rendered with `values` (None
    shows as a visible gap), medical ones hidden from a `sensitive` patient until the
    identity is confirmed (on this path, or `identity_confirmed` already on the call)."""
    walk = script_graph.replay(graph, tokens)
    steps = []
    confirmed = not sensitive or identity_confirmed
    for step in walk.steps:
        item = step.node
        hidden = not step.is_objection and not confirmed and script_graph.is_medical(item)
        steps.append(
            ShownStep(
                id=item.get("id"),
                kind_label=_("Objection") if step.is_objection else _kind_label(item),
                label=item.get("label") if step.is_objection else None,
                text=None if hidden else script_graph.render_text(item.get("text", ""), values),
                answer=step.answer_label,
                is_objection=step.is_objection,
                is_closing=item.get("kind") == "closing",
            )
        )
        if _confirms_identity(item, step.answer):
            confirmed = True
    confirmed_on_call = walk.identity_confirmed or identity_confirmed
    return Screen(
        walk=walk,
        sensitive=sensitive,
        identity_confirmed=confirmed_on_call,
        steps=tuple(steps),
        current=_current_node(walk, values, shown=not sensitive or confirmed_on_call),
        objection_said=_objection_said(walk, values),
        objections=_handlers(graph) if walk.current is not None else (),
        prefill=prefill(walk),
    )


def shown_texts(
    graph: Mapping,
    path: Sequence[tuple[str, str, bool]],
    *,
    values: Mapping[str, str | None],
    sensitive: bool,
    identity_confirmed: bool = False,
) -> list[str]:
    """What the agent was shown at each answer of a recorded path ((node id, value, is an
    objection), as record_outcome stores it), by the same rules as run(): the text rendered
    with the call's values, "" where it stayed hidden (a sensitive patient's medical text
    before the identity check's yes) or the step is not in the graph. Kept with the call
    as evidence of what was said."""
    confirmed = not sensitive or identity_confirmed
    texts = []
    for node_id, value, is_objection in path:
        item = (script_graph.objection if is_objection else script_graph.node)(graph, node_id)
        hidden = item is None or (
            not is_objection and not confirmed and script_graph.is_medical(item)
        )
        texts.append("" if hidden else script_graph.render_text(item.get("text", ""), values))
        if item is not None and _confirms_identity(item, value):
            confirmed = True
    return texts


def path_confirms_identity(graph: Mapping, path: Sequence[tuple[str, str, bool]]) -> bool:
    """Whether a recorded path answered an identity check yes (the gate then stays open for
    the other follow-ups of the same call)."""
    return any(
        not is_objection and _confirms_identity(script_graph.node(graph, node_id) or {}, value)
        for node_id, value, is_objection in path
    )


def _confirms_identity(item: Mapping, answer: str | None) -> bool:
    return item.get("kind") == "identity_check" and answer == script_graph.IDENTITY_CONFIRMED


def _kind_label(item: Mapping) -> str:
    return script_graph.NODE_KIND_LABELS.get(str(item.get("kind")), "")


def _current_node(walk: Walk, values, *, shown: bool) -> ShownNode | None:
    """The node waiting for an answer, with its answers as buttons (keys 1–9)."""
    if walk.current is None:
        return None
    item = walk.current
    node_id = item.get("id")
    hidden = script_graph.is_medical(item) and not shown
    return ShownNode(
        id=node_id,
        kind=item.get("kind"),
        kind_label=_kind_label(item),
        text=None if hidden else script_graph.render_text(item.get("text", ""), values),
        hidden=hidden,
        is_medical=script_graph.is_medical(item),
        answer_kind=_answer_kind(item),
        answer_type=item.get("answer_type"),
        answer_type_label=script_graph.ANSWER_TYPE_LABELS.get(str(item.get("answer_type")), ""),
        options=tuple(
            ShownOption(
                key=position if position <= KEYED_OPTIONS else None,
                label=option.get("label"),
                value=option.get("value"),
                token=f"{node_id}:{option.get('value')}",
            )
            for position, option in enumerate(script_graph.options_of(item), start=1)
        ),
        go_on_token=str(node_id),
        choices=_choices(item),
    )


def _answer_kind(item: Mapping) -> str:
    if item.get("kind") == "closing":
        return "closing"
    answer_type = item.get("answer_type")
    if item.get("kind") == "question" and answer_type == "multiple":
        return "multiple"
    if script_graph.takes_options(item):
        return "options"
    if item.get("kind") == "question" and answer_type in script_graph.FREE_ANSWER_TYPES:
        return "free"
    return "go_on"


def _choices(item: Mapping) -> tuple[Choice, ...]:
    """The ways on when nothing can be typed or ticked: each option, except where several
    choices go on to one next node (then, as for a typed answer, a single "go on")."""
    node_id = item.get("id")
    if script_graph.takes_options(item) and not (
        item.get("answer_type") == "multiple" and item.get("next")
    ):
        return tuple(
            Choice(label=option.get("label"), token=f"{node_id}:{option.get('value')}")
            for option in script_graph.options_of(item)
        )
    label = _("Answer noted, go on") if item.get("kind") == "question" else _("Go on")
    return (Choice(label=label, token=str(node_id)),)


def _objection_said(walk: Walk, values) -> ObjectionSaid | None:
    last = walk.steps[-1] if walk.steps else None
    if last is None or not last.is_objection:
        return None
    return ObjectionSaid(
        label=last.node.get("label"),
        text=script_graph.render_text(last.node.get("text", ""), values),
        action=last.node.get("action"),
    )


def _handlers(graph: Mapping) -> tuple[ShownHandler, ...]:
    return tuple(
        ShownHandler(
            id=handler.get("id"),
            label=handler.get("label"),
            action_label=script_graph.OBJECTION_ACTION_LABELS.get(str(handler.get("action")), ""),
            token=f"!{handler.get('id')}",
        )
        for handler in script_graph.objections_of(graph)
    )


def prefill(walk: Walk) -> dict[str, str]:
    """The outcome fields the answers so far tell (question outcome_field), the
    disposition a closing or an ending objection handler gives, and the do-not-call box an
    ending handler may tick."""
    found: dict[str, str] = {}
    for step in walk.steps:
        if step.is_objection and step.node.get("do_not_call") is True:
            found["do_not_call"] = "on"
        if step.is_objection or not step.answer:
            continue
        outcome_field = step.node.get("outcome_field")
        if outcome_field == "satisfaction" and step.answer in Satisfaction.values:
            found["satisfaction"] = step.answer
        elif outcome_field == "intent_class" and step.answer in IntentClass.values:
            found["intent_class"] = step.answer
        elif outcome_field == "callback_wanted" and step.answer == "yes":
            found["disposition"] = Disposition.CALLBACK
        elif outcome_field == "red_flag" and step.answer == "yes":
            found["escalation_category"] = EscalationCategory.MEDICAL
            found["escalation_severity"] = EscalationSeverity.URGENT
            found["escalation_description"] = step.answer_label or step.answer
    if walk.disposition in Disposition.values:
        found["disposition"] = walk.disposition
    return found


def answers_of(walk: Walk | None) -> list[dict]:
    """The path as record_outcome takes it: each step walked (the closing too), an
    objection handler with the action it took."""
    if walk is None:
        return []
    return [
        {
            "node_id": step.node.get("id"),
            "value": step.node.get("action", "") if step.is_objection else (step.answer or ""),
            "is_objection": step.is_objection,
        }
        for step in walk.steps
    ]


def identity_prefix(graph: Mapping) -> list[str]:
    """The tokens that take a script past its greetings and its identity check's "yes":
    where a follow-up's runner starts once the call has confirmed who is speaking (the
    person was greeted and asked once). Empty when the script does not open that way."""
    tokens: list[str] = []
    walk = script_graph.replay(graph, tokens)
    while walk.current is not None and walk.current.get("kind") == "greeting":
        tokens.append(str(walk.current.get("id")))
        walk = script_graph.replay(graph, tokens)
        if len(walk.path) < len(tokens):
            return []
    if walk.current is None or walk.current.get("kind") != "identity_check":
        return []
    tokens.append(f"{walk.current.get('id')}:{script_graph.IDENTITY_CONFIRMED}")
    walk = script_graph.replay(graph, tokens)
    return list(walk.path) if walk.identity_confirmed else []
