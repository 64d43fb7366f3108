"""The call screen's script runner for one follow-up of a call: the node to read with the
call's values, its answers and objection handlers, the path walked so far (carried by the
page as replay tokens), what the answers tell the outcome form, and the case's earlier
calls. A call to a person runs one runner per follow-up; views/agent.py switches them."""

import datetime as dt
import json

from django.utils.translation import gettext as _

from followups.models import (
    CallAttempt,
    Disposition,
    EscalationCategory,
    EscalationSeverity,
    FollowUpTask,
    IntentClass,
    Satisfaction,
    ScriptVersion,
    ScriptVersionStatus,
)
from followups.services import queue
from followups.services.outcome_input import SPOKEN_TO
from followups.services.scripts import script_values
from scripts import graph as script_graph

# A typed answer longer than this is a paste accident, not an answer.
MAX_ANSWER_LENGTH = 1000
# A path token: a node id (at most 60), a colon and the answer.
MAX_TOKEN_LENGTH = 61 + MAX_ANSWER_LENGTH
MAX_PATH_LENGTH = 200
HISTORY_CALLS = 10
# What a follow-up's own answers tell about it alone: recorded with its own attempt, so a
# companion's runner does not put them in the call's fields (which are the lead's).
OWN_FIELDS = ("satisfaction", "intent_class")


def script_versions_at_start(
    tasks: list[FollowUpTask], *, started_at: dt.datetime | None
) -> dict[int, ScriptVersion | None]:
    """The version each follow-up's runner uses on this call (by task id): the one
    published when the call was claimed. A version published during the call waits for
    the next call, so a reload shows the same script."""
    chosen = queue.script_versions_to_use(tasks)
    versions = ScriptVersion.objects.select_related("script").in_bulk(
        {version_id for version_id in chosen.values() if version_id is not None}
    )
    return {task.pk: _as_at(versions.get(chosen[task.pk]), started_at) for task in tasks}


def _as_at(version: ScriptVersion | None, started_at: dt.datetime | None):
    if version is None or started_at is None:
        return version
    if version.published_at is None or version.published_at <= started_at:
        return version
    earlier = (
        ScriptVersion.objects.select_related("script")
        .filter(script_id=version.script_id, published_at__lte=started_at)
        .exclude(status=ScriptVersionStatus.DRAFT)
        .order_by("-published_at")
        .first()
    )
    return earlier or version


def case_history(
    *, case, values: dict, hide_medical: bool = False, limit: int = HISTORY_CALLS
) -> list[dict]:
    """The case's earlier calls, newest first, each with the answers given (questions and
    labels from the version the call used). With `hide_medical` (a sensitive patient whose
    identity this call has not confirmed yet) the answers to medical questions and the
    notes are withheld, as the script's medical text is."""
    attempts = (
        CallAttempt.objects.filter(task__case=case)
        .select_related("agent", "script_version")
        .prefetch_related("answers")
        .order_by("-started_at", "-pk")[:limit]
    )
    history = []
    for attempt in attempts:
        graph = attempt.script_version.graph if attempt.script_version else {}
        answers = []
        for answer in attempt.answers.all():
            if answer.is_objection:
                handler = script_graph.objection(graph, answer.node_id) or {}
                answers.append({"objection": True, "label": handler.get("label", answer.node_id)})
                continue
            if not answer.value:
                continue
            item = script_graph.node(graph, answer.node_id) or {}
            if hide_medical and script_graph.is_medical(item):
                answers.append({"objection": False, "hidden": True})
                continue
            labels = {
                str(option.get("value")): option.get("label")
                for option in script_graph.options_of(item)
            }
            answers.append(
                {
                    "objection": False,
                    "question": script_graph.render_text(item.get("text", answer.node_id), values),
                    "label": labels.get(answer.value, answer.value),
                }
            )
        history.append(
            {"attempt": attempt, "answers": answers, "notes_hidden": hide_medical and attempt.notes}
        )
    return history


def path_tokens(raw: str | None) -> list[str]:
    """A runner's path as the page carries it (a JSON list of replay tokens)."""
    try:
        tokens = json.loads(raw or "[]")
    except ValueError:
        return []
    if not isinstance(tokens, list):
        return []
    return [token for token in tokens if isinstance(token, str)][:MAX_PATH_LENGTH]


def identity_prefix(graph) -> list[str]:
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


def _answer_kind(item: dict) -> str:
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


def prefill(walk: script_graph.Walk) -> dict[str, str]:
    """The outcome fields the answers so far tell (question outcome_field), the
    disposition a closing or an ending objection handler gives, and the do-not-call box an
    ending handler may tick."""
    found: dict[str, str] = {}
    for step in walk.steps:
        if step.is_objection and step.node.get("do_not_call") is True:
            found["do_not_call"] = "on"
        if step.is_objection or not step.answer:
            continue
        field = step.node.get("outcome_field")
        if field == "satisfaction" and step.answer in Satisfaction.values:
            found["satisfaction"] = step.answer
        elif field == "intent_class" and step.answer in IntentClass.values:
            found["intent_class"] = step.answer
        elif field == "callback_wanted" and step.answer == "yes":
            found["disposition"] = Disposition.CALLBACK
        elif field == "red_flag" and step.answer == "yes":
            found["escalation_category"] = EscalationCategory.MEDICAL
            found["escalation_severity"] = EscalationSeverity.URGENT
            found["escalation_description"] = step.answer_label or step.answer
    if walk.disposition in Disposition.values:
        found["disposition"] = walk.disposition
    return found


def companion_prefill(found: dict[str, str], task_id: int) -> dict[str, str]:
    """What a follow-up other than the lead suggests to the outcome form: its satisfaction
    and intent stay its own (read again from its path when the call is recorded); a
    disposition that concerns it alone (done, partly done, refused) goes to its own
    "this follow-up" choice, not to the call's."""
    shown = {name: value for name, value in found.items() if name not in OWN_FIELDS}
    if shown.get("disposition") in SPOKEN_TO:
        shown[f"part_{task_id}"] = shown.pop("disposition")
    return shown


def runner_context(
    *,
    task: FollowUpTask,
    version: ScriptVersion | None,
    tokens,
    agent,
    values=None,
    lead: bool = True,
    identity_confirmed: bool = False,
) -> dict:
    """Everything the runner partial shows for one follow-up's path so far: the node to read
    (text rendered with the call's values, medical text hidden from a sensitive patient
    until the identity check's yes, on this runner or, `identity_confirmed`, on another
    follow-up of the call), its answers, the path, the objection handlers, the prefill."""
    if version is None:
        return {"version": None, "task_id": task.pk, "tokens_json": "[]", "prefill_json": "{}"}
    graph = version.graph
    case = task.case
    sensitive = bool(case.patient_id and case.patient.sensitive)
    if values is None:
        values = script_values(case=case, agent=agent)
    walk = script_graph.replay(graph, tokens)

    steps, confirmed = [], not sensitive or identity_confirmed
    for step in walk.steps:
        item = step.node
        hidden = not step.is_objection and not confirmed and script_graph.is_medical(item)
        steps.append(
            {
                "kind_label": _("Objection")
                if step.is_objection
                else script_graph.NODE_KIND_LABELS.get(item.get("kind"), ""),
                "label": item.get("label") if step.is_objection else None,
                "text": None if hidden else script_graph.render_text(item.get("text", ""), values),
                "answer": step.answer_label,
                "is_objection": step.is_objection,
                "is_closing": item.get("kind") == "closing",
            }
        )
        if item.get("kind") == "identity_check" and step.answer == script_graph.IDENTITY_CONFIRMED:
            confirmed = True

    confirmed_on_call = walk.identity_confirmed or identity_confirmed
    found = prefill(walk)
    return {
        "version": version,
        "task_id": task.pk,
        "sensitive": sensitive,
        "identity_confirmed": confirmed_on_call,
        "steps": steps,
        "current": _current_node(walk, graph, values, shown=not sensitive or confirmed_on_call),
        "ended": walk.current is None,
        "final": steps[-1] if walk.current is None and steps else None,
        "disposition": walk.disposition,
        "disposition_label": Disposition(walk.disposition).label
        if walk.disposition in Disposition.values
        else None,
        # Where the outcome form takes the ending's disposition: this follow-up's own choice.
        "disposition_own": not lead and walk.disposition in SPOKEN_TO,
        "objection_said": _objection_said(walk, values),
        "objections": _objections(graph) if walk.current is not None else [],
        "can_go_back": bool(walk.path),
        "tokens_json": json.dumps(list(walk.path), ensure_ascii=False),
        "prefill_json": json.dumps(
            found if lead else companion_prefill(found, task.pk), ensure_ascii=False
        ),
    }


def _current_node(walk: script_graph.Walk, graph, values, *, shown: bool) -> dict | None:
    """The node waiting for an answer, with its answers as buttons (keys 1–9)."""
    if walk.current is None:
        return None
    item = walk.current
    node_id = item.get("id")
    hidden = script_graph.is_medical_hidden(graph, node_id, identity_confirmed=shown)
    return {
        "id": node_id,
        "kind": item.get("kind"),
        "kind_label": script_graph.NODE_KIND_LABELS.get(item.get("kind"), ""),
        "text": None if hidden else script_graph.render_text(item.get("text", ""), values),
        "hidden": hidden,
        "answer_kind": _answer_kind(item),
        "answer_type": item.get("answer_type"),
        "options": [
            {
                "key": position if position <= 9 else None,
                "label": option.get("label"),
                "value": option.get("value"),
                "token": f"{node_id}:{option.get('value')}",
            }
            for position, option in enumerate(script_graph.options_of(item), start=1)
        ],
        "go_on_token": str(node_id),
    }


def _objection_said(walk: script_graph.Walk, values) -> dict | None:
    last = walk.steps[-1] if walk.steps else None
    if last is None or not last.is_objection:
        return None
    return {
        "label": last.node.get("label"),
        "text": script_graph.render_text(last.node.get("text", ""), values),
        "action": last.node.get("action"),
    }


def _objections(graph) -> list[dict]:
    return [
        {
            "id": handler.get("id"),
            "label": handler.get("label"),
            "action_label": script_graph.OBJECTION_ACTION_LABELS.get(handler.get("action"), ""),
            "token": f"!{handler.get('id')}",
        }
        for handler in script_graph.objections_of(graph)
    ]


def answers_of(version: ScriptVersion | None, tokens) -> list[dict]:
    """The path as record_outcome takes it: each step walked (the closing too), an
    objection handler with the action it took."""
    if version is None:
        return []
    walk = script_graph.replay(version.graph, tokens)
    return [
        {
            "node_id": step.node.get("id"),
            "value": step.node.get("action", "") if step.is_objection else (step.answer or ""),
            "is_objection": step.is_objection,
        }
        for step in walk.steps
    ]


def token_from(data) -> str | None:
    """The step the runner's request asks for: a button's token, or a typed or ticked
    answer to a node."""
    token = data.get("token")
    if token:
        return token[:MAX_TOKEN_LENGTH]
    node_id = data.get("node")
    if not node_id:
        return None
    chosen = [value.strip() for value in data.getlist("answer") if value.strip()]
    answer = ",".join(chosen)[:MAX_ANSWER_LENGTH]
    return f"{node_id}:{answer}" if answer else None
