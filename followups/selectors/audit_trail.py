"""The audit trail as the admin reads it: events filtered by who, what, when and which
person (the person, their stay, cases, calls, list entries and escalations), and as a table
to export."""

import datetime as dt

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from followups.filters import YES_NO
from followups.models import (
    PUT_BACK_REASONS,
    AuditAction,
    AuditEvent,
    CallAttempt,
    CallingPolicy,
    Case,
    CaseKind,
    Customer,
    Department,
    Disposition,
    Escalation,
    EscalationCategory,
    EscalationSeverity,
    EscalationStatus,
    HolidayRule,
    Patient,
    QueueEntry,
    Satisfaction,
)
from followups.reports.tables import Column, Kind, Table
from followups.roles import role_choices
from followups.selectors.people_search import is_phone_query

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


# --- The detail in words ------------------------------------------------------------------
# An event's detail holds ids, counts, flags and codes (services/audit.py: never a name, a
# number or a diagnosis). Each known key has a label and a way to read its value; a key not
# known here is still shown, by its name, so nothing is hidden.

NONE = "—"
LISTED = 5  # ids listed before "… N in all"


class DetailNames:
    """The names of staff, departments and calling policies a detail names by id: each
    small table read once, when first needed."""

    def __init__(self):
        self._names: dict[str, dict[int, str]] = {}

    def _of(self, kind: str) -> dict[int, str]:
        if kind not in self._names:
            if kind == "user":
                users = get_user_model().objects.only("first_name", "last_name", "username")
                self._names[kind] = {user.pk: actor_name(user) for user in users}
            else:
                model = Department if kind == "department" else CallingPolicy
                self._names[kind] = dict(model.objects.values_list("pk", "name"))
        return self._names[kind]

    def name(self, kind: str, pk) -> str:
        if pk is None or pk == "":
            return NONE
        try:
            return self._of(kind).get(int(pk), f"#{pk}")
        except (TypeError, ValueError):
            return str(pk)


def _plain(value, names=None) -> str:
    """Any value readable: Yes/No, "—" for nothing, lists shortened, dicts as "key value"."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, list):
        return _listed([_plain(item) for item in value])
    if isinstance(value, dict):
        return ", ".join(f"{key} {_plain(item)}" for key, item in value.items())
    return str(value)


def _listed(items: list[str]) -> str:
    if not items:
        return NONE
    if len(items) <= LISTED:
        return ", ".join(items)
    return _("%(count)d in all: %(first)s …") % {
        "count": len(items),
        "first": ", ".join(items[:LISTED]),
    }


def _number(value, names=None) -> str:
    return NONE if value is None or value == "" else f"#{value}"


def _numbers(value, names=None) -> str:
    if not isinstance(value, list):
        return _plain(value)
    return _listed([f"#{item}" for item in value])


def _named(kind: str):
    def read(value, names: DetailNames) -> str:
        if isinstance(value, list):
            return _listed([names.name(kind, item) for item in value])
        return names.name(kind, value)

    return read


def _chosen(choices):
    labels = {str(key): label for key, label in choices}

    def read(value, names=None) -> str:
        if isinstance(value, list):
            return _listed([str(labels.get(str(item), item)) for item in value])
        return NONE if value in (None, "") else str(labels.get(str(value), value))

    return read


def _weekdays(value, names=None) -> str:
    days = [WEEKDAYS_ABBR.get(int(day)) for day in str(value) if day.isdigit()]
    return ", ".join(str(day) for day in days if day) or _plain(value)


def _moment(value, names=None) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return _plain(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def _upper(value, names=None) -> str:
    return str(value).upper() if value else NONE


def _rules(value, names: DetailNames) -> str:
    """A plan's rules, [[department id or None, case kind or ""]], as "Cardiology ·
    Discharge follow-up"."""
    if not isinstance(value, list):
        return _plain(value)
    kinds = dict(CaseKind.choices)
    read = []
    for rule in value:
        if not (isinstance(rule, list) and len(rule) == 2):
            read.append(_plain(rule))
            continue
        department, kind = rule
        where = _("any department") if department is None else names.name("department", department)
        what = kinds.get(kind, kind) if kind else _("any case kind")
        read.append(f"{where} · {what}")
    return _listed(read)


def _changed(read):
    """A setting's value, or its change ({"from": …, "to": …}) as "before → after"."""

    def read_change(value, names=None) -> str:
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            return f"{read(value['from'], names)} → {read(value['to'], names)}"
        return read(value, names)

    return read_change


def _policy_field(name: str):
    return capfirst(CallingPolicy._meta.get_field(name).verbose_name)


def _field_names(value, names=None) -> str:
    """Names of fields changed, by their labels (a person's, their stay's or a case's)."""
    if not isinstance(value, list):
        return _plain(value)
    read = []
    for name in value:
        for model in (Customer, Patient, Case):
            try:
                read.append(str(model._meta.get_field(name).verbose_name))
                break
            except FieldDoesNotExist:
                continue
        else:
            read.append(str(name))
    return _listed(read)


STEPS = [*EscalationStatus.choices, ("owner", _("Owner assigned"))]
REPORTS = [
    ("reach", _("Follow-up rate")),
    ("discharge-follow-up", _("Discharge follow-up")),
    ("funnel", _("Reach funnel")),
    ("aapor", _("AAPOR rates")),
    ("satisfaction", _("Satisfaction")),
    ("scripts", _("Script funnel")),
    ("agents", _("Agents")),
    ("calls", _("Call outcomes")),
    ("escalations", _("Escalations")),
    ("audit", _("Audit trail")),
]
RESOURCES = [
    ("people_search", _("People search")),
    ("call_outcomes", _("Call outcomes")),
    ("escalations", _("Escalations")),
    ("customers", _("Customers (API)")),
    ("patients", _("Patients (API)")),
    ("cases", _("Cases (API)")),
]
_role = _chosen(role_choices())
SEARCHED = [("phone", _("a phone number")), ("text", _("a name or other text"))]


def _searched(value, names=None) -> str:
    """What kind of search narrowed a list, never what was searched for: exports since the
    search left the URLs record "phone" or "text"; older ones hold the typed text itself."""
    kind = (
        value if value in ("phone", "text") else "phone" if is_phone_query(str(value)) else "text"
    )
    return str(dict(SEARCHED)[kind])


def _hidden(value, names=None) -> str:
    return NONE if value in (None, "") else str(_("(not shown)"))


# The filters of the lists and reports (and of this trail) an export or a read names: label
# and the way to read a value.
FILTERS = {
    "date_from": (_("From"), _plain),
    "date_to": (_("To"), _plain),
    "since": (_("From"), _plain),
    "until": (_("To"), _plain),
    "department": (_("Department"), _named("department")),
    "case_kind": (_("Case kind"), _chosen(CaseKind.choices)),
    "agent": (_("Agent"), _named("user")),
    "owner": (_("Owner"), _named("user")),
    "actor": (_("Who"), _named("user")),
    "action": (_("Action"), _chosen(AuditAction.choices)),
    "customer_id": (_("Person (customer no.)"), _number),
    "disposition": (_("Disposition"), _chosen(Disposition.choices)),
    "satisfaction": (_("Satisfaction"), _chosen(Satisfaction.choices)),
    "script_version": (_("Script version"), _number),
    "has_escalation": (_("Escalation"), _chosen(YES_NO)),
    "category": (_("Category"), _chosen(EscalationCategory.choices)),
    "severity": (_("Severity"), _chosen(EscalationSeverity.choices)),
    "status": (_("Status"), _chosen(EscalationStatus.choices)),
    "overdue": (_("Overdue"), _chosen(YES_NO)),
    "q": (_("Searched for"), _searched),
    "phone": (_("Phone number"), _hidden),
    "page": (_("Page"), _plain),
}


def _filters(value, names: DetailNames) -> str:
    """Filters used: {name: value} as "From 2026-11-01, Department Cardiology", or the
    names alone (a list) as "From, Department"."""
    if isinstance(value, dict):
        read = []
        order = {key: index for index, key in enumerate(FILTERS)}
        for key in sorted(value, key=lambda key: (order.get(key, len(order)), key)):
            label, read_value = FILTERS.get(key, (key, _plain))
            item = value[key]
            read.append(f"{label} {read_value(item, names)}")
        return ", ".join(read) or NONE
    if isinstance(value, list):
        return ", ".join(str(FILTERS.get(key, (key,))[0]) for key in value) or NONE
    return _plain(value)


# Every key an event's detail holds (grep `record(` in followups/ and scripts/): its label
# and the way to read its value, in the order shown.
DETAIL_KEYS = {
    # Escalations
    "step": (_("Step"), _chosen(STEPS)),
    "owner": (_("Owner"), _named("user")),
    "verification_task": (_("Verification call (follow-up no.)"), _number),
    # Exports and lists read
    "report": (_("Report"), _chosen(REPORTS)),
    "table": (_("Table"), _plain),
    "format": (_("File format"), _upper),
    "resource": (_("List"), _chosen(RESOURCES)),
    "filters": (_("Filters"), _filters),
    "parameters": (_("Filters"), _filters),
    "page": (_("Page"), _plain),
    "total": (_("Found in all"), _plain),
    "ids": (_("Records read"), _numbers),
    # Imports
    "dry_run": (_("Check only"), _plain),
    "committed": (_("Saved"), _plain),
    "job": (_("Import job"), _number),
    "rows": (_("Rows"), _plain),
    "created": (_("Created"), _plain),
    "updated": (_("Updated"), _plain),
    "unchanged": (_("Unchanged"), _plain),
    "refused": (_("Rows refused"), _plain),
    # Scripts
    "script": (_("Script no."), _number),
    "version": (_("Version"), _plain),
    "version_id": (_("Version id"), _number),
    "retired_version_id": (_("Version retired"), _number),
    "retired_at": (_("Retired at"), _moment),
    # Plans, policies, holidays, the build time
    "steps": (_("Call days after the anchor date"), _plain),
    "policy": (_("Calling policy"), _named("policy")),
    "rules": (_("Used for"), _rules),
    "name": (_policy_field("name"), _changed(_plain)),
    "windows": (_("Calling windows"), _changed(_plain)),
    "weekdays": (_("Calling days"), _changed(_weekdays)),
    "holiday_rule": (_("Holidays"), _changed(_chosen(HolidayRule.choices))),
    "quiet_before": (_policy_field("quiet_before"), _changed(_plain)),
    "quiet_after": (_policy_field("quiet_after"), _changed(_plain)),
    "timezone": (_("Timezone"), _changed(_plain)),
    "is_default": (_policy_field("is_default"), _changed(_plain)),
    "closed": (_("Closed days"), _plain),
    "working": (_("Working days"), _plain),
    "before": (_("Before"), _plain),
    "after": (_("After"), _plain),
    # Teams, duty, users and roles
    "members": (_("Members"), _named("user")),
    "departments": (_("Departments"), _named("department")),
    "duty_from": (_("Duty from"), _plain),
    "duty_to": (_("Duty to"), _plain),
    "duty_days": (_("Duty days"), _plain),
    "via": (_("Changed in"), _chosen([("admin", _("data admin"))])),
    "role": (_("Role"), _role),
    "role_from": (_("Role before"), _role),
    "role_to": (_("Role after"), _role),
    "active_from": (_("Active before"), _plain),
    "active_to": (_("Active after"), _plain),
    "departments_from": (_("Departments headed before"), _named("department")),
    "departments_to": (_("Departments headed after"), _named("department")),
    "superuser_from": (_("Superuser before"), _plain),
    "superuser_to": (_("Superuser after"), _plain),
    "staff_from": (_("Staff before"), _plain),
    "staff_to": (_("Staff after"), _plain),
    "groups_added": (_("Roles added"), _role),
    "groups_removed": (_("Roles removed"), _role),
    "permissions_added": (_("Permissions added"), _plain),
    "permissions_removed": (_("Permissions removed"), _plain),
    # Calls, lists, people and cases
    "score": (_("Score"), _plain),
    "day": (_("Day"), _plain),
    "entries": (_("Call list entries"), _numbers),
    "count": (_("Moved"), _plain),
    "customer": (_("Customer no."), _number),
    "patient": (_("Stay no."), _number),
    "fields": (_("Fields changed"), _field_names),
    "task": (_("Follow-up no."), _number),
    "due_date": (_("Due"), _plain),
    "reopened": (_("Case reopened"), _plain),
    "tasks": (_("Follow-ups planned"), _plain),
    "entry": (_("Call list entry"), _number),
    "reason": (_("Reason"), _chosen(PUT_BACK_REASONS)),
    "attempt": (_("Call no."), _number),
    "held": (_("Calls held"), _plain),
    "moved": (_("Calls moved"), _plain),
    "cancelled": (_("Calls cancelled"), _plain),
    "resumed": (_("Calls resumed"), _plain),
    # Never written by this code: an older or foreign event is still not shown whole.
    "q": (_("Searched for"), _searched),
    "phone": (_("Phone number"), _hidden),
}
ORDER = {key: index for index, key in enumerate(DETAIL_KEYS)}


def detail_parts(detail: dict, *, names: DetailNames | None = None) -> list[tuple[str, str]]:
    """The detail as [(label, value)] in the reader's language, known keys in their order,
    then any other key by its name."""
    names = names or DetailNames()
    if not isinstance(detail, dict):  # not written by this code: shown as it is
        return [] if detail in (None, "") else [(str(_("Detail")), _plain(detail))]
    parts = []
    for key in sorted(detail, key=lambda key: (ORDER.get(key, len(ORDER)), key)):
        label, read = DETAIL_KEYS.get(key, (key, None))
        value = detail[key]
        try:
            shown = read(value, names) if read else _plain(value)
        except (TypeError, ValueError, AttributeError, KeyError):
            # A value of a shape its reader does not expect (an older event): as it is,
            # unless it is the search, which is never shown.
            shown = str(_("(not shown)")) if key in ("q", "phone", "filters") else _plain(value)
        parts.append((str(label), shown))
    return parts


def audit_table(events: QuerySet[AuditEvent]) -> Table:
    """The events as a table to export, as the page shows them: the object in words, the
    actor by name (and username), the detail in sentences; ids and counts, as the trail
    holds them."""
    table = Table(
        key="events",
        title=_("Audit trail"),
        columns=[
            Column("at", _("When"), Kind.TEXT),
            Column("actor", _("Who"), Kind.TEXT),
            Column("username", _("Username"), Kind.TEXT),
            Column("action", _("Action"), Kind.TEXT),
            Column("target_type", _("Object type"), Kind.TEXT),
            Column("target_id", _("Object id"), Kind.TEXT),
            Column("detail", _("Detail"), Kind.TEXT),
        ],
    )
    names = DetailNames()
    for event in events[:EXPORT_LIMIT]:
        table.rows.append(
            [
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                actor_name(event.actor),
                event.actor.username if event.actor else "",
                event.get_action_display(),
                target_label(event.target_type) if event.target_type else "",
                event.target_id,
                describe_detail(event.detail, names=names),
            ]
        )
    return table


def actor_name(user) -> str:
    """Who did it, as the page names them: their name, else their username."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def describe_detail(detail: dict, *, names: DetailNames | None = None) -> str:
    """The detail in the reader's language: "Step: Acknowledged; Verification call: #12"."""
    return "; ".join(
        _("%(label)s: %(value)s") % {"label": label, "value": value}
        for label, value in detail_parts(detail, names=names)
    )


def describe_events(events) -> None:
    """Each event's `detail_parts`, [(label, value)], its detail in words (names of staff,
    departments and policies read once for all the events)."""
    names = DetailNames()
    for event in events:
        event.detail_parts = detail_parts(event.detail, names=names)
