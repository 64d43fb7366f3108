"""What the agent is told once a call is recorded: what follows for the call (the lead's
next step, in an agent's words), and, for a call that covered more than one follow-up,
how each ended and which stay open for the next call."""

import datetime as dt

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from followups.models import FollowUpTask
from followups.scheduling import FollowUpAction
from followups.services import outcomes


def local_when(moment: dt.datetime | None, now: dt.datetime) -> str | None:
    if moment is None:
        return None
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def what_follows(result: outcomes.OutcomeResult, now: dt.datetime) -> dict:
    """The confirmation after a call, in an agent's words."""
    follow_up = result.follow_up
    when = local_when(follow_up.earliest, now)
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
                "due": local_when(escalation.due_at, now),
            }
        )
    return {
        "text": text,
        "tone": tone,
        "notes": notes,
        "disposition": result.attempt.get_disposition_display(),
        "customer": result.attempt.task.case.customer.honorific,
        "created": result.created,
        "person": settled_on_the_call(result),
    }


def settled_on_the_call(result: outcomes.OutcomeResult) -> dict | None:
    """For a call that covered more than one follow-up: how many it settled, how each
    ended, and which stay open for the next call (not discussed)."""
    settled = result.settled or (result.attempt,)
    if len(settled) < 2 and not result.kept_open:
        return None
    kept = list(
        FollowUpTask.objects.filter(pk__in=result.kept_open)
        .select_related("case", "step")
        .order_by("due_date", "pk")
    )
    # The steps the labels name, in one query (the outcome's read leaves them out).
    prefetch_related_objects([attempt.task for attempt in settled], "step")
    counts = {"settled": len(settled), "open": len(kept)}
    if kept:
        text = ngettext(
            "%(settled)s follow-up settled on this call; %(open)s kept open for the next call.",
            "%(settled)s follow-ups settled on this call; %(open)s kept open for the next call.",
            len(settled),
        )
    else:
        text = ngettext(
            "%(settled)s follow-up settled on this call.",
            "%(settled)s follow-ups settled on this call.",
            len(settled),
        )
    return {
        "text": text % counts,
        "settled": [
            {"label": _follow_up_label(attempt.task), "how": attempt.get_disposition_display()}
            for attempt in settled
        ],
        "kept_open": [_follow_up_label(task) for task in kept],
    }


def _follow_up_label(task: FollowUpTask) -> str:
    """Which follow-up it is, as the call screen's cards name it: the case's kind, its plan
    step (or the task's kind) and its due day."""
    due = _("due %(day)s") % {"day": f"{task.due_date:%m-%d}"}
    return f"{task.case.get_kind_display()} · {task.step_label} · {due}"
