"""Preview of a version as the agent sees it during a call (walked through with a made-up
customer) and the side-by-side comparison of two versions of a script.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from followups.models import CallScript
from followups.services import scripts as script_service
from followups.views.script_common import (
    EDIT,
    PARTIALS,
    VIEW,
    _disposition_label,
    _readable_version,
    _svg,
)
from scripts import graph as script_graph

# --- Preview and comparison -----------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def version_preview(request, pk):
    """The version as the agent sees it during a call, with a made-up customer: click the
    answers to walk through it."""
    version = _readable_version(request, pk)
    path_tokens = request.GET.getlist("step")
    sensitive = request.GET.get("sensitive") == "1"
    missing = request.GET.get("missing") == "1"
    values = script_service.sample_values(agent=request.user)
    if missing:
        values = {name: None for name in values}
    walk = script_graph.replay(version.graph, path_tokens)

    def url_for(tokens: list[str]) -> str:
        return _preview_url(version, tokens, sensitive=sensitive, missing=missing)

    context = {
        "version": version,
        "script": version.script,
        "walk": _walk_view(
            version.graph, walk, values=values, sensitive=sensitive, url_for=url_for
        ),
        "sample": [
            (script_graph.VARIABLE_LABELS[name], values[name])
            for name in script_graph.KNOWN_VARIABLES
        ],
        "sensitive": sensitive,
        "missing": missing,
        "svg": _svg(version),
        "restart_url": url_for([]),
        "toggle_sensitive_url": _preview_url(
            version, list(walk.path), sensitive=not sensitive, missing=missing
        ),
        "toggle_missing_url": _preview_url(
            version, list(walk.path), sensitive=sensitive, missing=not missing
        ),
    }
    if request.htmx:
        return render(request, f"{PARTIALS}/walk.html", context)
    return render(request, "followups/scripts/preview.html", context)


def _walk_view(
    graph, walk: script_graph.Walk, *, values, sensitive: bool, url_for: Callable
) -> dict:
    """What the call screen would show at each step of the walk; medical texts stay hidden
    from a sensitive patient until the identity check's yes."""
    version_steps = []
    confirmed = False
    for step in walk.steps:
        item = step.node
        hidden = (
            sensitive and not step.is_objection and not confirmed and script_graph.is_medical(item)
        )
        version_steps.append(
            {
                "id": item.get("id"),
                "kind_label": _("Objection")
                if step.is_objection
                else script_graph.NODE_KIND_LABELS.get(str(item.get("kind")), ""),
                "label": item.get("label") if step.is_objection else None,
                "text": None if hidden else script_graph.render_text(item.get("text", ""), values),
                "answer": step.answer_label,
                "is_objection": step.is_objection,
                "is_closing": item.get("kind") == "closing",
            }
        )
        if item.get("kind") == "identity_check" and step.answer == script_graph.IDENTITY_CONFIRMED:
            confirmed = True
    current = None
    if walk.current is not None:
        item = walk.current
        hidden = sensitive and script_graph.is_medical(item) and not walk.identity_confirmed
        current = {
            "id": item.get("id"),
            "kind_label": script_graph.NODE_KIND_LABELS.get(str(item.get("kind")), ""),
            "text": None if hidden else script_graph.render_text(item.get("text", ""), values),
            "is_medical": script_graph.is_medical(item),
            "answer_type_label": script_graph.ANSWER_TYPE_LABELS.get(
                str(item.get("answer_type")), ""
            ),
            "choices": [
                {**choice, "url": url_for([*walk.path, choice["token"]])}
                for choice in _walk_choices(item)
            ],
        }
    return {
        "steps": version_steps,
        "current": current,
        "ended": walk.current is None,
        "disposition": _disposition_label(walk.disposition) if walk.disposition else None,
        "identity_confirmed": walk.identity_confirmed,
        "objections": [
            {
                "label": objection.get("label"),
                "url": url_for([*walk.path, f"!{objection.get('id')}"]),
                "action_label": script_graph.OBJECTION_ACTION_LABELS.get(
                    str(objection.get("action")), ""
                ),
            }
            for objection in script_graph.objections_of(graph)
        ]
        if walk.current is not None
        else [],
        "path": list(walk.path),
    }


def _walk_choices(item: dict) -> list[dict]:
    node_id = item.get("id")
    if script_graph.takes_options(item) and not (
        item.get("answer_type") == "multiple" and item.get("next")
    ):
        return [
            {"label": option.get("label"), "token": f"{node_id}:{option.get('value')}"}
            for option in script_graph.options_of(item)
        ]
    label = _("Answer noted, go on") if item.get("kind") == "question" else _("Go on")
    return [{"label": label, "token": str(node_id)}]


def _preview_url(version, tokens, *, sensitive: bool, missing: bool) -> str:
    query = [("step", token) for token in tokens]
    if sensitive:
        query.append(("sensitive", "1"))
    if missing:
        query.append(("missing", "1"))
    url = reverse("scripts:preview", args=[version.pk])
    return f"{url}?{urlencode(query)}" if query else url


@login_required
@permission_required(EDIT, raise_exception=True)
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
                {"name": field.field, "old": _shown(field.old), "new": _shown(field.new)}
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


def _shown(value) -> str:
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
