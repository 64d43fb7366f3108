"""The agent's own list, read side: today's entries searched, sorted and paged, each with
where its person stands now (reached, not reached and when the next try is, a callback
booked, or booked for a moment already passed …); and the agent's booked callbacks,
upcoming first, with the waiting calls of the day that cover them."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, Q, QuerySet, When

from followups.models import (
    CallAttempt,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.models.calls import REACHED_DISPOSITIONS
from followups.selectors.person_calls import callable_by, carried_counts

PER_PAGE = 20

# Sort keys of the list's column headers; "-" before a key sorts the other way.
SORTS = {
    "order": ("priority", "pk"),
    "name": ("customer__name", "priority", "pk"),
    "due": ("task__due_date", "priority", "pk"),
    "status": ("status", "priority", "pk"),
}


@dataclass(frozen=True)
class PersonState:
    """Where the person of an entry stands now: `code` one of open (the agent's call,
    open), claimed (a colleague is on it), waiting, callback, retry, reached, ended;
    `when` the callback or the next try; `label` the last call's disposition; `late` a
    callback whose booked moment has passed, not yet made."""

    code: str
    when: dt.datetime | None = None
    label: str = ""
    late: bool = False


def my_list(*, agent, day: dt.date, q: str = "", sort: str = "order") -> QuerySet[QueueEntry]:
    """The agent's entries on the day's list, those matching `q` (a name, the last digits
    of a phone number, an inpatient number), sorted by one of SORTS. The list's own order
    is the one the next call is handed out in (priority, then id): a callback whose moment
    has passed is marked (PersonState.late), not moved ahead of it."""
    entries = QueueEntry.objects.filter(call_list__day=day, assigned_agent=agent).select_related(
        "call_list", "task__case__customer", "task__case__patient__department"
    )
    q = q.strip()
    if q:
        digits = q.replace(" ", "").lstrip("+")
        found = Q(customer__name__icontains=q) | Q(
            task__case__patient__medical_record_number__iexact=q
        )
        if digits.isdigit() and len(digits) >= 4:
            found |= Q(customer__phone__endswith=digits) | Q(
                customer__phone_secondary__endswith=digits
            )
        entries = entries.filter(found)
    key = sort.removeprefix("-")
    order = SORTS.get(key, SORTS["order"])
    if sort.startswith("-") and key in SORTS:
        order = (f"-{order[0]}", *order[1:])
    return entries.order_by(*order)


def list_page(entries: QuerySet[QueueEntry], *, agent, number, now: dt.datetime) -> Page:
    """One page of entries, each with `covers` (the follow-ups its call settles now) and
    `state` (PersonState). Three queries beyond the page's."""
    page = Paginator(entries, PER_PAGE).get_page(number)
    listed = list(page.object_list)
    covers = carried_counts(listed)
    last_calls = _last_calls(listed)
    for entry in listed:
        entry.covers = covers[entry.pk]
        entry.state = person_state(entry, last_calls.get(entry.pk), agent=agent, now=now)
    page.object_list = listed
    return page


def _last_calls(entries: list[QueueEntry]) -> dict[int, CallAttempt]:
    calls = CallAttempt.objects.filter(queue_entry__in=entries, same_call_as__isnull=True).order_by(
        "queue_entry_id", "-started_at", "-pk"
    )
    last: dict[int, CallAttempt] = {}
    for call in calls:
        last.setdefault(call.queue_entry_id, call)
    return last


def person_state(entry: QueueEntry, last_call, *, agent, now: dt.datetime) -> PersonState:
    live = entry.lease_expires_at is not None and entry.lease_expires_at >= now
    if entry.status == QueueEntryStatus.CLAIMED and live:
        return PersonState("open" if entry.claimed_by_id == agent.pk else "claimed")
    task = entry.task
    if last_call is None and entry.status in (QueueEntryStatus.DONE, QueueEntryStatus.CANCELLED):
        return PersonState("ended", label=entry.get_status_display())
    pending = task.status == TaskStatus.PENDING
    if pending and task.kind == TaskKind.CALLBACK and task.callback_at is not None:
        return PersonState("callback", task.callback_at, late=task.callback_at < now)
    if last_call is None:
        return PersonState("waiting")
    label = last_call.get_disposition_display()
    if last_call.disposition in REACHED_DISPOSITIONS:
        return PersonState("reached", label=label)
    if pending:
        return PersonState("retry", task.earliest_at, label=label)
    return PersonState("ended", label=label)


def my_callbacks(*, agent, now: dt.datetime, limit: int = 200) -> list[FollowUpTask]:
    """The callbacks still to make that the agent booked, or that are on follow-ups of
    theirs: the upcoming ones first, soonest first, then those whose booked moment has
    passed, each marked `late` as the list marks them (PersonState.late); the first `limit`
    in that order."""
    return list(
        FollowUpTask.objects.filter(
            kind=TaskKind.CALLBACK,
            status=TaskStatus.PENDING,
            callback_at__isnull=False,
        )
        .filter(Q(agent=agent) | Q(attempts_made__agent=agent))
        .distinct()
        .annotate(late=Case(When(callback_at__lt=now, then=True), default=False))
        .select_related("case__customer", "case__patient__department")
        .order_by("late", "callback_at", "pk")[:limit]
    )


def waiting_for(*, agent, tasks: list[FollowUpTask], day: dt.date) -> dict[int, QueueEntry]:
    """Of `tasks`, those a call waiting on the agent's list of `day` covers, each with its
    entry (task, case and customer loaded): the entry's lead, or another open follow-up of
    its person due by that day (as selectors/person_calls reads them). A callback booked
    for a later day, its person listed for another follow-up, has none. Two queries."""
    if not tasks:
        return {}
    entries = {
        entry.customer_id: entry
        for entry in QueueEntry.objects.filter(
            call_list__day=day,
            assigned_agent=agent,
            status=QueueEntryStatus.WAITING,
            customer_id__in={task.case.customer_id for task in tasks},
        ).select_related("call_list", "task__case__customer")
    }
    due = set(
        callable_by(day)
        .filter(pk__in=[task.pk for task in tasks if task.case.customer_id in entries])
        .values_list("pk", flat=True)
    )
    covered = {}
    for task in tasks:
        entry = entries.get(task.case.customer_id)
        if entry is not None and (task.pk == entry.task_id or task.pk in due):
            covered[task.pk] = entry
    return covered
