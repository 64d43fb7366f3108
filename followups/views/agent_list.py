"""The agent's list beyond the next call: a call picked on the list, a call put back (with
a reason), and the agent's booked callbacks. The services judge; these parse and render."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from followups import clock
from followups.console_forms import PutBackForm
from followups.models import QueueEntry
from followups.roles import WORK_QUEUE
from followups.selectors import agent_list
from followups.services import claims, list_choices
from followups.views.access import page_for

works_the_queue = page_for(WORK_QUEUE)


@works_the_queue
@require_POST
def take(request, pk):
    """The call the agent clicked on their list, opened when it may be made now; else back
    to the list, told why not."""
    claim = claims.claim_from_list(agent=request.user, entry_id=pk, now=timezone.now())
    if claim.entry is None:
        messages.warning(request, claim.message)
        return redirect("agent:home")
    return redirect("agent:call", pk=claim.entry.pk)


@works_the_queue
@require_POST
def put_back(request, pk):
    """Give the call held back to the list with a reason: the next call is someone else."""
    entry = get_object_or_404(QueueEntry, pk=pk)
    form = PutBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the call goes back to the list."))
        return redirect("agent:call", pk=pk)
    try:
        list_choices.put_back(
            entry=entry,
            agent=request.user,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect("agent:home")
    messages.info(request, _("The call is back on your list, behind the others."))
    return redirect("agent:home")


def mark_callable(entries: list[QueueEntry], *, now: dt.datetime) -> None:
    """Each waiting entry (its task, case and customer loaded) that may not be called yet
    marked with `callable_from`, the first moment it may be (by the claim's rule), and
    `callable_in`, the seconds until then, after which call_screen.js offers the call; the
    others with `callable_from` None. The agent's list and their callbacks both read it."""
    later = list_choices.callable_from(entries, now=now)
    for entry in entries:
        entry.callable_from = later.get(entry.pk)
        if entry.callable_from is not None:
            entry.callable_in = int((entry.callable_from - now).total_seconds()) + 1


@works_the_queue
def callbacks(request):
    """The callbacks the agent booked, still to make, in agent_list.my_callbacks' order
    (the upcoming ones, then the late ones, marked as the list marks them). A callback the
    call of a person waiting on the agent's list today covers offers that call as the list
    does: "Call now", or from when it may be made."""
    now = timezone.now()
    day = clock.center_day(now)
    tasks = agent_list.my_callbacks(agent=request.user, now=now)
    waiting = agent_list.waiting_for(agent=request.user, tasks=tasks, day=day)
    mark_callable(list(set(waiting.values())), now=now)
    for task in tasks:
        task.entry = waiting.get(task.pk)
    return render(
        request,
        "followups/agent/callbacks.html",
        {"tasks": tasks, "today": day},
    )
