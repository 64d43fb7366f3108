"""The outcome list supervisors review (also as a table for export, phone numbers masked),
and one call's path through its script."""

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from followups.models import CallAttempt, Escalation
from followups.phones import mask_phone

from .tables import Column, Kind, Table, local_minute, user_name


def outcome_calls() -> QuerySet[CallAttempt]:
    """Every call with what a row of the list shows, newest first; filter it further."""
    return (
        CallAttempt.objects.select_related(
            "agent",
            "task__case__customer",
            "task__case__patient__department",
            "script_version__script",
        )
        .annotate(has_escalation=Exists(Escalation.objects.filter(attempt=OuterRef("pk"))))
        .order_by("-started_at", "-pk")
    )


def outcome_table(calls: QuerySet[CallAttempt]) -> Table:
    rows = []
    for call in calls.iterator(chunk_size=2000):
        case = call.task.case
        patient = case.patient
        rows.append(
            [
                call.pk,
                local_minute(call.started_at),
                int((call.ended_at - call.started_at).total_seconds()),
                user_name(call.agent),
                case.customer.honorific,
                mask_phone(call.dialled_number),
                patient.department.name if patient else "",
                case.get_kind_display(),
                call.get_disposition_display(),
                call.get_satisfaction_display(),
                str(call.script_version) if call.script_version else "",
                _("Yes") if call.has_escalation else "",
                call.notes,
            ]
        )
    return Table(
        "calls",
        _("Call outcomes"),
        [
            Column("call", _("Call"), Kind.CALL),
            Column("started", _("Started"), Kind.TEXT),
            Column("seconds", _("Seconds")),
            Column("agent", _("Agent"), Kind.TEXT),
            Column("customer", _("Customer"), Kind.TEXT),
            Column("number", _("Number dialled"), Kind.TEXT),
            Column("department", _("Department"), Kind.TEXT),
            Column("kind", _("Case kind"), Kind.TEXT),
            Column("disposition", _("Disposition"), Kind.TEXT),
            Column("satisfaction", _("Satisfaction"), Kind.TEXT),
            Column("script", _("Script version"), Kind.TEXT),
            Column("escalation", _("Escalation"), Kind.TEXT),
            Column("notes", _("Notes"), Kind.TEXT),
        ],
        rows,
    )


def script_path(call: CallAttempt) -> list[dict]:
    """The script path as the agent walked it: each step with the text the agent was shown
    (kept with the call; for calls recorded before that was kept, the node's text in the
    version the call used) and the label of the option chosen."""
    graph = call.script_version.graph if call.script_version else {}
    nodes = {node.get("id"): node for node in graph.get("nodes", [])}
    nodes.update({item.get("id"): item for item in graph.get("objections", [])})
    steps = []
    for answer in call.answers.all():
        node = nodes.get(answer.node_id, {})
        options = {option.get("value"): option.get("label") for option in node.get("options", [])}
        steps.append(
            {
                "answer": answer,
                "text": answer.shown_text or node.get("text", ""),
                "kind": node.get("kind", "objection" if answer.is_objection else ""),
                "choice": options.get(answer.value, answer.value),
            }
        )
    return steps
