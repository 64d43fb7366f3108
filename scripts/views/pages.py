"""The script pages: the list, reading a script or a version, creating a script, new
drafts, import and export.

Everyone with the view right reads published scripts; drafts, edits, publishing and
imports need the supervisor's rights (change_scriptversion, publish_scriptversion).

The editor and publishing are in scripts.views.editor, the preview in
scripts.views.preview, the comparison in scripts.views.compare, what they share in
scripts.views.common; their URL patterns in scripts.urls.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from followups.views.access import page_for
from scripts import graph as script_graph
from scripts import services as script_service
from scripts.forms import ImportForm, ScriptCreateForm
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus
from scripts.views.common import (
    CREATE,
    EDIT,
    PUBLISH,
    VIEW,
    _read_node,
    _read_objection,
    _readable_version,
    _svg,
)

MAX_IMPORT_BYTES = 1_000_000


# --- Reading ------------------------------------------------------------------------------


@page_for(VIEW)
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


@page_for(VIEW)
def script_read(request, code):
    """The published version of a script: what agents read."""
    script = get_object_or_404(CallScript, code=code)
    version = script.published_version()
    if version is None:
        raise Http404(_("This script has no published version."))
    return _version_page(request, version)


@page_for(VIEW)
def version_detail(request, pk):
    version = _readable_version(request, pk)
    if version.status == ScriptVersionStatus.DRAFT and request.user.has_perm(EDIT):
        return redirect("scripts:edit", pk=version.pk)
    return _version_page(request, version)


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


# --- Creating, drafting, importing ----------------------------------------------------------


@page_for(CREATE, EDIT)
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


@page_for(EDIT)
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


@page_for(EDIT)
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


@page_for(EDIT)
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
