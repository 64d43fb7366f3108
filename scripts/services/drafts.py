"""Scripts and their drafts: creating a script with its starter graph, opening and saving a
draft, and InvalidScript, the error every check of a graph raises.

A published version never changes: every edit works on a draft (the node-level edits are in
scripts.services.edits).
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from scripts import graph as script_graph
from scripts.graph import GraphError
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus

# Words the script pages use in their own URLs (/scripts/new/, /scripts/import/ …).
RESERVED_CODES = frozenset({"new", "import", "versions"})


class InvalidScript(Exception):
    """The graph or the file has problems; nothing was saved. `errors` lists them."""

    def __init__(self, errors: list[GraphError]):
        super().__init__("; ".join(str(error.message) for error in errors))
        self.errors = errors


def _not_a_draft() -> ValidationError:
    return ValidationError(
        _("Only a draft can be edited; a published or retired version never changes."),
        code="not_draft",
    )


# --- Scripts and drafts -------------------------------------------------------------------


def starter_graph() -> dict:
    """The smallest graph that may be published: a greeting, the identity check and the
    three closings every call can end with. Texts in Chinese: they are what is said."""
    return {
        "schema": script_graph.SCHEMA_VERSION,
        "start": "greet",
        "nodes": [
            {
                "id": "greet",
                "kind": "greeting",
                "text": "{customer.honorific}您好！我是{hospital.name}的回访专员{agent.name}。",
                "next": "identity",
            },
            {
                "id": "identity",
                "kind": "identity_check",
                "text": "请问您是{customer.name}本人吗？",
                "options": [
                    {"value": "yes", "label": "是本人", "next": "close_ok"},
                    {"value": "family", "label": "家属接听", "next": "close_family"},
                    {"value": "no", "label": "不是", "next": "close_wrong"},
                ],
            },
            {
                "id": "close_ok",
                "kind": "closing",
                "text": "感谢您的配合，祝您生活愉快，再见！",
                "disposition": "complete",
            },
            {
                "id": "close_family",
                "kind": "closing",
                "text": "好的，谢谢您，我们改天再联系{customer.honorific}本人。再见！",
                "disposition": "family",
            },
            {
                "id": "close_wrong",
                "kind": "closing",
                "text": "不好意思，可能是号码登记有误，打扰您了。再见！",
                "disposition": "wrong_number",
            },
        ],
        "objections": [],
    }


@transaction.atomic
def create_script(
    *, name: str, code: str, case_kind: str, actor, description: str = ""
) -> CallScript:
    """A new script with its first draft (version 1, the starter graph)."""
    if code in RESERVED_CODES:
        raise ValidationError({"code": _("This code is reserved; choose another.")})
    if CallScript.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A script with this code exists already.")})
    if CallScript.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A script with this name exists already.")})
    script = CallScript.objects.create(
        name=name, code=code, case_kind=case_kind, description=description
    )
    ScriptVersion.objects.create(script=script, number=1, graph=starter_graph(), created_by=actor)
    return script


@transaction.atomic
def new_draft(
    *, script: CallScript, actor, from_version: ScriptVersion | None = None
) -> ScriptVersion:
    """The script's draft: the one being written if there is one, else a new one numbered
    after the last, with the graph of `from_version`, the published version or the latest."""
    # One writer at a time per script, so two clicks make one draft, not two.
    CallScript.objects.select_for_update().get(pk=script.pk)
    draft = script.versions.filter(status=ScriptVersionStatus.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    if from_version is not None and from_version.script_id != script.pk:
        raise ValidationError(_("That version belongs to another script."))
    source = (
        from_version
        or script.versions.filter(status=ScriptVersionStatus.PUBLISHED).first()
        or script.versions.order_by("-number").first()
    )
    last = script.versions.aggregate(last=Max("number"))["last"] or 0
    return ScriptVersion.objects.create(
        script=script,
        number=last + 1,
        graph=copy.deepcopy(source.graph) if source is not None else starter_graph(),
        created_by=actor,
    )


@transaction.atomic
def save_draft(*, version: ScriptVersion, graph: dict, actor) -> ScriptVersion:
    """Replace a draft's graph. A draft may be incomplete (the editor shows what is
    missing), but it must have the shape of a graph."""
    draft = _locked_draft(version)
    shape = _shape_errors(graph)
    if shape:
        raise InvalidScript(shape)
    draft.graph = graph
    draft.save(update_fields=["graph"])
    return draft


def _locked_draft(version: ScriptVersion) -> ScriptVersion:
    """The version's row, locked for this transaction, if it is still a draft."""
    locked = ScriptVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != ScriptVersionStatus.DRAFT:
        raise _not_a_draft()
    return locked


def _shape_errors(graph: Any) -> list[GraphError]:
    errors = script_graph.validate(graph)
    return [error for error in errors if error.node_id is None and error.field in SHAPE_FIELDS]


# Problems that make a graph unreadable, as opposed to unfinished.
SHAPE_FIELDS = {None, "schema", "nodes", "objections"}
