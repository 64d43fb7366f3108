"""The call screen's call to one person: its signed ticket, and the follow-ups it covers
as the screen works them (person_calls.carried_tasks), each with the script version the
ticket fixed for it and its own path, carried by the page in path_<task id>; one runner is
open at a time (views/runner.py), the identity is checked once; and what the one outcome
form says about each (the parts record_outcome takes)."""

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followups.models import Disposition, FollowUpTask, QueueEntry
from followups.services import leases, person_calls
from followups.services.outcomes import TaskPart
from followups.views.runner import path_tokens, runner_context, script_versions_at_start
from scripts import graph as script_graph
from scripts.models import ScriptVersion
from scripts.runner import answers_of, identity_prefix, prefill

# A call screen's ticket: when the call started, which script version each follow-up uses,
# the idempotency key of its one outcome, and the claim token of the claim that handed the
# call to the agent (services/leases.py): the one proof, checked by record_outcome itself,
# of who may record it; the screen's other requests are checked by it too.
TICKET_SALT = "followups.agent.call-ticket"
TICKET_MAX_AGE = dt.timedelta(hours=12)
# What the call did for one follow-up ("this follow-up" beside the call's outcome).
KEEP_OPEN = "apart"
PART_CHOICES = (
    ("", gettext_lazy("Same as the call")),
    (KEEP_OPEN, gettext_lazy("Not discussed: keep open")),
    (Disposition.COMPLETE, gettext_lazy("Done")),
    (Disposition.PARTIAL, gettext_lazy("Partly done")),
    (Disposition.REFUSED, gettext_lazy("Refused")),
)


# --- The call ticket --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    claim_token: str  # the claim's proof (leases.claim_token): the entry and the agent
    started_at: dt.datetime
    # Each follow-up the screen shows (task id) → the script version its runner uses.
    versions: dict[int, int | None]
    idempotency_key: str
    signed: str

    @property
    def max_age_seconds(self) -> int:
        """How long the ticket stays good (TICKET_MAX_AGE): as long as the screen's draft
        of the call is kept (#call-header's data-draft-max-age, read by call_screen.js)."""
        return int(TICKET_MAX_AGE.total_seconds())


def issue_ticket(
    *, entry: QueueEntry, agent, versions: Mapping[int, ScriptVersion | None]
) -> Ticket:
    """A fresh ticket for the screen being rendered, for the agent holding the call: its
    claim's token (leases.NotHanded for anyone else), a new idempotency key each time, the
    claim time as the start of the call (a reload does not restart it)."""
    token = leases.claim_token(entry, agent)
    started_at = entry.claimed_at
    data = {
        "claim": token,
        "started": started_at.isoformat(),
        "versions": {
            str(task_id): version.pk if version is not None else None
            for task_id, version in versions.items()
        },
        "key": uuid.uuid4().hex,
    }
    return _ticket(data, signing.dumps(data, salt=TICKET_SALT, compress=True))


def _ticket(data: dict, signed: str) -> Ticket:
    return Ticket(
        claim_token=data["claim"],
        started_at=dt.datetime.fromisoformat(data["started"]),
        versions={
            int(task_id): int(version) if version is not None else None
            for task_id, version in data["versions"].items()
        },
        idempotency_key=data["key"],
        signed=signed,
    )


class TicketRefused(PermissionDenied):
    """The request carries no valid ticket of this agent for this call."""


def _out_of_date() -> TicketRefused:
    return TicketRefused(_("This call screen is out of date: open the call again."))


def call_not_yours() -> TicketRefused:
    return TicketRefused(_("This call is not yours."))


def read_ticket(request, entry: QueueEntry) -> Ticket:
    """The ticket the request carries for this call and this agent (its claim token, as
    the claim service judges it: leases.handed), else TicketRefused."""
    signed = request.POST.get("ticket", "")
    try:
        data = signing.loads(signed, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
        ticket = _ticket(data, signed)
    except (signing.BadSignature, AttributeError, KeyError, TypeError, ValueError):
        raise _out_of_date() from None
    try:
        leases.handed(entry, request.user, ticket.claim_token)
    except leases.NotHanded:
        raise call_not_yours() from None
    return ticket


# --- The follow-ups of the call ---------------------------------------------------------------


@dataclass
class OnCall:
    """One follow-up as the call screen works it: its task, the script version its ticket
    fixed and the path walked so far (as the page sent it, cut where it stops fitting)."""

    task: FollowUpTask
    version: ScriptVersion | None
    tokens: list[str]
    lead: bool

    @property
    def walk(self) -> script_graph.Walk | None:
        # Read again at each use: the path changes as the request moves the runner.
        if self.version is None:
            return None
        return script_graph.replay(self.version.graph, self.tokens)


def opened(entry: QueueEntry) -> list[OnCall]:
    """The follow-ups of a screen being opened, each with the version it will use."""
    tasks = person_calls.carried_tasks(entry)
    versions = script_versions_at_start(tasks, started_at=entry.claimed_at)
    return [
        OnCall(task=task, version=versions[task.pk], tokens=[], lead=task.pk == entry.task_id)
        for task in tasks
    ]


def on_call_of(entry: QueueEntry, ticket: Ticket, data: Mapping | None = None) -> list[OnCall]:
    """The follow-ups a screen works: those its ticket names that the call still covers, in
    the call's order, each with its version and its path from the request (path_<task>)."""
    wanted = [version for version in ticket.versions.values() if version is not None]
    versions = ScriptVersion.objects.select_related("script").in_bulk(wanted)
    found = []
    for task in person_calls.carried_tasks(entry):
        if task.pk not in ticket.versions:
            continue  # joined the call after the screen opened: it shares the call's outcome
        version = versions.get(ticket.versions[task.pk])
        tokens = path_tokens((data or {}).get(f"path_{task.pk}")) if version else []
        if version is not None:
            tokens = list(script_graph.replay(version.graph, tokens).path)
        found.append(
            OnCall(task=task, version=version, tokens=tokens, lead=task.pk == entry.task_id)
        )
    if not found:
        raise _out_of_date()
    return found


def picked(on_call: list[OnCall], raw) -> OnCall:
    """The follow-up a runner request is about; one the screen does not show is refused."""
    for item in on_call:
        if str(item.task.pk) == str(raw):
            return item
    raise _out_of_date()


def _confirmed_elsewhere(on_call: list[OnCall], item: OnCall) -> bool:
    """Whether another follow-up's path on this call has confirmed who is speaking."""
    return any(
        other.walk is not None and other.walk.identity_confirmed
        for other in on_call
        if other is not item
    )


def start_past_identity(on_call: list[OnCall], item: OnCall) -> None:
    """The identity is checked once a call: a follow-up opened after another one confirmed
    it starts past its own greeting and identity check (a path not yet beyond them)."""
    if item.version is None or not _confirmed_elsewhere(on_call, item):
        return
    prefix = identity_prefix(item.version.graph)
    if prefix and item.tokens == prefix[: len(item.tokens)]:
        item.tokens = prefix


def runner_of(on_call: list[OnCall], item: OnCall, agent, values=None) -> dict:
    """The runner of one follow-up of the call; the lead's suggests the call's fields."""
    return runner_context(
        task=item.task,
        version=item.version,
        tokens=item.tokens,
        agent=agent,
        values=values,
        lead=item.lead,
        identity_confirmed=_confirmed_elsewhere(on_call, item),
    )


def listed(
    on_call: list[OnCall], current: OnCall, chosen: Mapping[int, str] | None = None
) -> list[dict]:
    """The follow-ups as the screen lists them: the list at the top (the current one
    marked), their paths kept in the outcome form, the "this follow-up" choices."""
    chosen = chosen or {}
    rows = []
    for number, item in enumerate(on_call, start=1):
        case = item.task.case
        walk = item.walk
        rows.append(
            {
                "number": number,
                "task": item.task,
                "case": case,
                "patient": case.patient if case.patient_id else None,
                "version": item.version,
                "lead": item.lead,
                "current": item is current,
                "steps": len(walk.steps) if walk is not None else 0,
                "ended": walk is not None and walk.current is None,
                "tokens_json": json.dumps(item.tokens, ensure_ascii=False),
                "chosen": chosen.get(item.task.pk, ""),
            }
        )
    return rows


def chosen_parts(data: Mapping, on_call: list[OnCall]) -> dict[int, str]:
    """The agent's "this follow-up" choice for each follow-up ("": as the call)."""
    return {item.task.pk: data.get(f"part_{item.task.pk}", "") for item in on_call}


def parts_of(on_call: list[OnCall], chosen: Mapping[int, str]) -> dict[int, TaskPart]:
    """What record_outcome takes beside the lead's path: each other follow-up's path and
    version, its satisfaction and intent as its own answers tell them, and the agent's
    choice for it (kept open, or its own disposition); the lead's choice alone."""
    known = {value for value, _label in PART_CHOICES}
    if any(choice not in known for choice in chosen.values()):
        raise ValidationError({"tasks": _("Choose what the call did for each follow-up.")})
    parts = {}
    for item in on_call:
        choice = chosen.get(item.task.pk, "")
        apart = choice == KEEP_OPEN
        disposition = "" if apart else choice
        if item.lead:
            if choice:
                parts[item.task.pk] = TaskPart(apart=apart, disposition=disposition)
            continue
        told = prefill(item.walk) if item.walk is not None else {}
        parts[item.task.pk] = TaskPart(
            script_version=item.version,
            answers=answers_of(item.walk),
            disposition=disposition,
            apart=apart,
            satisfaction=told.get("satisfaction", ""),
            intent_class=told.get("intent_class", ""),
        )
    return parts


def lead_of(on_call: list[OnCall]) -> OnCall:
    """The follow-up whose runner the screen opens on and whose path is the call's own."""
    return next((item for item in on_call if item.lead), on_call[0])
