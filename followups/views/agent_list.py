"""The agent's list beyond the next call: a call picked on the list, a call put back (with
a reason), and the agent's booked callbacks. The services judge; these parse and render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from followups import clock
from followups.console_forms import PutBackForm
from followups.models import QueueEntry, QueueEntryStatus
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


@works_the_queue
def callbacks(request):
    """The callbacks the agent booked, still to make: the upcoming ones, soonest first,
    then those whose time has passed (marked as the list marks them). A callback whose
    person waits on the agent's list today offers the call as the list does: "Call now",
    or from when it may be made."""
    now = timezone.now()
    tasks = list(agent_list.my_callbacks(agent=request.user)[:200])
    tasks.sort(key=lambda task: (task.callback_at < now, task.callback_at))
    waiting = {
        entry.customer_id: entry
        for entry in QueueEntry.objects.filter(
            call_list__day=clock.center_day(now),
            assigned_agent=request.user,
            status=QueueEntryStatus.WAITING,
            customer_id__in={task.case.customer_id for task in tasks},
        ).select_related("task__case__customer")
    }
    later = list_choices.callable_from(waiting.values(), now=now)
    for entry in waiting.values():
        entry.callable_from = later.get(entry.pk)
        if entry.callable_from is not None:
            entry.callable_in = int((entry.callable_from - now).total_seconds()) + 1
    for task in tasks:
        task.entry = waiting.get(task.case.customer_id)
    return render(
        request,
        "followups/agent/callbacks.html",
        {"tasks": tasks, "now": now, "today": clock.center_day(now)},
    )
