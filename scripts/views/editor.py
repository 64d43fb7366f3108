"""The draft editor (htmx): the editing page, one endpoint per change of a node, an answer
option or an objection handler, each answering with the parts of the page it changed; and
publishing or retiring a version.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from followups.models import Disposition
from followups.views.access import page_for
from scripts import graph as script_graph
from scripts import services as script_service
from scripts.forms import PublishForm
from scripts.models import ScriptVersion, ScriptVersionStatus
from scripts.views.common import (
    EDIT,
    PARTIALS,
    PUBLISH,
    _read_node,
    _read_objection,
    _svg,
)

# --- The editor -----------------------------------------------------------------------------


@page_for(EDIT)
def draft_edit(request, pk):
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    if version.status != ScriptVersionStatus.DRAFT:
        messages.info(request, _("This version is not a draft: it can be read, not edited."))
        return redirect("scripts:version", pk=version.pk)
    published = version.script.published_version()
    context = {
        **_editor_context(version),
        "publish_form": PublishForm(),
        "published": published,
        "can_publish": request.user.has_perm(PUBLISH),
    }
    return render(request, "followups/scripts/edit.html", context)


def _editor_context(version: ScriptVersion) -> dict:
    graph = version.graph
    errors = script_graph.validate(graph)
    by_node = script_graph.errors_by_node(errors)
    by_objection = script_graph.errors_by_objection(errors)
    node_ids = [
        item["id"] for item in script_graph.nodes_of(graph) if isinstance(item.get("id"), str)
    ]
    choices = {
        "node_choices": [
            (item["id"], _node_choice_label(item))
            for item in script_graph.nodes_of(graph)
            if isinstance(item.get("id"), str)
        ],
        "kind_choices": list(script_graph.NODE_KIND_LABELS.items()),
        "answer_type_choices": list(script_graph.ANSWER_TYPE_LABELS.items()),
        "outcome_choices": list(script_graph.OUTCOME_FIELD_LABELS.items()),
        "disposition_choices": Disposition.choices,
        "action_choices": list(script_graph.OBJECTION_ACTION_LABELS.items()),
        "variables": [
            (name, script_graph.VARIABLE_LABELS[name]) for name in script_graph.KNOWN_VARIABLES
        ],
    }
    return {
        "version": version,
        "script": version.script,
        "nodes": [
            _edit_node(item, graph, by_node.get(item.get("id"), []), position, len(node_ids))
            for position, item in enumerate(script_graph.nodes_of(graph))
        ],
        "objections": [
            _edit_objection(item, by_objection.get(item.get("id"), []))
            for item in script_graph.objections_of(graph)
        ],
        "general_errors": [
            error
            for error in by_node.get(None, [])
            if not (error.field or "").startswith("objections.")
        ],
        "errors": errors,
        "problem_nodes": [node_id for node_id in by_node if node_id is not None],
        "node_ids": set(node_ids),
        "svg": _svg(version),
        **choices,
    }


def _node_choice_label(item: dict) -> str:
    text = str(item.get("text") or "")
    return f"{item['id']} · {text[:14]}{'…' if len(text) > 14 else ''}"


def _edit_node(item: dict, graph: dict, errors: list, position: int, count: int) -> dict:
    node_id = item.get("id") if isinstance(item.get("id"), str) else ""
    error_fields = {error.field for error in errors}
    return {
        **_read_node(item, graph),
        "id": node_id,
        "editable": bool(script_graph.NODE_ID.match(node_id)),
        "text": item.get("text") or "",
        "answer_type": item.get("answer_type") or "",
        "outcome_field": item.get("outcome_field") or "",
        "medical_flag": item.get("medical") is True,
        "disposition_value": item.get("disposition") or "",
        "next": item.get("next") or "",
        "takes_options": script_graph.takes_options(item),
        "takes_next": script_graph.takes_next(item),
        "is_question": item.get("kind") == "question",
        "is_closing": item.get("kind") == "closing",
        "options": [
            {
                "position": index,
                "value": option.get("value", ""),
                "label": option.get("label", ""),
                "next": option.get("next") or "",
                "next_invalid": f"options.{index}.next" in error_fields,
                "label_invalid": f"options.{index}.label" in error_fields
                or f"options.{index}.value" in error_fields,
            }
            for index, option in enumerate(script_graph.options_of(item))
        ],
        "errors": [error.message for error in errors],
        "text_invalid": "text" in error_fields,
        "next_invalid": "next" in error_fields,
        "first": position == 0,
        "last": position == count - 1,
    }


def _edit_objection(item: dict, errors: list) -> dict:
    fields = {error.field.rsplit(".", 1)[-1] for error in errors if error.field}
    return {
        **_read_objection(item),
        "text": item.get("text") or "",
        "target": item.get("target") or "",
        "disposition_value": item.get("disposition") or "",
        "errors": [error.message for error in errors],
        "invalid": fields,
        "editable": bool(script_graph.NODE_ID.match(str(item.get("id") or ""))),
    }


def _draft_action(handler: Callable) -> Callable:
    """An editor endpoint: POST only, for editors, on a draft. The handler changes the
    draft through a service and returns what to send back; a refused change (the version
    was published meanwhile, a node is gone) answers 409 with the reason."""

    @page_for(EDIT)
    @require_POST
    def view(request, pk, **kwargs):
        version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
        try:
            return handler(request, version, **kwargs)
        except ValidationError as error:
            return _refused(request, error.messages)
        except script_service.InvalidScript as invalid:
            return _refused(request, [error.message for error in invalid.errors])

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _answering(respond: Callable) -> Callable:
    """An editor endpoint (_draft_action) whose handler makes its change through a service
    and returns the changed version; `respond(request, version, **url_arguments)` says
    which parts of the page go back."""

    def decorate(handler: Callable) -> Callable:
        @wraps(handler)
        def edit(request, version, **kwargs):
            return respond(request, handler(request, version, **kwargs), **kwargs)

        return _draft_action(edit)

    return decorate


def _refused(request, reasons: list[str]) -> HttpResponse:
    response = render(request, f"{PARTIALS}/refused.html", {"reasons": reasons}, status=409)
    if request.htmx:
        retarget(response, "#editor-messages")
        reswap(response, "innerHTML")
    return response


def _node_response(request, version: ScriptVersion, node_id: str, **_url) -> HttpResponse:
    """The node's card, with every node's problems, the problem count and the graph
    refreshed out of band (one change can mend or break another node)."""
    context = _editor_context(version)
    item = next((node for node in context["nodes"] if node["id"] == node_id), None)
    if item is None:
        return _list_response(request, version, context=context)
    html = render_to_string(f"{PARTIALS}/node.html", {**context, "node": item}, request=request)
    return HttpResponse(html + _out_of_band(request, context, skip_node=node_id))


def _list_response(request, version: ScriptVersion, *, context=None, **_url) -> HttpResponse:
    """The whole node list (its order, or the set of nodes, changed), objections and the
    rest refreshed out of band."""
    context = context or _editor_context(version)
    html = render_to_string(f"{PARTIALS}/node_list.html", context, request=request)
    html += render_to_string(
        f"{PARTIALS}/objection_list.html", {**context, "oob": True}, request=request
    )
    return HttpResponse(html + _out_of_band(request, context, skip_node=None, node_errors=False))


def _objection_response(
    request, version: ScriptVersion, objection_id: str | None = None
) -> HttpResponse:
    """The objection handler's card, or the whole list (one added or removed), with the rest
    refreshed out of band."""
    context = _editor_context(version)
    objections = context["objections"] if objection_id is not None else []
    item = next((o for o in objections if o["id"] == objection_id), None)
    if item is None:
        html = render_to_string(f"{PARTIALS}/objection_list.html", context, request=request)
    else:
        html = render_to_string(
            f"{PARTIALS}/objection.html", {**context, "objection": item}, request=request
        )
    return HttpResponse(html + _out_of_band(request, context, skip_node=None))


_node_edit = _answering(_node_response)
_list_edit = _answering(_list_response)
_objection_edit = _answering(_objection_response)


def _out_of_band(request, context: dict, *, skip_node: str | None, node_errors=True) -> str:
    html = render_to_string(f"{PARTIALS}/problems.html", {**context, "oob": True}, request=request)
    html += render_to_string(f"{PARTIALS}/graph.html", {**context, "oob": True}, request=request)
    if node_errors:
        for item in context["nodes"]:
            if item["id"] != skip_node:
                html += render_to_string(
                    f"{PARTIALS}/node_errors.html", {"node": item, "oob": True}, request=request
                )
    return html


@_list_edit
def node_add(request, version):
    return script_service.add_node(
        version=version,
        kind=request.POST.get("kind", ""),
        after=request.POST.get("after") or None,
        answer_type=request.POST.get("answer_type") or None,
        text=request.POST.get("text", "").strip(),
        actor=request.user,
    )


@_node_edit
def node_update(request, version, node_id):
    """One field of a node, as the control that changed sends it."""
    field_name = request.POST.get("field", "")
    if field_name == "medical":
        changes = {"medical": request.POST.get("medical") == "on"}
    elif field_name in script_service.EDITABLE_NODE_FIELDS:
        changes = {field_name: request.POST.get(field_name, "")}
    else:
        raise ValidationError(_("Nothing to change."))
    return script_service.update_node(
        version=version, node_id=node_id, changes=changes, actor=request.user
    )


@_list_edit
def node_remove(request, version, node_id):
    return script_service.remove_node(version=version, node_id=node_id, actor=request.user)


@_list_edit
def node_move(request, version, node_id):
    by = -1 if request.POST.get("direction") == "up" else 1
    return script_service.move_node(version=version, node_id=node_id, by=by, actor=request.user)


@_list_edit
def node_start(request, version, node_id):
    return script_service.set_start(version=version, node_id=node_id, actor=request.user)


@_node_edit
def option_add(request, version, node_id):
    return script_service.add_option(
        version=version,
        node_id=node_id,
        value=request.POST.get("value", ""),
        label=request.POST.get("label", ""),
        target=request.POST.get("next", ""),
        actor=request.user,
    )


@_node_edit
def option_update(request, version, node_id, position):
    label = request.POST.get("label", "").strip()
    return script_service.update_option(
        version=version, node_id=node_id, position=position, label=label, actor=request.user
    )


@_node_edit
def connect(request, version, node_id, position=None):
    """Where the answer at `position` of a node goes on to; without a position, where the
    node itself does (statements, greetings, typed answers)."""
    target = request.POST.get("next", "")
    return script_service.connect_option(
        version=version, node_id=node_id, position=position, target=target, actor=request.user
    )


@_node_edit
def option_remove(request, version, node_id, position):
    return script_service.remove_option(
        version=version, node_id=node_id, position=position, actor=request.user
    )


@_objection_edit
def objection_add(request, version):
    return script_service.add_objection(
        version=version,
        label=request.POST.get("label", "").strip(),
        text=request.POST.get("text", "").strip(),
        action=request.POST.get("action", "return"),
        target=request.POST.get("target", ""),
        disposition=request.POST.get("disposition", ""),
        actor=request.user,
    )


@_objection_edit
def objection_update(request, version, objection_id):
    field_name = request.POST.get("field", "")
    if field_name not in script_service.OBJECTION_FIELDS:
        raise ValidationError(_("Nothing to change."))
    changes = {field_name: request.POST.get(field_name, "")}
    return script_service.update_objection(
        version=version, objection_id=objection_id, changes=changes, actor=request.user
    )


@_objection_edit
def objection_remove(request, version, objection_id):
    return script_service.remove_objection(
        version=version, objection_id=objection_id, actor=request.user
    )


# --- Publishing and retiring ----------------------------------------------------------------


@page_for(PUBLISH)
@require_POST
def version_publish(request, pk):
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _publish_refused(request, version, form=form, errors=[])
    try:
        script_service.publish(
            version=version,
            actor=request.user,
            change_note=form.cleaned_data["change_note"],
            now=timezone.now(),
        )
    except script_service.InvalidScript as invalid:
        return _publish_refused(request, version, form=form, errors=invalid.errors)
    except ValidationError as error:
        return _refused_on_version(request, version, error)
    messages.success(
        request,
        _("Version %(number)s of “%(name)s” is published; agents use it from the next call.")
        % {"number": version.number, "name": version.script.name},
    )
    return redirect("scripts:list")


def _refused_on_version(request, version, error: ValidationError):
    """The version's page again, with the reasons the step was refused."""
    for message in error.messages:
        messages.error(request, message)
    return redirect("scripts:version", pk=version.pk)


def _publish_refused(request, version, *, form, errors):
    """The editor again, nothing published, each problem beside its node."""
    version.refresh_from_db()
    if version.status != ScriptVersionStatus.DRAFT:
        return redirect("scripts:version", pk=version.pk)
    context = {
        **_editor_context(version),
        "publish_form": form,
        "published": version.script.published_version(),
        "can_publish": True,
        "publish_refused": len(errors),
    }
    return render(request, "followups/scripts/edit.html", context, status=400)


@page_for(PUBLISH)
@require_POST
def version_retire(request, pk):
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    try:
        script_service.retire(version=version, actor=request.user, now=timezone.now())
    except ValidationError as error:
        return _refused_on_version(request, version, error)
    messages.warning(
        request,
        _(
            "Version %(number)s of “%(name)s” is retired. Until another version is "
            "published, plans using this script have no script for their calls."
        )
        % {"number": version.number, "name": version.script.name},
    )
    return redirect("scripts:list")
