"""What the script pages share: the permissions they check, the folder of the editor's
partial templates, and the helpers that show a version's nodes, objections and graph.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe

from followups.models import Disposition
from scripts import graph as script_graph
from scripts.models import ScriptVersion

VIEW = "scripts.view_callscript"
EDIT = "scripts.change_scriptversion"
PUBLISH = "scripts.publish_scriptversion"
CREATE = "scripts.add_callscript"

PARTIALS = "followups/scripts/_partials"


def _readable_version(request, pk) -> ScriptVersion:
    """A version the user may read: published ones for everyone with the view right,
    drafts and retired ones for those who edit."""
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    if not version.is_published and not request.user.has_perm(EDIT):
        raise PermissionDenied
    return version


def _read_node(item: dict, graph: dict) -> dict:
    return {
        "id": item.get("id"),
        "kind": item.get("kind"),
        "kind_label": script_graph.NODE_KIND_LABELS.get(str(item.get("kind")), item.get("kind")),
        "is_start": item.get("id") == graph.get("start"),
        "is_medical": script_graph.is_medical(item),
        "answer_type_label": script_graph.ANSWER_TYPE_LABELS.get(str(item.get("answer_type")), ""),
        "outcome_label": script_graph.OUTCOME_FIELD_LABELS.get(str(item.get("outcome_field")), ""),
        "pieces": _text_pieces(item.get("text")),
        "options": [
            {"label": option.get("label"), "value": option.get("value"), "next": option.get("next")}
            for option in script_graph.options_of(item)
        ],
        "next": item.get("next") if script_graph.takes_next(item) else None,
        "disposition": _disposition_label(item.get("disposition"))
        if item.get("kind") == "closing"
        else None,
    }


def _read_objection(item: dict) -> dict:
    return {
        "id": item.get("id"),
        "label": item.get("label"),
        "pieces": _text_pieces(item.get("text")),
        "action": item.get("action"),
        "action_label": script_graph.OBJECTION_ACTION_LABELS.get(str(item.get("action")), ""),
        "target": item.get("target"),
        "disposition": _disposition_label(item.get("disposition")),
        "do_not_call": bool(item.get("do_not_call")),
    }


def _text_pieces(text) -> list[dict]:
    """A text cut into plain runs and variables, so a template can show each variable as a
    chip (and an unknown one in red) with ordinary escaping."""
    if not isinstance(text, str):
        return []
    pieces, last = [], 0
    for match in script_graph.PLACEHOLDER.finditer(text):
        if match.start() > last:
            pieces.append({"text": text[last : match.start()]})
        name = match.group(1)
        label = script_graph.VARIABLE_LABELS.get(name)
        pieces.append({"variable": name, "label": label, "known": label is not None})
        last = match.end()
    if last < len(text):
        pieces.append({"text": text[last:]})
    return pieces


def _disposition_label(value) -> str:
    try:
        return Disposition(value).label
    except (ValueError, TypeError):
        return str(value or "")


def _svg(version: ScriptVersion) -> str:
    # to_svg escapes every text it draws.
    return mark_safe(  # noqa: S308
        script_graph.to_svg(
            version.graph,
            title=f"{version.script.name} v{version.number}",
            dispositions=dict(Disposition.choices),
        )
    )
