"""The script pages: list, read, edit a draft (htmx), preview, publish, compare, import, export.

Everyone with the view right reads published scripts; drafts, edits, publishing and
imports need the supervisor's rights (change_scriptversion, publish_scriptversion).

This module holds the URL patterns, the list and reading pages, creating a script, new
drafts, import and export; the editor and publishing are in followups.views.script_editor,
preview and comparison in followups.views.script_compare, what they share in
followups.views.script_common.
"""

from __future__ import annotations

import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from followups.models import CallScript, CaseKind, ScriptVersion, ScriptVersionStatus
from followups.services import scripts as script_service
from followups.views.script_common import (
    CREATE,
    EDIT,
    PUBLISH,
    VIEW,
    _read_node,
    _read_objection,
    _readable_version,
    _svg,
)
from followups.views.script_compare import script_compare, version_preview
from followups.views.script_editor import (
    draft_edit,
    node_add,
    node_connect,
    node_move,
    node_remove,
    node_start,
    node_update,
    objection_add,
    objection_remove,
    objection_update,
    option_add,
    option_connect,
    option_remove,
    option_update,
    version_publish,
    version_retire,
)
from scripts import graph as script_graph

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
