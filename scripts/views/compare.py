"""The side-by-side comparison of two versions of a script: nodes and objection handlers
added, removed and changed, a changed text shown word by word.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followups.views.access import page_for
from scripts import graph as script_graph
from scripts.models import CallScript
from scripts.views.common import EDIT, _disposition_label


@page_for(EDIT)
def script_compare(request, code):
    """Two versions of a script side by side: nodes added, removed and changed."""
    script = get_object_or_404(CallScript, code=code)
    versions = list(script.versions.order_by("-number"))
    if len(versions) < 2:
        messages.info(request, _("This script has one version only: nothing to compare yet."))
        return redirect("scripts:list")
    by_number = {version.number: version for version in versions}
    try:
        new = by_number.get(int(request.GET.get("new", versions[0].number)), versions[0])
        old = by_number.get(int(request.GET.get("old", versions[1].number)), versions[1])
    except ValueError:
        new, old = versions[0], versions[1]
    changes = script_graph.diff(old.graph, new.graph)
    return render(
        request,
        "followups/scripts/compare.html",
        {
            "script": script,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": changes,
            "rows": _compare_rows(old.graph, new.graph, changes),
            "objection_rows": _compare_objections(old.graph, new.graph, changes),
        },
    )


def _compare_rows(old_graph, new_graph, changes: script_graph.GraphDiff) -> list[dict]:
    old_nodes = {item.get("id"): item for item in script_graph.nodes_of(old_graph)}
    new_nodes = {item.get("id"): item for item in script_graph.nodes_of(new_graph)}
    order = [node_id for node_id in new_nodes] + list(changes.removed_nodes)
    rows = []
    for node_id in order:
        old, new = old_nodes.get(node_id), new_nodes.get(node_id)
        change = changes.node_change(node_id)
        status = (
            "added"
            if old is None
            else "removed"
            if new is None
            else "changed"
            if change
            else "same"
        )
        text_change = change.get("text") if change else None
        row = {"id": node_id, "status": status, "fields": []}
        if text_change:
            pieces = script_graph.text_changes(text_change.old or "", text_change.new or "")
            row["old_pieces"] = [piece for piece in pieces if piece[0] != "insert"]
            row["new_pieces"] = [piece for piece in pieces if piece[0] != "delete"]
        else:
            row["old_pieces"] = [("equal", (old or {}).get("text", ""))] if old else []
            row["new_pieces"] = [("equal", (new or {}).get("text", ""))] if new else []
        if change:
            row["fields"] = [
                {
                    "name": FIELD_LABELS.get(field.field, field.field),
                    "old": _shown(field.old, field.field),
                    "new": _shown(field.new, field.field),
                }
                for field in change.changes
                if field.field != "text"
            ]
        rows.append(row)
    return rows


def _compare_objections(old_graph, new_graph, changes: script_graph.GraphDiff) -> list[dict]:
    old_items = {item.get("id"): item for item in script_graph.objections_of(old_graph)}
    new_items = {item.get("id"): item for item in script_graph.objections_of(new_graph)}
    changed = {change.item_id for change in changes.changed_objections}
    rows = []
    for objection_id in [*new_items, *changes.removed_objections]:
        old, new = old_items.get(objection_id), new_items.get(objection_id)
        rows.append(
            {
                "id": objection_id,
                "status": "added"
                if old is None
                else "removed"
                if new is None
                else "changed"
                if objection_id in changed
                else "same",
                "old": old,
                "new": new,
            }
        )
    return rows


# The compared fields of a node (scripts.graph.COMPARED_NODE_FIELDS) as the editor names
# them, and the labels of their values.
FIELD_LABELS = {
    "kind": gettext_lazy("Node kind"),
    "answer_type": gettext_lazy("Answer type"),
    "medical": gettext_lazy("Medical"),
    "outcome_field": gettext_lazy("Recorded as"),
    "options": gettext_lazy("Answers"),
    "next": gettext_lazy("Next node"),
    "disposition": gettext_lazy("Disposition"),
}
VALUE_LABELS = {
    "kind": script_graph.NODE_KIND_LABELS,
    "answer_type": script_graph.ANSWER_TYPE_LABELS,
    "outcome_field": script_graph.OUTCOME_FIELD_LABELS,
}


def _shown(value, field: str = "") -> str:
    if field == "disposition" and value:
        return _disposition_label(value)
    if field == "medical":
        return _("Yes") if value else _("No")
    if field in VALUE_LABELS and value:
        return str(VALUE_LABELS[field].get(str(value), value))
    if isinstance(value, list):
        return "; ".join(
            f"{option.get('label', '')} → {option.get('next') or '—'}"
            if isinstance(option, dict)
            else str(option)
            for option in value
        )
    if value in (None, ""):
        return "—"
    return str(value)
