"""The call screen's script runner for one follow-up of a call: what scripts.runner shows at
the path walked so far (carried by the page as replay tokens), with the call's values and
the identity gate, made into the runner partial's context; which version each follow-up
uses; and the case's earlier calls. A call to a person runs one runner per follow-up;
views/agent.py switches them."""

import datetime as dt
import json

from followups.models import CallAttempt, FollowUpTask
from followups.services import claims
from followups.services.outcome_input import SPOKEN_TO
from scripts import graph as script_graph
from scripts import runner
from scripts.models import ScriptVersion, ScriptVersionStatus
from scripts.services import script_values

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
    chosen = claims.script_versions_to_use(tasks)
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
    case = task.case
    sensitive = bool(case.patient_id and case.patient.sensitive)
    if values is None:
        values = script_values(case=case, agent=agent)
    screen = runner.run(
        version.graph,
        tokens,
        values=values,
        sensitive=sensitive,
        identity_confirmed=identity_confirmed,
    )
    found = screen.prefill
    return {
        "version": version,
        "task_id": task.pk,
        "sensitive": sensitive,
        "identity_confirmed": screen.identity_confirmed,
        "steps": screen.steps,
        "current": screen.current,
        "ended": screen.ended,
        "final": screen.final,
        "disposition": screen.disposition,
        "disposition_label": screen.disposition_label,
        # Where the outcome form takes the ending's disposition: this follow-up's own choice.
        "disposition_own": not lead and screen.disposition in SPOKEN_TO,
        "objection_said": screen.objection_said,
        "objections": screen.objections,
        "can_go_back": screen.can_go_back,
        "tokens_json": json.dumps(list(screen.path), ensure_ascii=False),
        "prefill_json": json.dumps(
            found if lead else companion_prefill(found, task.pk), ensure_ascii=False
        ),
    }


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
