"""The agent's console: today's list, the next call, the call screen (number, script runner,
outcome form) and what follows a call. Every view needs the right to work the queue; the
queue, outcome and script services do the work."""

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import push_url, reswap, retarget
from phonenumber_field.phonenumber import PhoneNumber

from followups import script_graph, selectors
from followups.forms import OutcomeForm
from followups.models import (
    CallAttempt,
    Disposition,
    EscalationCategory,
    EscalationSeverity,
    IntentClass,
    QueueEntry,
    QueueEntryStatus,
    Satisfaction,
    ScriptVersion,
    ScriptVersionStatus,
)
from followups.roles import WORK_QUEUE
from followups.scheduling import FollowUpAction, place_callback
from followups.services import contact, leases, outcomes, queue
from followups.services.policies import rules_for_case
from followups.services.scripts import script_values

PARTIALS = "followups/agent/_partials"
# A call screen's ticket: signed proof that this agent opened this call, when it started,
# with which script version, and the idempotency key of its one outcome.
TICKET_SALT = "followups.agent.call-ticket"
TICKET_MAX_AGE = dt.timedelta(hours=12)
# A typed answer longer than this is a paste accident, not an answer.
MAX_ANSWER_LENGTH = 1000
# A path token: a node id (at most 60), a colon and the answer.
MAX_TOKEN_LENGTH = 61 + MAX_ANSWER_LENGTH
MAX_PATH_LENGTH = 200
HISTORY_CALLS = 10


def works_the_queue(view):
    """A page: anonymous users go to the login page, other roles get 403."""
    return login_required(permission_required(WORK_QUEUE, raise_exception=True)(view))


def queue_endpoint(view):
    """An htmx endpoint of the console: 403 for anyone who does not work the queue (an
    anonymous request too: a fragment must not turn into a login page), POST only."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(WORK_QUEUE):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except TicketRefused as refusal:
            response = render(request, f"{PARTIALS}/refused.html", {"why": str(refusal)})
            response.status_code = 403
            return _fragment(response)

    return checked


def _fragment(response):
    # call_screen.js swaps a refusal marked so into the page instead of dropping it.
    response["X-Agent-Fragment"] = "1"
    return response


# --- The call ticket --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    entry_id: int
    agent_id: int
    started_at: dt.datetime
    version_id: int | None
    idempotency_key: str
    signed: str


def issue_ticket(*, entry: QueueEntry, agent, version: ScriptVersion | None) -> Ticket:
    """A fresh ticket for the screen being rendered: a new idempotency key each time, the
    claim time as the start of the call (a reload does not restart it)."""
    started_at = entry.claimed_at or timezone.now()
    data = {
        "entry": entry.pk,
        "agent": agent.pk,
        "started": started_at.isoformat(),
        "version": version.pk if version is not None else None,
        "key": uuid.uuid4().hex,
    }
    return _ticket(data, signing.dumps(data, salt=TICKET_SALT, compress=True))


def _ticket(data: dict, signed: str) -> Ticket:
    return Ticket(
        entry_id=data["entry"],
        agent_id=data["agent"],
        started_at=dt.datetime.fromisoformat(data["started"]),
        version_id=data["version"],
        idempotency_key=data["key"],
        signed=signed,
    )


class TicketRefused(PermissionDenied):
    """The request carries no valid ticket of this agent for this call."""


def read_ticket(request, entry_id: int) -> Ticket:
    """The ticket the request carries for this call and this agent, else TicketRefused."""
    signed = request.POST.get("ticket", "")
    try:
        data = signing.loads(signed, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
        ticket = _ticket(data, signed)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TicketRefused(_("This call screen is out of date: open the call again.")) from None
    if ticket.entry_id != entry_id or ticket.agent_id != request.user.pk:
        raise TicketRefused(_("This call is not yours."))
    return ticket


# --- Reads for the screens --------------------------------------------------------------------


def _entries():
    return QueueEntry.objects.select_related(
        "task__case__customer",
        "task__case__patient__department",
        "task__case__patient__hospital",
        "task__step",
    )


def script_version_at_start(entry: QueueEntry) -> ScriptVersion | None:
    """The version this call uses: the one published when it was claimed. A version
    published during the call waits for the next call, so a reload shows the same script."""
    version_id = queue.script_version_to_use(entry.task)
    if version_id is None:
        return None
    version = ScriptVersion.objects.select_related("script").get(pk=version_id)
    started = entry.claimed_at
    if started is None or version.published_at is None or version.published_at <= started:
        return version
    earlier = (
        ScriptVersion.objects.select_related("script")
        .filter(script_id=version.script_id, published_at__lte=started)
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


# --- The script runner ------------------------------------------------------------------------


def path_tokens(raw: str | None) -> list[str]:
    """The runner's path as the page carries it (a JSON list of replay tokens)."""
    try:
        tokens = json.loads(raw or "[]")
    except ValueError:
        return []
    if not isinstance(tokens, list):
        return []
    return [token for token in tokens if isinstance(token, str)][:MAX_PATH_LENGTH]


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


def _prefill(walk: script_graph.Walk) -> dict[str, str]:
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


def runner_context(
    *, entry: QueueEntry, version: ScriptVersion | None, tokens, agent, values=None
) -> dict:
    """Everything the runner partial shows for the path so far: the node to read (text
    rendered with the call's values, medical text hidden from a sensitive patient until the
    identity check's yes), its answers, the path, the objection handlers, the prefill."""
    if version is None:
        return {"version": None, "tokens_json": "[]", "prefill_json": "{}"}
    graph = version.graph
    case = entry.task.case
    sensitive = bool(case.patient_id and case.patient.sensitive)
    if values is None:
        values = script_values(case=case, agent=agent)
    walk = script_graph.replay(graph, tokens)

    steps, confirmed = [], not sensitive
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

    current = None
    if walk.current is not None:
        item = walk.current
        hidden = script_graph.is_medical_hidden(
            graph, item.get("id"), identity_confirmed=not sensitive or walk.identity_confirmed
        )
        node_id = item.get("id")
        current = {
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
    last = walk.steps[-1] if walk.steps else None
    objection_said = (
        {
            "label": last.node.get("label"),
            "text": script_graph.render_text(last.node.get("text", ""), values),
            "action": last.node.get("action"),
        }
        if last is not None and last.is_objection
        else None
    )
    prefill = _prefill(walk)
    return {
        "version": version,
        "sensitive": sensitive,
        "identity_confirmed": walk.identity_confirmed,
        "steps": steps,
        "current": current,
        "ended": walk.current is None,
        "final": steps[-1] if walk.current is None and steps else None,
        "disposition": walk.disposition,
        "disposition_label": Disposition(walk.disposition).label
        if walk.disposition in Disposition.values
        else None,
        "objection_said": objection_said,
        "objections": [
            {
                "id": handler.get("id"),
                "label": handler.get("label"),
                "action_label": script_graph.OBJECTION_ACTION_LABELS.get(handler.get("action"), ""),
                "token": f"!{handler.get('id')}",
            }
            for handler in script_graph.objections_of(graph)
        ]
        if walk.current is not None
        else [],
        "can_go_back": bool(walk.path),
        "tokens_json": json.dumps(list(walk.path), ensure_ascii=False),
        "prefill_json": json.dumps(prefill, ensure_ascii=False),
    }


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


def _token_from(data) -> str | None:
    token = data.get("token")
    if token:
        return token[:MAX_TOKEN_LENGTH]
    node_id = data.get("node")
    if not node_id:
        return None
    chosen = [value.strip() for value in data.getlist("answer") if value.strip()]
    answer = ",".join(chosen)[:MAX_ANSWER_LENGTH]
    return f"{node_id}:{answer}" if answer else None


# --- Pages and endpoints ----------------------------------------------------------------------


def _home_context(request, now: dt.datetime) -> dict:
    day = queue.center_day(now)
    held = (
        QueueEntry.objects.filter(
            claimed_by=request.user,
            status=QueueEntryStatus.CLAIMED,
            lease_expires_at__gte=now,
        )
        .order_by("pk")
        .first()
    )
    return {"today": day, "held": held, **selectors.agent_day(agent=request.user, day=day)}


@works_the_queue
def home(request):
    return render(request, "followups/agent/home.html", _home_context(request, timezone.now()))


REASON_TITLES = {
    queue.OUTSIDE_WINDOW: gettext_lazy("Outside calling hours"),
    queue.NO_LIST: gettext_lazy("Today's list is not ready"),
    queue.ALL_CLAIMED: gettext_lazy("Every call is being handled"),
    queue.ALL_DONE: gettext_lazy("All done for today"),
    queue.NOTHING_ASSIGNED: gettext_lazy("Nothing for you today"),
}


def _local_when(moment: dt.datetime | None, now: dt.datetime) -> str | None:
    if moment is None:
        return None
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def _no_call(claim: queue.Claim, now: dt.datetime) -> dict:
    when = _local_when(claim.next_possible_at, now)
    hint = None
    # Say when to look again, unless the service's message says it already.
    if when and when not in claim.message:
        if claim.reason == queue.OUTSIDE_WINDOW:
            hint = _("The next window starts at %(when)s.") % {"when": when}
        elif claim.reason == queue.ALL_CLAIMED:
            hint = _("Try again from %(when)s.") % {"when": when}
    return {
        "reason": claim.reason,
        "title": REASON_TITLES.get(claim.reason) or _("No call now"),
        "message": claim.message,
        "hint": hint,
    }


@queue_endpoint
@require_POST
def next_call(request):
    """Claim the next call and open its screen (one click); or say why there is none."""
    now = timezone.now()
    claim = queue.claim_next_call(agent=request.user, now=now)
    if claim.entry is None:
        context = {**_home_context(request, now), "no_call": _no_call(claim, now)}
        if request.htmx:
            return render(request, f"{PARTIALS}/home_workspace.html", context)
        return render(request, "followups/agent/home.html", context)
    if not request.htmx:
        return redirect("agent:call", pk=claim.entry.pk)
    entry = _entries().get(pk=claim.entry.pk)
    response = render(
        request, f"{PARTIALS}/call_workspace.html", _call_context(request, entry, now=now)
    )
    return push_url(response, reverse("agent:call", args=[entry.pk]))


def _not_yours(request, entry: QueueEntry):
    return render(request, "followups/agent/not_yours.html", {"entry": entry}, status=403)


def _lease(entry: QueueEntry, agent, now: dt.datetime) -> dict:
    held = queue.holds_live_claim(entry, agent, now)
    return {"held": held, "until": entry.lease_expires_at if held else None}


def _call_context(
    request,
    entry: QueueEntry,
    *,
    now: dt.datetime,
    form: OutcomeForm | None = None,
    ticket: Ticket | None = None,
    tokens=(),
) -> dict:
    case = entry.task.case
    values = script_values(case=case, agent=request.user)
    if ticket is None:
        version = script_version_at_start(entry)
        ticket = issue_ticket(entry=entry, agent=request.user, version=version)
    else:
        version = _version(ticket)
    runner = runner_context(
        entry=entry, version=version, tokens=tokens, agent=request.user, values=values
    )
    return {
        "entry": entry,
        "task": entry.task,
        "case": case,
        "customer": case.customer,
        "patient": case.patient,
        "ticket": ticket,
        "form": wired(form or OutcomeForm(now=now), entry=entry, now=now),
        "runner": runner,
        "history": case_history(
            case=case, values=values, hide_medical=_withholds_medical(case, runner)
        ),
        "lease": _lease(entry, request.user, now),
        "best_time": contact.best_time_text(
            contact.best_time_for(
                case.customer,
                rules_for_case(case),
                department_id=case.patient.department_id if case.patient_id else None,
                now=now,
            )
        ),
        "from_colleague": (
            entry.assigned_agent if queue.colleague_whose_call(entry, request.user) else None
        ),
    }


def _withholds_medical(case, runner: dict) -> bool:
    """A sensitive patient whose identity this call has not confirmed (a call without a
    script never confirms it)."""
    sensitive = bool(case.patient_id and case.patient.sensitive)
    return sensitive and not runner.get("identity_confirmed", False)


def wired(form: OutcomeForm, *, entry: QueueEntry, now: dt.datetime) -> OutcomeForm:
    """The form with its callback picker bound to this call: no time before now, and each
    change checked against the case's calling rules."""
    form.fields["callback_at"].widget.attrs.update(
        {
            "min": _now_local(now),
            "hx-post": reverse("agent:callback_check", args=[entry.pk]),
            "hx-trigger": "change",
            "hx-target": "#callback-check",
            "hx-swap": "innerHTML",
        }
    )
    return form


def _version(ticket: Ticket) -> ScriptVersion | None:
    if ticket.version_id is None:
        return None
    return ScriptVersion.objects.select_related("script").filter(pk=ticket.version_id).first()


@works_the_queue
def call_screen(request, pk):
    """The call held by this agent: opening it renews the hold; anyone else is told the
    call is not theirs."""
    entry = get_object_or_404(_entries(), pk=pk)
    now = timezone.now()
    try:
        renewed = leases.renew_lease(entry=entry, agent=request.user, now=now)
    except PermissionDenied:
        return _not_yours(request, entry)
    entry.status, entry.lease_expires_at = renewed.status, renewed.lease_expires_at
    entry.claimed_by_id, entry.claimed_at = renewed.claimed_by_id, renewed.claimed_at
    return render(request, "followups/agent/call.html", _call_context(request, entry, now=now))


@queue_endpoint
@require_POST
def reveal(request, pk):
    """The number, to the agent holding the call; the service writes the audit event."""
    entry = get_object_or_404(QueueEntry.objects.select_related("task__case__customer"), pk=pk)
    try:
        phone = leases.reveal_phone(entry=entry, agent=request.user, now=timezone.now())
    except PermissionDenied as refusal:
        context = {
            "entry": entry,
            "refused": str(refusal),
            "masked": entry.task.case.customer.masked_phone,
        }
        return _fragment(render(request, f"{PARTIALS}/phone.html", context, status=403))
    national = PhoneNumber.from_string(phone).as_national if phone else ""
    response = render(request, f"{PARTIALS}/phone.html", {"phone": phone, "national": national})
    response["Cache-Control"] = "no-store"
    return response


@queue_endpoint
@require_POST
def renew(request, pk):
    """Keep the call held while its screen is open; once lost, say so and stop polling."""
    entry = get_object_or_404(QueueEntry, pk=pk)
    now = timezone.now()
    try:
        entry = leases.renew_lease(entry=entry, agent=request.user, now=now)
    except PermissionDenied:
        # 286: htmx stops polling, and still shows the news.
        lost = {"entry": entry, "lease": {"held": False, "until": None}}
        return render(request, f"{PARTIALS}/lease.html", lost, status=286)
    context = {"entry": entry, "lease": _lease(entry, request.user, now)}
    return render(request, f"{PARTIALS}/lease.html", context)


@queue_endpoint
@require_POST
def script_step(request, pk):
    """The runner one step on (an answer, an objection handler) or one step back."""
    entry = get_object_or_404(_entries(), pk=pk)
    ticket = read_ticket(request, entry.pk)
    version = _version(ticket)
    tokens = path_tokens(request.POST.get("path"))
    if version is not None:
        tokens = list(script_graph.replay(version.graph, tokens).path)
    if request.POST.get("back"):
        tokens = tokens[:-1]
    else:
        token = _token_from(request.POST)
        if token:
            tokens.append(token)
    runner = runner_context(entry=entry, version=version, tokens=tokens, agent=request.user)
    context = {
        "entry": entry,
        "runner": runner,
        # The path panel beside the runner follows it out of band; so does the earlier
        # calls' panel of a sensitive patient, whose medical answers show once the
        # identity is confirmed (and hide again if the agent steps back before it).
        "oob": True,
    }
    case = entry.task.case
    if case.patient_id and case.patient.sensitive:
        context["history"] = case_history(
            case=case,
            values=script_values(case=case, agent=request.user),
            hide_medical=_withholds_medical(case, runner),
        )
    return render(request, f"{PARTIALS}/runner.html", context)


@queue_endpoint
@require_POST
def callback_check(request, pk):
    """Whether a requested callback time is kept or moved (quiet hours, closed day) by the
    case's calling rules; a time in the past is refused."""
    entry = get_object_or_404(_entries(), pk=pk)
    read_ticket(request, entry.pk)
    raw = request.POST.get("callback_at", "").strip()
    if not raw:
        return render(request, f"{PARTIALS}/callback_check.html", {})
    try:
        requested = OutcomeForm.base_fields["callback_at"].clean(raw)
    except ValidationError:
        return render(request, f"{PARTIALS}/callback_check.html", {"state": "invalid"})
    now = timezone.now()
    if requested < now.replace(second=0, microsecond=0):
        return render(request, f"{PARTIALS}/callback_check.html", {"state": "past"})
    rules = rules_for_case(entry.task.case)
    try:
        placed, moved_because = place_callback(requested, rules)
    except ValueError:
        return render(request, f"{PARTIALS}/callback_check.html", {"state": "impossible"})
    own_clock = rules.timezone != timezone.get_current_timezone_name()
    context = {
        "state": "moved" if moved_because else "kept",
        "because": moved_because,
        "placed": timezone.localtime(placed).strftime("%Y-%m-%d %H:%M"),
        # The customer's own clock too, when it is not the center's.
        "customer_local": placed.strftime("%H:%M") if own_clock else None,
        "customer_timezone": rules.timezone,
    }
    return render(request, f"{PARTIALS}/callback_check.html", context)


# The service's field names that the form shows under another name.
FORM_FIELD_OF = {"escalation": "escalation_description"}


def _show_service_errors(form: OutcomeForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        name = FORM_FIELD_OF.get(field, field)
        form.add_error(name if name in form.fields else None, field_messages)


@queue_endpoint
@require_POST
def record(request, pk):
    """Record the call's outcome once (the ticket's idempotency key), then say what
    follows and offer the next call; errors go back beside the fields, nothing lost."""
    entry = get_object_or_404(_entries(), pk=pk)
    ticket = read_ticket(request, entry.pk)
    version = _version(ticket)
    tokens = path_tokens(request.POST.get("path"))
    now = timezone.now()
    form = OutcomeForm(request.POST, now=now)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = outcomes.record_outcome(
                agent=request.user,
                entry=entry,
                idempotency_key=ticket.idempotency_key,
                disposition=data["disposition"],
                started_at=ticket.started_at,
                ended_at=max(now, ticket.started_at),
                now=now,
                script_version=version,
                answers=answers_of(version, tokens),
                satisfaction=data["satisfaction"],
                intent_class=data["intent_class"],
                notes=data["notes"].strip(),
                callback_at=data["callback_at"],
                escalation=form.escalation(),
                do_not_call=data["do_not_call"],
            )
        except ValidationError as error:
            _show_service_errors(form, error)
        else:
            return _after_call(request, result, now)
    if request.htmx:
        context = {"entry": entry, "form": wired(form, entry=entry, now=now)}
        response = render(request, f"{PARTIALS}/outcome_form.html", context)
        return reswap(retarget(response, "#outcome-form-wrap"), "outerHTML")
    context = _call_context(request, entry, now=now, form=form, ticket=ticket, tokens=tokens)
    return render(request, "followups/agent/call.html", context)


def _now_local(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")


def what_follows(result: outcomes.OutcomeResult, now: dt.datetime) -> dict:
    """The confirmation after a call, in an agent's words."""
    follow_up = result.follow_up
    when = _local_when(follow_up.earliest, now)
    action = follow_up.action
    if action is FollowUpAction.DONE:
        text, tone = _("Done: this follow-up call is complete."), "success"
    elif action is FollowUpAction.RETRY:
        text, tone = (
            _("No contact this time: the next try is at %(when)s.") % {"when": when},
            "info",
        )
    elif action is FollowUpAction.CALLBACK:
        text, tone = _("Callback booked for %(when)s.") % {"when": when}, "info"
        if follow_up.reason.startswith("family_callback"):
            text = _("The call is booked for when the relative said: %(when)s.") % {"when": when}
        if follow_up.reason.endswith("_moved_quiet_hours"):
            text += " " + _("It was moved out of quiet hours.")
        elif follow_up.reason.endswith("_moved_closed_day"):
            text += " " + _(
                "The center does not call that day: it keeps its time on the next day it calls."
            )
    elif action is FollowUpAction.SUSPEND:
        text, tone = _("Suspended until someone fixes the phone number."), "warning"
    elif action is FollowUpAction.CLOSE_CASE:
        text = _("The case is closed (%(why)s).") % {
            "why": result.attempt.get_disposition_display()
        }
        tone = "secondary"
    elif action is FollowUpAction.WINDOW_MISSED:
        text = _(
            "No contact, and the follow-up window ends before another try: the task is"
            " marked window missed."
        )
        tone = "warning"
    else:
        text = _("No contact after %(count)s unanswered calls: the task is marked unreachable.") % {
            "count": result.attempt.task.max_attempts
        }
        tone = "warning"
    notes = []
    if not result.created:
        notes.append(_("This outcome had already been recorded: nothing was written twice."))
    if result.attempt.after_lease_lost:
        notes.append(
            _("Your hold on this call had run out: the outcome is kept and flagged for review.")
        )
    if result.attempt.task.case.customer.do_not_call:
        notes.append(_("The customer is on the do-not-call list: no more calls are planned."))
    escalation = result.escalation
    if escalation is not None:
        notes.append(
            _("Escalation #%(id)s raised (%(severity)s), due %(due)s.")
            % {
                "id": escalation.pk,
                "severity": escalation.get_severity_display(),
                "due": _local_when(escalation.due_at, now),
            }
        )
    return {
        "text": text,
        "tone": tone,
        "notes": notes,
        "disposition": result.attempt.get_disposition_display(),
        "customer": result.attempt.task.case.customer.honorific,
        "created": result.created,
    }


def _after_call(request, result: outcomes.OutcomeResult, now: dt.datetime):
    summary = what_follows(result, now)
    if not request.htmx:
        messages.success(request, " ".join([summary["text"], *summary["notes"]]))
        return redirect("agent:home")
    context = {**_home_context(request, now), "after_call": summary}
    response = render(request, f"{PARTIALS}/home_workspace.html", context)
    return push_url(response, reverse("agent:home"))


app_name = "agent"
urlpatterns = [
    path("", home, name="home"),
    path("next/", next_call, name="next"),
    path("call/<int:pk>/", call_screen, name="call"),
    path("call/<int:pk>/reveal/", reveal, name="reveal"),
    path("call/<int:pk>/renew/", renew, name="renew"),
    path("call/<int:pk>/script/", script_step, name="script"),
    path("call/<int:pk>/callback-check/", callback_check, name="callback_check"),
    path("call/<int:pk>/outcome/", record, name="outcome"),
]
