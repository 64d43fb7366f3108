"""The agent's console: today's list, the next call, the call screen (the person, every
follow-up the call covers with a script runner each, one outcome form) and what follows a
call. Every view needs the right to work the queue; the queue, outcome and script services
do the work. views/person_call.py holds the call's ticket and its follow-ups as the screen
works them, views/runner.py one follow-up's script, views/after_call.py the confirmation."""

import datetime as dt
from collections.abc import Mapping
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, reswap, retarget
from phonenumber_field.phonenumber import PhoneNumber

from followups import clock, selectors
from followups.forms import OutcomeForm
from followups.models import QueueEntry, QueueEntryStatus
from followups.roles import WORK_QUEUE
from followups.scheduling import place_callback, windows_missed_by
from followups.selectors import agent_list
from followups.services import claims, contact, leases, outcomes
from followups.services.list_choices import PUT_BACK_REASONS
from followups.services.policies import rules_for_case
from followups.views import kept_search
from followups.views.access import page_for
from followups.views.after_call import local_when, what_follows
from followups.views.agent_list import mark_callable
from followups.views.person_call import (
    PART_CHOICES,
    Ticket,
    TicketRefused,
    call_not_yours,
    chosen_parts,
    issue_ticket,
    lead_of,
    listed,
    on_call_of,
    opened,
    parts_of,
    picked,
    read_ticket,
    runner_of,
    start_past_identity,
)
from followups.views.runner import case_history, token_from
from scripts.runner import answers_of
from scripts.services import script_values

PARTIALS = "followups/agent/_partials"


works_the_queue = page_for(WORK_QUEUE)


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


# --- Pages and endpoints ----------------------------------------------------------------------


def _entries():
    return QueueEntry.objects.select_related(
        "call_list",
        "customer",
        "task__case__customer",
        "task__case__patient__department",
        "task__case__patient__hospital",
        "task__step",
    )


def _home_context(request, now: dt.datetime) -> dict:
    day = clock.center_day(now)
    held = (
        QueueEntry.objects.filter(
            claimed_by=request.user,
            status=QueueEntryStatus.CLAIMED,
            lease_expires_at__gte=now,
        )
        .order_by("pk")
        .first()
    )
    search, sort = kept_search.query(request), request.GET.get("sort", "order")
    listing = agent_list.my_list(agent=request.user, day=day, q=search, sort=sort)
    page = agent_list.list_page(
        listing, agent=request.user, number=request.GET.get("page"), now=now
    )
    # A waiting call that may not be made yet says from when, instead of "Call now" (and
    # the page offers it once that time has come, in so many seconds).
    mark_callable(page.object_list, now=now)
    context = {
        "today": day,
        "held": held,
        **selectors.agent_day(agent=request.user, day=day),
        "page": page,
        "search": search,
        "search_key": request.GET.get(kept_search.KEY) if search else "",
        "sort": sort,
    }
    if held is None:
        # Said on arrival, not only once N is pressed: outside the windows and when the
        # next opens, all done … (the claim's own answer, nothing claimed).
        claim = claims.why_no_call_now(agent=request.user, now=now)
        if claim is not None:
            context["no_call"] = _no_call(claim, now)
    return context


@works_the_queue
@never_cache  # Back to the list shows it as it is now
def home(request):
    if moved := kept_search.moved(request):  # the list's search box
        return moved
    return render(request, "followups/agent/home.html", _home_context(request, timezone.now()))


REASON_TITLES = {
    claims.OUTSIDE_WINDOW: gettext_lazy("Outside calling hours"),
    claims.NO_LIST: gettext_lazy("Today's list is not ready"),
    claims.ALL_CLAIMED: gettext_lazy("Every call is being handled"),
    claims.ALL_DONE: gettext_lazy("All done for today"),
    claims.NOTHING_ASSIGNED: gettext_lazy("Nothing for you today"),
}


def _no_call(claim: claims.Claim, now: dt.datetime) -> dict:
    when = local_when(claim.next_possible_at, now)
    hint = None
    # Say when to look again, unless the service's message says it already.
    if when and when not in claim.message:
        if claim.reason == claims.OUTSIDE_WINDOW:
            hint = _("The next window starts at %(when)s.") % {"when": when}
        elif claim.reason == claims.ALL_CLAIMED:
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
    claim = claims.claim_next_call(agent=request.user, now=now)
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
    held = leases.holds_live_claim(entry, agent, now)
    return {"held": held, "until": entry.lease_expires_at if held else None}


def _call_context(
    request,
    entry: QueueEntry,
    *,
    now: dt.datetime,
    form: OutcomeForm | None = None,
    ticket: Ticket | None = None,
    data: Mapping | None = None,
) -> dict:
    """The call screen: the person, the follow-ups the call covers (the lead's runner
    open), the outcome form. A fresh screen gets a fresh ticket; a form sent back with
    errors keeps its ticket, the paths and the choices."""
    if ticket is None:
        on_call = opened(entry)
        ticket = issue_ticket(
            entry=entry,
            agent=request.user,
            versions={item.task.pk: item.version for item in on_call},
        )
    else:
        on_call = on_call_of(entry, ticket, data)
    current = lead_of(on_call)
    case = current.task.case
    values = script_values(case=case, agent=request.user)
    runner = runner_of(on_call, current, request.user, values)
    patient = next((item.task.case.patient for item in on_call if item.task.case.patient_id), None)
    return {
        "entry": entry,
        "customer": case.customer,
        "patient": patient,
        "ticket": ticket,
        "followups": listed(on_call, current, chosen_parts(data or {}, on_call)),
        "part_choices": PART_CHOICES,
        "put_back_reasons": PUT_BACK_REASONS,
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
            entry.assigned_agent if claims.colleague_whose_call(entry, request.user) else None
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


@works_the_queue
@never_cache  # Back after the outcome asks again, and is told it is recorded
def call_screen(request, pk):
    """The call held by this agent: opening it renews the hold; anyone else is told the
    call is not theirs."""
    entry = get_object_or_404(_entries(), pk=pk)
    now = timezone.now()
    try:
        renewed = leases.renew_lease(entry=entry, agent=request.user, now=now)
    except PermissionDenied:
        if selectors.person_calls.recorded_by(entry, request.user):
            # A reload of the page after the outcome was recorded: back to the console.
            messages.info(request, _("This call's outcome is recorded."))
            return redirect("agent:home")
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
    """One follow-up's runner one step on (an answer, an objection handler) or one step
    back, or (switch) the runner of another follow-up of the call."""
    entry = get_object_or_404(_entries(), pk=pk)
    ticket = read_ticket(request, entry)
    on_call = on_call_of(entry, ticket, request.POST)
    item = picked(on_call, request.POST.get("task"))
    switching = bool(request.POST.get("switch"))
    unanswered = False
    if switching:
        start_past_identity(on_call, item)
    elif request.POST.get("back"):
        item.tokens = item.tokens[:-1]
    else:
        token = token_from(request.POST)
        if token:
            item.tokens = [*item.tokens, token]
        # A typed, picked or ticked answer sent empty: the step stays, and says why.
        unanswered = token is None and bool(request.POST.get("node"))
    case = item.task.case
    values = script_values(case=case, agent=request.user)
    runner = {**runner_of(on_call, item, request.user, values), "unanswered": unanswered}
    context = {
        "entry": entry,
        "runner": runner,
        "followups": listed(on_call, item),
        # The list of follow-ups, the other runners' paths and the path panel follow the
        # runner out of band; so do the earlier calls, of the follow-up switched to, or of
        # a sensitive patient, whose medical answers show once the identity is confirmed
        # (and hide again if the agent steps back before it).
        "oob": True,
    }
    if switching or (case.patient_id and case.patient.sensitive):
        context["history"] = case_history(
            case=case, values=values, hide_medical=_withholds_medical(case, runner)
        )
    return render(request, f"{PARTIALS}/runner.html", context)


@queue_endpoint
@require_POST
def callback_check(request, pk):
    """Whether a requested callback time is kept or moved (quiet hours, closed day) by the
    case's calling rules; a time in the past is refused."""
    entry = get_object_or_404(_entries(), pk=pk)
    read_ticket(request, entry)
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
    context["windows"] = ", ".join(
        f"{timezone.localtime(start):%H:%M}–{timezone.localtime(end):%H:%M}"
        for start, end in windows_missed_by(placed, rules)
    )
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
    """Record the call's outcome once (the ticket's idempotency key) for every follow-up it
    covers, each with its own path and version, then say what follows and offer the next
    call; errors go back beside the fields, nothing lost. Who may record it is the
    service's to judge, by the claim token the ticket carries."""
    entry = get_object_or_404(_entries(), pk=pk)
    ticket = read_ticket(request, entry)
    on_call = on_call_of(entry, ticket, request.POST)
    chosen = chosen_parts(request.POST, on_call)
    now = timezone.now()
    lead = lead_of(on_call)
    answered = bool(answers_of(lead.walk)) if lead.version is not None else None
    form = OutcomeForm(request.POST, now=now, answered=answered)
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
                script_version=lead.version,
                answers=answers_of(lead.walk),
                satisfaction=data["satisfaction"],
                intent_class=data["intent_class"],
                notes=data["notes"].strip(),
                callback_at=data["callback_at"],
                escalation=form.escalation(),
                do_not_call=data["do_not_call"],
                parts=parts_of(on_call, chosen),
                claim_token=ticket.claim_token,
                submitted={k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"},
            )
        except leases.NotHanded:
            raise call_not_yours() from None
        except outcomes.OutcomeConflict as conflict:
            if selectors.person_calls.recorded_by(entry, request.user):
                # The call's form sent again (from Back, another tab) once it was recorded.
                return _recorded_already(request)
            form.add_error(None, conflict.message)
        except ValidationError as error:
            _show_service_errors(form, error)
        else:
            return _after_call(request, result, now)
    if request.htmx:
        context = {
            "entry": entry,
            "form": wired(form, entry=entry, now=now),
            "followups": listed(on_call, lead_of(on_call), chosen),
            "part_choices": PART_CHOICES,
        }
        response = render(request, f"{PARTIALS}/outcome_form.html", context)
        return reswap(retarget(response, "#outcome-form-wrap"), "outerHTML")
    context = _call_context(request, entry, now=now, form=form, ticket=ticket, data=request.POST)
    return render(request, "followups/agent/call.html", context)


def _recorded_already(request):
    messages.warning(
        request, _("This call was already recorded: what was sent again has not been saved.")
    )
    if request.htmx:
        return HttpResponseClientRedirect(reverse("agent:home"))
    return redirect("agent:home")


def _now_local(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")


def _after_call(request, result: outcomes.OutcomeResult, now: dt.datetime):
    summary = what_follows(result, now)
    if not request.htmx:
        person = [summary["person"]["text"]] if summary["person"] else []
        messages.success(request, " ".join([summary["text"], *person, *summary["notes"]]))
        return redirect("agent:home")
    context = {**_home_context(request, now), "after_call": summary}
    response = render(request, f"{PARTIALS}/home_workspace.html", context)
    return push_url(response, reverse("agent:home"))
