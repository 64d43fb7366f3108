"""The supervisor's queue page: today's call list, its build summary, the waiting calls
per agent, and the reassignment of waiting calls to another agent."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followups import clock, selectors
from followups.forms import PersonChoiceField
from followups.models import CallList, QueueEntry, QueueEntryStatus, TaskKind
from followups.scheduling import urgency
from followups.selectors.person_calls import carried_counts
from followups.services import reviews
from followups.views.supervisor_common import _styled, review_required

QUEUE_PAGE_SIZE = 200


class ReassignForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(queryset=QueueEntry.objects.none())
    to_agent = PersonChoiceField(label=gettext_lazy("Give to"), queryset=reviews.queue_agents())

    def __init__(self, *args, day: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = QueueEntry.objects.filter(
            call_list__day=day, status=QueueEntryStatus.WAITING
        )


# --- Today's queue: reassign waiting calls ----------------------------------------------------


NEEDING_NUMBER_SHOWN = 20

# The list build's counts (CallList.report), as the queue page names them.
BUILD_COUNTS = [
    ("added", gettext_lazy("Added")),
    ("riding_along", gettext_lazy("Follow-ups riding along on their person's call")),
    ("window_missed", gettext_lazy("Window missed")),
    ("flagged_needs_number", gettext_lazy("Newly flagged: number needs fixing")),
    ("closed_earlier", gettext_lazy("Left on earlier lists, closed")),
]
SKIP_REASONS = {
    "no_phone_number": gettext_lazy("No phone number"),
    "do_not_call": gettext_lazy("Do not call"),
    "deceased": gettext_lazy("Deceased"),
    "case_closed": gettext_lazy("Case closed"),
    "closed_day": gettext_lazy("Closed day"),
}


def _build_summary(call_list: CallList | None) -> list[tuple[str, int]]:
    """What the morning build added, ended and skipped (by reason), in a supervisor's words."""
    if call_list is None or not call_list.report:
        return []
    report = call_list.report
    rows = [(str(label), report.get(key, 0)) for key, label in BUILD_COUNTS]
    for reason, count in sorted(report.get("skipped", {}).items()):
        label = SKIP_REASONS.get(reason, reason)
        rows.append((_("Skipped: %(reason)s") % {"reason": label}, count))
    return rows


@review_required
def queue(request):
    today = clock.today()
    if request.method == "POST":
        form = ReassignForm(request.POST, day=today)
        if form.is_valid():
            moved = reviews.reassign_entries(
                day=today,
                entry_ids=[entry.pk for entry in form.cleaned_data["entries"]],
                to_agent=form.cleaned_data["to_agent"],
                by=request.user,
            )
            messages.success(request, _("%(count)s calls reassigned.") % {"count": moved})
        else:
            messages.error(request, _("Choose the calls and the agent to give them to."))
        query = request.GET.urlencode()
        return redirect(reverse("supervisor:queue") + (f"?{query}" if query else ""))
    waiting = QueueEntry.objects.filter(call_list__day=today, status=QueueEntryStatus.WAITING)
    per_agent = (
        QueueEntry.objects.filter(call_list__day=today)
        .values("assigned_agent", "assigned_agent__username", "assigned_agent__first_name")
        .annotate(
            waiting=Count("pk", filter=Q(status=QueueEntryStatus.WAITING)),
            claimed=Count("pk", filter=Q(status=QueueEntryStatus.CLAIMED)),
            done=Count("pk", filter=Q(status=QueueEntryStatus.DONE)),
        )
        .order_by("assigned_agent__username")
    )
    shown_agent = request.GET.get("agent", "")
    if shown_agent == "none":
        waiting = waiting.filter(assigned_agent__isnull=True)
    elif shown_agent.isdigit():
        waiting = waiting.filter(assigned_agent_id=int(shown_agent))
    needing_number = selectors.tasks_needing_a_number()
    # One entry per person: its lead follow-up, and how many follow-ups its call covers.
    entries = Paginator(
        waiting.select_related(
            "assigned_agent", "call_list", "customer", "task__case__patient__department"
        ).order_by("priority", "pk"),
        QUEUE_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    listed = list(entries)
    covered = carried_counts(listed)
    for entry in listed:
        entry.follow_ups = covered[entry.pk]
        task = entry.task
        entry.why, entry.why_days = urgency(
            is_callback=task.kind == TaskKind.CALLBACK,
            deadline=task.deadline,
            due=task.due_date,
            today=today,
        )
        entry.why_late = -entry.why_days  # the days a passed deadline is behind
    return render(
        request,
        "followups/supervisor/queue.html",
        {
            "today": today,
            "list_built": CallList.objects.filter(day=today).exists(),
            "build": _build_summary(CallList.objects.filter(day=today).first()),
            "needing_number": needing_number[:NEEDING_NUMBER_SHOWN],
            "needing_number_count": needing_number.count(),
            "per_agent": per_agent,
            "entries": entries,
            "shown_agent": shown_agent,
            "form": _styled(ReassignForm(day=today)),
        },
    )
