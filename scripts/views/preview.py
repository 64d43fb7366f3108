"""The preview of a version as the agent sees it during a call, walked through with a
made-up customer (or with every value missing, or as for a sensitive patient). What is
shown at each step is the call screen's own runner (scripts.runner); this view adds the
links that walk one step further.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from followups.views.access import page_for
from scripts import graph as script_graph
from scripts import runner
from scripts import services as script_service
from scripts.views.common import PARTIALS, VIEW, _disposition_label, _readable_version, _svg


@page_for(VIEW)
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
    screen = runner.run(version.graph, path_tokens, values=values, sensitive=sensitive)

    def url_for(tokens: list[str]) -> str:
        return _preview_url(version, tokens, sensitive=sensitive, missing=missing)

    context = {
        "version": version,
        "script": version.script,
        "walk": _walk_view(screen, url_for=url_for),
        "sample": [
            (script_graph.VARIABLE_LABELS[name], values[name])
            for name in script_graph.KNOWN_VARIABLES
        ],
        "sensitive": sensitive,
        "missing": missing,
        "svg": _svg(version),
        "restart_url": url_for([]),
        "toggle_sensitive_url": _preview_url(
            version, list(screen.path), sensitive=not sensitive, missing=missing
        ),
        "toggle_missing_url": _preview_url(
            version, list(screen.path), sensitive=sensitive, missing=not missing
        ),
    }
    if request.htmx:
        return render(request, f"{PARTIALS}/walk.html", context)
    return render(request, "followups/scripts/preview.html", context)


@page_for(VIEW)
def version_graph(request, pk):
    """The version's graph alone, at its full size: the browser shows it in a tab of its
    own, to scroll and zoom (the pages fit it to their column)."""
    version = _readable_version(request, pk)
    response = HttpResponse(_svg(version), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'inline; filename="{version.script.code}-v{version.number}.svg"'
    )
    return response


def _walk_view(screen: runner.Screen, *, url_for: Callable) -> dict:
    """The runner's screen with a link for each way on: the answers of the node waiting,
    and the objection handlers."""
    path = list(screen.path)
    current = None
    if screen.current is not None:
        node = screen.current
        current = {
            "id": node.id,
            "kind_label": node.kind_label,
            "text": node.text,
            "is_medical": node.is_medical,
            "answer_type_label": node.answer_type_label,
            "choices": [
                {
                    "label": choice.label,
                    "token": choice.token,
                    "url": url_for([*path, choice.token]),
                }
                for choice in node.choices
            ],
        }
    return {
        "steps": screen.steps,
        "current": current,
        "ended": screen.ended,
        "disposition": _disposition_label(screen.disposition) if screen.disposition else None,
        "identity_confirmed": screen.identity_confirmed,
        "objections": [
            {
                "label": handler.label,
                "url": url_for([*path, handler.token]),
                "action_label": handler.action_label,
            }
            for handler in screen.objections
        ],
        "path": path,
    }


def _preview_url(version, tokens, *, sensitive: bool, missing: bool) -> str:
    query = [("step", token) for token in tokens]
    if sensitive:
        query.append(("sensitive", "1"))
    if missing:
        query.append(("missing", "1"))
    url = reverse("scripts:preview", args=[version.pk])
    return f"{url}?{urlencode(query)}" if query else url
