"""The audit trail as the admin reads it: events filtered by who, what, when and which
person (the person, their stay, cases, calls, list entries and escalations), and as a table
to export."""

import datetime as dt

from django.apps import apps
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import (
    AuditEvent,
    CallAttempt,
    Case,
    Customer,
    Escalation,
    Patient,
    QueueEntry,
)
from followups.reports.tables import Column, Kind, Table

EXPORT_LIMIT = 50_000


def _as_text(rows: QuerySet) -> QuerySet:
    return rows.annotate(as_text=Cast("pk", CharField())).values("as_text")


def person_events_q(customer_id: int, *, extra: dict | None = None) -> Q:
    """Events about the person, their stay, cases, calls, list entries and escalations (all
    of them, as subqueries); `extra` adds {model: [ids]} (the imports that named them)."""
    targets = {
        Customer: [str(customer_id)],
        Patient: _as_text(Patient.objects.filter(customer_id=customer_id)),
        Case: _as_text(Case.objects.filter(customer_id=customer_id)),
        CallAttempt: _as_text(CallAttempt.objects.filter(task__case__customer_id=customer_id)),
        QueueEntry: _as_text(QueueEntry.objects.filter(customer_id=customer_id)),
        Escalation: _as_text(Escalation.objects.filter(case__customer_id=customer_id)),
    }
    for model, ids in (extra or {}).items():
        targets[model] = [str(pk) for pk in ids]
    match = Q()
    for model, ids in targets.items():
        match |= Q(target_type=model._meta.label_lower, target_id__in=ids)
    return match


# From each kind of object an event names, the path to the person it is about.
PERSON_PATHS = {
    Customer: "",
    Patient: "customer__",
    Case: "customer__",
    QueueEntry: "customer__",
    CallAttempt: "task__case__customer__",
    Escalation: "case__customer__",
}


def target_label(target_type: str) -> str:
    """What an event's object is, in words ("case", "call list entry"), from its label."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def label_targets(events) -> None:
    """Each event's `target_label`: its object in words."""
    for event in events:
        event.target_label = target_label(event.target_type) if event.target_type else ""


def name_people(events) -> None:
    """Each event's `person`, (customer id, name) of the person its object is about, or
    None: one query a kind of object on the page."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_id and event.target_id.isdigit():
            wanted.setdefault(event.target_type, set()).add(int(event.target_id))
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for model, path in PERSON_PATHS.items():
        label = model._meta.label_lower
        if label not in wanted:
            continue
        rows = model.objects.filter(pk__in=wanted[label]).values_list(
            "pk", f"{path}id", f"{path}name"
        )
        for pk, customer_id, name in rows:
            found[(label, str(pk))] = (customer_id, name)
    for event in events:
        event.person = found.get((event.target_type, event.target_id))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def audit_trail(
    *,
    actor=None,
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    customer_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """The events, newest first; `since` and `until` are days of the centre, both in."""
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-pk")
    if actor is not None:
        events = events.filter(actor=actor)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__gte=_midnight(since))
    if until:
        events = events.filter(at__lt=_midnight(until + dt.timedelta(days=1)))
    if customer_id:
        events = events.filter(person_events_q(customer_id))
    return events


def audit_table(events: QuerySet[AuditEvent]) -> Table:
    """The events as a table to export: ids and counts, as the trail holds them."""
    table = Table(
        key="events",
        title=_("Audit trail"),
        columns=[
            Column("at", _("When"), Kind.TEXT),
            Column("actor", _("Who"), Kind.TEXT),
            Column("action", _("Action"), Kind.TEXT),
            Column("target_type", _("Object type"), Kind.TEXT),
            Column("target_id", _("Object id"), Kind.TEXT),
            Column("detail", _("Detail"), Kind.TEXT),
        ],
    )
    for event in events[:EXPORT_LIMIT]:
        table.rows.append(
            [
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor.username if event.actor else "",
                event.get_action_display(),
                event.target_type,
                event.target_id,
                describe_detail(event.detail),
            ]
        )
    return table


def describe_detail(detail: dict) -> str:
    """The detail as "key: value; …", lists shortened: ids and counts only."""
    parts = []
    for key, value in sorted((detail or {}).items()):
        if isinstance(value, list) and len(value) > 10:
            value = [*value[:10], "…"]
        parts.append(f"{key}: {value}")
    return "; ".join(parts)
