"""The script funnel of a script version: how many calls reached each node, where calls
ended, which objections were raised how often; two versions side by side."""

import re
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from followups.models import CallAttempt, CallDay, ScriptAnswer, ScriptStepDay
from followups.models.calls import REACHED_DISPOSITIONS
from scripts.graph.schema import PLACEHOLDER, VARIABLE_LABELS
from scripts.models import ScriptVersion

from .planning import without_jit
from .scope import ReportScope
from .tables import Column, Kind, Table, share

TEXT_PREVIEW = 60
# The example in a variable's label: "客户称呼（张先生）", "customer's honorific (张先生)".
EXAMPLE = re.compile(r"\s*[（(][^）)]*[）)]")


def readable(text: str) -> str:
    """A script text with its {placeholders} as readable tokens: {customer.honorific} reads
    〔客户称呼〕 (the variable's label without its example), an unknown one stays as it is."""

    def token(match: re.Match) -> str:
        label = VARIABLE_LABELS.get(match.group(1))
        if label is None:
            return match.group(0)
        return f"〔{EXAMPLE.sub('', str(label)).strip()}〕"

    return PLACEHOLDER.sub(token, text) if isinstance(text, str) else ""


def node_texts(graph: dict) -> dict[str, str]:
    """Node and objection ids → what the agent reads, or the objection's label (shortened,
    placeholders readable), in graph order."""
    texts = {}
    for node in graph.get("nodes", []):
        texts[node.get("id", "")] = node.get("label") or node.get("text", "")
    for objection in graph.get("objections", []):
        texts[objection.get("id", "")] = objection.get("label") or objection.get("text", "")
    texts = {node_id: readable(text) for node_id, text in texts.items()}
    return {
        node_id: text if len(text) <= TEXT_PREVIEW else text[: TEXT_PREVIEW - 1] + "…"
        for node_id, text in texts.items()
    }


def objection_ids(graph: dict) -> list[str]:
    return [objection.get("id", "") for objection in graph.get("objections", [])]


def node_ids(graph: dict) -> list[str]:
    return [node.get("id", "") for node in graph.get("nodes", [])]


@dataclass
class VersionFunnel:
    version: ScriptVersion
    calls: int
    calls_with_path: int
    reached: dict[str, int]  # node id → calls that reached it
    ended: dict[str, int]  # node id → calls whose path ended there
    objections: dict[str, int]  # objection id → times raised


def _stored_funnel(version: ScriptVersion, scope: ReportScope) -> VersionFunnel:
    """version_funnel from the day figures record_outcome keeps: the version's calls
    (version_counts), and its steps by node (calls reaching it, times visited, calls ending
    there)."""
    calls = version_counts(scope).get(version.pk, {"calls": 0})["calls"]
    steps = (
        scope.day_figures(ScriptStepDay)
        .filter(script_version=version)
        .values("node_id", "is_objection")
        .annotate(reached=Sum("calls"), visits=Sum("times"), last=Sum("ended"))
        .order_by()
    )
    reached, ended, objections = {}, {}, {}
    for step in steps:
        if step["is_objection"]:
            objections[step["node_id"]] = step["visits"]
        else:
            reached[step["node_id"]] = step["reached"]
        if step["last"]:
            ended[step["node_id"]] = ended.get(step["node_id"], 0) + step["last"]
    return VersionFunnel(
        version=version,
        calls=calls,
        calls_with_path=sum(ended.values()),
        reached=reached,
        ended=ended,
        objections=objections,
    )


def version_funnel(*, version: ScriptVersion, scope: ReportScope) -> VersionFunnel:
    """Two queries for one version: its calls counted by the last node of their path (no
    node: the script never started), and the steps counted by node; from the day figures
    when nothing narrows the period to departments or a case kind."""
    if scope.counted_by_day:
        return _stored_funnel(version, scope)
    last_node = (
        ScriptAnswer.objects.filter(attempt=OuterRef("pk"))
        .order_by("-position")
        .values("node_id")[:1]
    )
    ended = dict(
        CallAttempt.objects.filter(scope.attempts_filter(), script_version=version)
        .annotate(last_node=Subquery(last_node))
        .values("last_node")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("last_node", "n")
    )
    steps = (
        ScriptAnswer.objects.filter(
            scope.attempts_filter("attempt__"), attempt__script_version=version
        )
        .values("node_id", "is_objection")
        .annotate(calls=Count("attempt_id", distinct=True), times=Count("pk"))
        .order_by()
    )
    reached, objections = {}, {}
    for step in steps:
        if step["is_objection"]:
            objections[step["node_id"]] = step["times"]
        else:
            reached[step["node_id"]] = step["calls"]
    without_path = ended.pop(None, 0)
    return VersionFunnel(
        version=version,
        calls=sum(ended.values()) + without_path,
        calls_with_path=sum(ended.values()),
        reached=reached,
        ended=ended,
        objections=objections,
    )


@dataclass
class ScriptComparison:
    scope: ReportScope
    funnels: list[VersionFunnel]
    nodes: Table
    objections: Table

    @property
    def tables(self) -> list[Table]:
        return [self.nodes, self.objections]


def _ordered_ids(funnels: list[VersionFunnel], ids_of, counted) -> list[str]:
    """Ids in the first version's graph order, then the second's new ones, then any id
    the calls recorded that no graph names."""
    seen: dict[str, None] = {}
    for funnel in funnels:
        for node_id in ids_of(funnel.version.graph):
            seen.setdefault(node_id, None)
    for funnel in funnels:
        for node_id in counted(funnel):
            seen.setdefault(node_id, None)
    return list(seen)


@without_jit()
def compare_versions(*, versions: list[ScriptVersion], scope: ReportScope) -> ScriptComparison:
    """Nodes and objections of up to two versions side by side."""
    funnels = [version_funnel(version=version, scope=scope) for version in versions]
    texts: dict[str, str] = {}
    for funnel in reversed(funnels):
        texts.update(node_texts(funnel.version.graph))

    node_columns = [Column("node", _("Node"), Kind.TEXT), Column("text", _("Text"), Kind.TEXT)]
    # An objection: its code in the script, and what the customer says (its label).
    objection_columns = [
        Column("node", _("Objection code"), Kind.TEXT),
        Column("text", _("Objection"), Kind.TEXT),
    ]
    for funnel in funnels:
        name = f"v{funnel.version.number}"
        node_columns += [
            Column(f"{name}_reached", _("%(v)s: calls reaching it") % {"v": name}),
            Column(f"{name}_share", _("%(v)s: share of calls") % {"v": name}, Kind.SHARE),
            Column(f"{name}_ended", _("%(v)s: calls ending here") % {"v": name}),
        ]
        objection_columns += [
            Column(f"{name}_raised", _("%(v)s: times raised") % {"v": name}),
            Column(f"{name}_per_call", _("%(v)s: per 100 calls") % {"v": name}, Kind.NUMBER),
            Column(f"{name}_ended", _("%(v)s: calls ending here") % {"v": name}),
        ]
    objection_set = {oid for funnel in funnels for oid in objection_ids(funnel.version.graph)}
    objection_set |= {oid for funnel in funnels for oid in funnel.objections}
    node_rows = []
    for node_id in _ordered_ids(
        funnels,
        node_ids,
        lambda f: [n for n in [*f.reached, *f.ended] if n not in objection_set],
    ):
        row = [node_id, texts.get(node_id, "")]
        for funnel in funnels:
            count = funnel.reached.get(node_id, 0)
            row += [count, share(count, funnel.calls), funnel.ended.get(node_id, 0)]
        node_rows.append(row)
    objection_rows = []
    for objection_id in _ordered_ids(funnels, objection_ids, lambda f: list(f.objections)):
        row = [objection_id, texts.get(objection_id, "")]
        for funnel in funnels:
            raised = funnel.objections.get(objection_id, 0)
            per_call = share(raised, funnel.calls)
            row += [
                raised,
                per_call * 100 if per_call is not None else None,
                funnel.ended.get(objection_id, 0),
            ]
        objection_rows.append(row)
    title = " / ".join(str(funnel.version) for funnel in funnels)
    return ScriptComparison(
        scope=scope,
        funnels=funnels,
        nodes=Table(
            "nodes",
            _("Script funnel: %(versions)s") % {"versions": title},
            node_columns,
            node_rows,
            note=_(
                "Share of calls: calls of the version in the period that reached the node. "
                "Calls that ended before the script started (no answer, busy …) reach no node."
            ),
        ),
        objections=Table(
            "objections",
            _("Objections raised: %(versions)s") % {"versions": title},
            objection_columns,
            objection_rows,
        ),
    )


def version_counts(scope: ReportScope) -> dict[int, dict]:
    """Each script version used in the period: its attempts (one per follow-up a call
    settled on it) and those that reached the person. One query: from the day figures when
    nothing narrows the period, else the calls counted by version alone (grouping a year of
    calls by the script's name and number as well, joined to each call, took half as long
    again)."""
    if scope.counted_by_day:
        rows = (
            scope.day_figures(CallDay)
            .filter(script_version__isnull=False)
            .values("script_version_id")
            .annotate(calls=Sum("attempts"), reached=Sum("reached_attempts"))
        )
    else:
        rows = (
            CallAttempt.objects.filter(scope.attempts_filter(), script_version__isnull=False)
            .values("script_version_id")
            .annotate(
                calls=Count("*"),
                reached=Count("disposition", filter=Q(disposition__in=REACHED_DISPOSITIONS)),
            )
        )
    return {row["script_version_id"]: row for row in rows.order_by()}


@without_jit()
def version_summary(*, scope: ReportScope) -> Table:
    """Each script version used in the period: follow-ups called on it and the share that
    reached the person (version_counts), then the versions' names."""
    counts = version_counts(scope)
    versions = script_versions().filter(pk__in=counts)
    return Table(
        "versions",
        _("Script versions in use"),
        [
            Column("version", _("Script version"), Kind.TEXT),
            Column("calls", _("Follow-ups called")),
            Column("reached", _("Reached the person")),
            Column("share", _("Reached share (by follow-up called)"), Kind.SHARE),
        ],
        [
            [
                f"{version.script.name} v{version.number}",
                counts[version.pk]["calls"],
                counts[version.pk]["reached"],
                share(counts[version.pk]["reached"], counts[version.pk]["calls"]),
            ]
            for version in versions
        ],
    )


def opening_version(versions: list[ScriptVersion], scope: ReportScope) -> ScriptVersion:
    """The version the script funnel opens on when none is asked for: the published one
    called most in the period and filters (a department's view opens on a script it uses),
    else the first published one; without published versions, the first of ``versions``."""
    published = [version for version in versions if version.is_published] or versions
    used = version_counts(scope)
    return max(published, key=lambda version: used.get(version.pk, {}).get("calls", 0))


def script_versions() -> QuerySet[ScriptVersion]:
    return ScriptVersion.objects.select_related("script").order_by("script__name", "-number")
