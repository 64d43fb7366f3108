"""Call scripts and their versions: drafts and their edits, publishing, retiring, import/export.

A published version never changes: every edit works on a draft, and publishing checks the
whole graph with scripts.graph first.

This module holds the reads for the script pages (script_overview) and re-exports the rest,
so callers keep importing followups.services.scripts:
- script_drafts: creating scripts, drafts, InvalidScript;
- script_edits: node-level edits of a draft (the editor);
- script_publishing: publish and retire;
- script_transfer: export and import;
- script_variables: the values of the script variables for a call or a preview.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from followups.models import CallAttempt, CallScript, PlanStep, ScriptVersion, ScriptVersionStatus
from followups.services.script_drafts import (
    RESERVED_CODES,
    SHAPE_FIELDS,
    InvalidScript,
    create_script,
    new_draft,
    save_draft,
    starter_graph,
)
from followups.services.script_edits import (
    EDITABLE_NODE_FIELDS,
    NODE_ID_PREFIXES,
    OBJECTION_FIELDS,
    add_node,
    add_objection,
    add_option,
    connect_option,
    move_node,
    remove_node,
    remove_objection,
    remove_option,
    set_start,
    update_node,
    update_objection,
    update_option,
)
from followups.services.script_publishing import publish, retire
from followups.services.script_transfer import (
    CODE,
    EXPORT_FORMAT,
    EXPORT_FORMAT_VERSION,
    export_version,
    import_version,
)
from followups.services.script_variables import sample_values, script_values, spoken_date

__all__ = [
    "CODE",
    "EDITABLE_NODE_FIELDS",
    "EXPORT_FORMAT",
    "EXPORT_FORMAT_VERSION",
    "NODE_ID_PREFIXES",
    "OBJECTION_FIELDS",
    "RESERVED_CODES",
    "SHAPE_FIELDS",
    "InvalidScript",
    "ScriptRow",
    "VersionRow",
    "add_node",
    "add_objection",
    "add_option",
    "connect_option",
    "create_script",
    "export_version",
    "import_version",
    "move_node",
    "new_draft",
    "publish",
    "remove_node",
    "remove_objection",
    "remove_option",
    "retire",
    "sample_values",
    "save_draft",
    "script_overview",
    "script_values",
    "set_start",
    "spoken_date",
    "starter_graph",
    "update_node",
    "update_objection",
    "update_option",
]

# --- Reads for the script pages -------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    version: ScriptVersion
    calls: int


@dataclass(frozen=True)
class ScriptRow:
    script: CallScript
    versions: list[VersionRow]
    plans: list[str]

    @property
    def published(self) -> ScriptVersion | None:
        return next((row.version for row in self.versions if row.version.is_published), None)

    @property
    def draft(self) -> ScriptVersion | None:
        return next(
            (
                row.version
                for row in self.versions
                if row.version.status == ScriptVersionStatus.DRAFT
            ),
            None,
        )


def script_overview(*, include_drafts: bool = True) -> list[ScriptRow]:
    """Every script with its versions (newest first), the calls made with each version and
    the plans whose steps use it: one query per table, whatever the number of scripts."""
    scripts = list(CallScript.objects.order_by("name"))
    versions = ScriptVersion.objects.select_related("published_by").order_by("-number")
    if not include_drafts:
        versions = versions.exclude(status=ScriptVersionStatus.DRAFT)
    calls = dict(
        CallAttempt.objects.filter(script_version__isnull=False)
        .values_list("script_version")
        .annotate(n=Count("pk"))
        .values_list("script_version", "n")
    )
    plans: dict[int, list[str]] = {}
    for script_id, plan_name in (
        PlanStep.objects.filter(script__isnull=False)
        .values_list("script_id", "plan__name")
        .distinct()
        .order_by("plan__name")
    ):
        plans.setdefault(script_id, []).append(plan_name)
    by_script: dict[int, list[VersionRow]] = {}
    for version in versions:
        by_script.setdefault(version.script_id, []).append(
            VersionRow(version, calls.get(version.pk, 0))
        )
    return [
        ScriptRow(script, by_script.get(script.pk, []), plans.get(script.pk, []))
        for script in scripts
    ]
