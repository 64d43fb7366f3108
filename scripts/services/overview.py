"""The reads behind the script pages: every script with its versions, the calls made with
each version and the plans that use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from followups.models import CallAttempt, PlanStep
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus


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
