"""The script pages: list, read, edit a draft (htmx), preview, publish, compare, import, export.

Everyone with the view right reads published scripts; drafts, edits, publishing and
imports need the supervisor's rights (change_scriptversion, publish_scriptversion).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from followups import script_graph
from followups.models import CallScript, CaseKind, Disposition, ScriptVersion, ScriptVersionStatus
from followups.services import scripts as script_service

VIEW = "followups.view_callscript"
EDIT = "followups.change_scriptversion"
PUBLISH = "followups.publish_scriptversion"
CREATE = "followups.add_callscript"

PARTIALS = "followups/scripts/_partials"


# --- Forms --------------------------------------------------------------------------------


class ScriptCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=60,
        help_text=gettext_lazy("Short, unique, in letters, digits and hyphens, e.g. discharge."),
    )
    case_kind = forms.ChoiceField(
        label=gettext_lazy("Used for"),
        choices=[("", gettext_lazy("Any kind of case")), *CaseKind.choices],
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext_lazy("Create the script and its draft")))


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Exported script (.json)"),
        help_text=gettext_lazy("A file exported from this or another Huifang center."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext_lazy("Import as a draft")))


MAX_IMPORT_BYTES = 1_000_000


# --- Reading ------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def script_list(request):
    can_edit = request.user.has_perm(EDIT)
    rows = script_service.script_overview(include_drafts=can_edit)
    if not can_edit:
        rows = [row for row in rows if row.published is not None]
    return render(
        request,
        "followups/scripts/list.html",
        {"rows": rows, "can_edit": can_edit, "can_publish": request.user.has_perm(PUBLISH)},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def script_read(request, code):
    """The published version of a script: what agents read."""
    script = get_object_or_404(CallScript, code=code)
    version = script.published_version()
    if version is None:
        raise Http404(_("This script has no published version."))
    return _version_page(request, version)


@login_required
@permission_required(VIEW, raise_exception=True)
def version_detail(request, pk):
    version = _readable_version(request, pk)
    if version.status == ScriptVersionStatus.DRAFT and request.user.has_perm(EDIT):
        return redirect("scripts:edit", pk=version.pk)
    return _version_page(request, version)


def _readable_version(request, pk) -> ScriptVersion:
    """A version the user may read: published ones for everyone with the view right,
    drafts and retired ones for those who edit."""
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    if not version.is_published and not request.user.has_perm(EDIT):
        raise PermissionDenied
    return version


def _version_page(request, version: ScriptVersion):
    graph = version.graph
    errors = script_graph.validate(graph)
    context = {
        "version": version,
        "script": version.script,
        "nodes": [_read_node(item, graph) for item in script_graph.nodes_of(graph)],
        "objections": [_read_objection(item) for item in script_graph.objections_of(graph)],
        "svg": _svg(version),
        "problem_count": len(errors),
        "can_edit": request.user.has_perm(EDIT),
        "can_publish": request.user.has_perm(PUBLISH),
        "other_versions": list(version.script.versions.exclude(pk=version.pk).order_by("-number")),
    }
    return render(request, "followups/scripts/version.html", context)


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
        script_graph.to_svg(version.graph, title=f"{version.script.name} v{version.number}")
    )


# --- Creating, drafting, importing ----------------------------------------------------------


@login_required
@permission_required(CREATE, raise_exception=True)
@permission_required(EDIT, raise_exception=True)
def script_create(request):
    form = ScriptCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            script = script_service.create_script(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            draft = script.versions.get()
            messages.success(request, _("Script created: write its first draft."))
            return redirect("scripts:edit", pk=draft.pk)
    return render(request, "followups/scripts/create.html", {"form": form})


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field_name, field_errors in error.error_dict.items():
            for field_error in field_errors:
                form.add_error(field_name if field_name in form.fields else None, field_error)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
@permission_required(EDIT, raise_exception=True)
@require_POST
def draft_new(request, code):
    script = get_object_or_404(CallScript, code=code)
    from_version = None
    if request.POST.get("from"):
        from_version = get_object_or_404(ScriptVersion, pk=request.POST["from"], script=script)
    draft = script_service.new_draft(script=script, actor=request.user, from_version=from_version)
    if from_version is not None and draft.graph != from_version.graph:
        messages.info(
            request,
            _("This script already has a draft (v%(number)s): finish or publish it first.")
            % {"number": draft.number},
        )
    return redirect("scripts:edit", pk=draft.pk)


@login_required
@permission_required(EDIT, raise_exception=True)
def script_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is too large for a script (at most 1 MB)."))
        else:
            try:
                draft = script_service.import_version(data=upload.read(), actor=request.user)
            except script_service.InvalidScript as invalid:
                errors = invalid.errors
            else:
                messages.success(
                    request,
                    _("Imported as draft version %(number)s of “%(name)s”.")
                    % {"number": draft.number, "name": draft.script.name},
                )
                return redirect("scripts:edit", pk=draft.pk)
    return render(
        request,
        "followups/scripts/import.html",
        {"form": form, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
@permission_required(EDIT, raise_exception=True)
def version_export(request, pk):
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    document = script_service.export_version(version)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"{version.script.code}-v{version.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The editor -----------------------------------------------------------------------------


@login_required
@permission_required(EDIT, raise_exception=True)
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

    @login_required
    @permission_required(EDIT, raise_exception=True)
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


def _refused(request, reasons: list[str]) -> HttpResponse:
    response = render(request, f"{PARTIALS}/refused.html", {"reasons": reasons}, status=409)
    if request.htmx:
        retarget(response, "#editor-messages")
        reswap(response, "innerHTML")
    return response


def _node_response(request, version: ScriptVersion, node_id: str) -> HttpResponse:
    """The node's card, with every node's problems, the problem count and the graph
    refreshed out of band (one change can mend or break another node)."""
    context = _editor_context(version)
    item = next((node for node in context["nodes"] if node["id"] == node_id), None)
    if item is None:
        return _list_response(request, version, context=context)
    html = render_to_string(f"{PARTIALS}/node.html", {**context, "node": item}, request=request)
    return HttpResponse(html + _out_of_band(request, context, skip_node=node_id))


def _list_response(request, version: ScriptVersion, *, context=None) -> HttpResponse:
    """The whole node list (its order, or the set of nodes, changed), objections and the
    rest refreshed out of band."""
    context = context or _editor_context(version)
    html = render_to_string(f"{PARTIALS}/node_list.html", context, request=request)
    html += render_to_string(
        f"{PARTIALS}/objection_list.html", {**context, "oob": True}, request=request
    )
    return HttpResponse(html + _out_of_band(request, context, skip_node=None, node_errors=False))


def _objection_response(request, version: ScriptVersion, objection_id: str) -> HttpResponse:
    context = _editor_context(version)
    item = next((o for o in context["objections"] if o["id"] == objection_id), None)
    if item is None:
        html = render_to_string(f"{PARTIALS}/objection_list.html", context, request=request)
    else:
        html = render_to_string(
            f"{PARTIALS}/objection.html", {**context, "objection": item}, request=request
        )
    return HttpResponse(html + _out_of_band(request, context, skip_node=None))


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


@_draft_action
def node_add(request, version):
    kind = request.POST.get("kind", "")
    after = request.POST.get("after") or None
    version = script_service.add_node(
        version=version,
        kind=kind,
        after=after,
        answer_type=request.POST.get("answer_type") or None,
        text=request.POST.get("text", "").strip(),
        actor=request.user,
    )
    return _list_response(request, version)


@_draft_action
def node_update(request, version, node_id):
    """One field of a node, as the control that changed sends it."""
    field_name = request.POST.get("field", "")
    if field_name == "medical":
        changes = {"medical": request.POST.get("medical") == "on"}
    elif field_name in script_service.EDITABLE_NODE_FIELDS:
        changes = {field_name: request.POST.get(field_name, "")}
    else:
        raise ValidationError(_("Nothing to change."))
    version = script_service.update_node(
        version=version, node_id=node_id, changes=changes, actor=request.user
    )
    return _node_response(request, version, node_id)


@_draft_action
def node_remove(request, version, node_id):
    version = script_service.remove_node(version=version, node_id=node_id, actor=request.user)
    return _list_response(request, version)


@_draft_action
def node_move(request, version, node_id):
    by = -1 if request.POST.get("direction") == "up" else 1
    version = script_service.move_node(version=version, node_id=node_id, by=by, actor=request.user)
    return _list_response(request, version)


@_draft_action
def node_start(request, version, node_id):
    version = script_service.set_start(version=version, node_id=node_id, actor=request.user)
    return _list_response(request, version)


@_draft_action
def node_connect(request, version, node_id):
    """Where the node itself goes on to (statements, greetings, typed answers)."""
    version = script_service.connect_option(
        version=version,
        node_id=node_id,
        position=None,
        target=request.POST.get("next", ""),
        actor=request.user,
    )
    return _node_response(request, version, node_id)


@_draft_action
def option_add(request, version, node_id):
    version = script_service.add_option(
        version=version,
        node_id=node_id,
        value=request.POST.get("value", ""),
        label=request.POST.get("label", ""),
        target=request.POST.get("next", ""),
        actor=request.user,
    )
    return _node_response(request, version, node_id)


@_draft_action
def option_update(request, version, node_id, position):
    version = script_service.update_option(
        version=version,
        node_id=node_id,
        position=position,
        label=request.POST.get("label", "").strip(),
        actor=request.user,
    )
    return _node_response(request, version, node_id)


@_draft_action
def option_connect(request, version, node_id, position):
    version = script_service.connect_option(
        version=version,
        node_id=node_id,
        position=position,
        target=request.POST.get("next", ""),
        actor=request.user,
    )
    return _node_response(request, version, node_id)


@_draft_action
def option_remove(request, version, node_id, position):
    version = script_service.remove_option(
        version=version, node_id=node_id, position=position, actor=request.user
    )
    return _node_response(request, version, node_id)


@_draft_action
def objection_add(request, version):
    version = script_service.add_objection(
        version=version,
        label=request.POST.get("label", "").strip(),
        text=request.POST.get("text", "").strip(),
        action=request.POST.get("action", "return"),
        target=request.POST.get("target", ""),
        disposition=request.POST.get("disposition", ""),
        actor=request.user,
    )
    context = _editor_context(version)
    html = render_to_string(f"{PARTIALS}/objection_list.html", context, request=request)
    return HttpResponse(html + _out_of_band(request, context, skip_node=None))


@_draft_action
def objection_update(request, version, objection_id):
    field_name = request.POST.get("field", "")
    if field_name not in script_service.OBJECTION_FIELDS:
        raise ValidationError(_("Nothing to change."))
    version = script_service.update_objection(
        version=version,
        objection_id=objection_id,
        changes={field_name: request.POST.get(field_name, "")},
        actor=request.user,
    )
    return _objection_response(request, version, objection_id)


@_draft_action
def objection_remove(request, version, objection_id):
    version = script_service.remove_objection(
        version=version, objection_id=objection_id, actor=request.user
    )
    context = _editor_context(version)
    html = render_to_string(f"{PARTIALS}/objection_list.html", context, request=request)
    return HttpResponse(html + _out_of_band(request, context, skip_node=None))


# --- Publishing and retiring ----------------------------------------------------------------


@login_required
@permission_required(PUBLISH, raise_exception=True)
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
        for message in error.messages:
            messages.error(request, message)
        return redirect("scripts:version", pk=version.pk)
    messages.success(
        request,
        _("Version %(number)s of “%(name)s” is published; agents use it from the next call.")
        % {"number": version.number, "name": version.script.name},
    )
    return redirect("scripts:list")


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


@login_required
@permission_required(PUBLISH, raise_exception=True)
@require_POST
def version_retire(request, pk):
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    try:
        script_service.retire(version=version, actor=request.user, now=timezone.now())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("scripts:version", pk=version.pk)
    messages.warning(
        request,
        _(
            "Version %(number)s of “%(name)s” is retired. Until another version is "
            "published, plans using this script have no script for their calls."
        )
        % {"number": version.number, "name": version.script.name},
    )
    return redirect("scripts:list")


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


app_name = "scripts"
urlpatterns = [
    path("", script_list, name="list"),
    path("new/", script_create, name="create"),
    path("import/", script_import, name="import"),
    path("<slug:code>/", script_read, name="read"),
    path("<slug:code>/draft/", draft_new, name="new_draft"),
    path("<slug:code>/compare/", script_compare, name="compare"),
    path("versions/<int:pk>/", version_detail, name="version"),
    path("versions/<int:pk>/preview/", version_preview, name="preview"),
    path("versions/<int:pk>/export/", version_export, name="export"),
    path("versions/<int:pk>/publish/", version_publish, name="publish"),
    path("versions/<int:pk>/retire/", version_retire, name="retire"),
    path("versions/<int:pk>/edit/", draft_edit, name="edit"),
    path("versions/<int:pk>/edit/nodes/", node_add, name="node_add"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/", node_update, name="node_update"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/remove/", node_remove, name="node_remove"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/move/", node_move, name="node_move"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/start/", node_start, name="node_start"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/next/", node_connect, name="node_connect"),
    path("versions/<int:pk>/edit/nodes/<str:node_id>/options/", option_add, name="option_add"),
    path(
        "versions/<int:pk>/edit/nodes/<str:node_id>/options/<int:position>/",
        option_update,
        name="option_update",
    ),
    path(
        "versions/<int:pk>/edit/nodes/<str:node_id>/options/<int:position>/next/",
        option_connect,
        name="option_connect",
    ),
    path(
        "versions/<int:pk>/edit/nodes/<str:node_id>/options/<int:position>/remove/",
        option_remove,
        name="option_remove",
    ),
    path("versions/<int:pk>/edit/objections/", objection_add, name="objection_add"),
    path(
        "versions/<int:pk>/edit/objections/<str:objection_id>/",
        objection_update,
        name="objection_update",
    ),
    path(
        "versions/<int:pk>/edit/objections/<str:objection_id>/remove/",
        objection_remove,
        name="objection_remove",
    ),
]
