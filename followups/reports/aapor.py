"""AAPOR outcome rates from each task's final disposition (its last call's, kept on the task).

Standard Definitions (AAPOR): I complete, P partial, R refusal and break-off, NC
non-contact, O other, UH/UO unknown eligibility (we record no UO); NE is left out.
  RR1   = I / ((I+P) + (R+NC+O) + (UH+UO))
  COOP1 = I / ((I+P) + R + O)
  REF1  = R / ((I+P) + (R+NC+O) + (UH+UO))
  CON1  = ((I+P) + R + O) / ((I+P) + (R+NC+O) + (UH+UO))
"""

from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass

from django.db.models import Count, F
from django.utils.translation import gettext as _

from followups.models import AAPOR_GROUP_OF, AAPORGroup, CaseKind, Disposition

from . import due_days
from .due_days import FINAL_DISPOSITION, due_tasks
from .planning import without_jit, without_joins
from .scope import ReportScope
from .tables import Column, Kind, Table, share

RATE_NAMES = ["RR1", "COOP1", "REF1", "CON1"]


def rate_definitions() -> dict[str, str]:
    return {
        "RR1": _("Response rate 1: I / ((I+P) + (R+NC+O) + (UH+UO))"),
        "COOP1": _("Cooperation rate 1: I / ((I+P) + R + O)"),
        "REF1": _("Refusal rate 1: R / ((I+P) + (R+NC+O) + (UH+UO))"),
        "CON1": _("Contact rate 1: ((I+P) + R + O) / ((I+P) + (R+NC+O) + (UH+UO))"),
    }


def aapor_rates(groups: Counter) -> dict[str, float | None]:
    """The four rates from counts per AAPOR group; None where a denominator is zero."""
    i, p = groups[AAPORGroup.INTERVIEW], groups[AAPORGroup.PARTIAL]
    r, nc, o = groups[AAPORGroup.REFUSAL], groups[AAPORGroup.NON_CONTACT], groups[AAPORGroup.OTHER]
    uh, uo = groups[AAPORGroup.UNKNOWN_HOUSEHOLD], 0
    eligible_and_unknown = (i + p) + (r + nc + o) + (uh + uo)
    return {
        "RR1": share(i, eligible_and_unknown),
        "COOP1": share(i, (i + p) + r + o),
        "REF1": share(r, eligible_and_unknown),
        "CON1": share((i + p) + r + o, eligible_and_unknown),
    }


def groups_of(dispositions: Counter) -> Counter:
    groups: Counter = Counter()
    for disposition, count in dispositions.items():
        groups[AAPOR_GROUP_OF[Disposition(disposition)]] += count
    return groups


@dataclass
class AaporReport:
    scope: ReportScope
    dispositions: Counter
    groups: Counter
    rates: dict[str, float | None]
    not_called: int
    by_disposition: Table
    by_group: Table
    by_kind: Table

    @property
    def tables(self) -> list[Table]:
        return [self.by_group, self.by_disposition, self.by_kind]


@without_jit()
def aapor_report(*, scope: ReportScope) -> AaporReport:
    """The due tasks counted by case kind and final disposition: from the period's stored
    due days and the others' tasks (due_days.stored_outcomes), or all from its tasks."""
    tasks = due_tasks(scope)
    split = due_days.stored_outcomes(scope)
    rows: list[dict] = []
    if split is not None:
        ended, live = split
        tasks = tasks.filter(due_date__in=live)
        rows = [
            {"case__kind": outcome.kind, "final_disposition": outcome.disposition, "n": n}
            for outcome, n in ended.items()
        ]
    if split is None or live:
        counted = (
            tasks.annotate(final_disposition=F(FINAL_DISPOSITION))
            .values("case__kind", "final_disposition")
            .annotate(n=Count("case"))
            .order_by()
        )
        # A fortnight's tasks joined to their cases by index (planning.without_joins).
        with without_joins("hashjoin", "mergejoin") if split else nullcontext():
            rows += counted
    dispositions: Counter = Counter()
    per_kind: dict[str, Counter] = defaultdict(Counter)
    not_called = 0
    for row in rows:
        if not row["final_disposition"]:
            not_called += row["n"]
            continue
        dispositions[row["final_disposition"]] += row["n"]
        per_kind[row["case__kind"]][row["final_disposition"]] += row["n"]
    groups = groups_of(dispositions)
    rates = aapor_rates(groups)

    group_labels = dict(AAPORGroup.choices)
    by_group = Table(
        "by_group",
        _("Final dispositions by AAPOR group"),
        [
            Column("group", _("Group"), Kind.TEXT),
            Column("name", _("Meaning"), Kind.TEXT),
            Column("tasks", _("Tasks")),
        ],
        [[code, str(group_labels[code]), groups[code]] for code in AAPORGroup.values],
        note=_("NE (not eligible) is left out of every rate."),
    )
    by_disposition = Table(
        "by_disposition",
        _("Final dispositions"),
        [
            Column("disposition", _("Disposition"), Kind.TEXT),
            Column("group", _("AAPOR group"), Kind.TEXT),
            Column("tasks", _("Tasks")),
        ],
        [
            [str(label), AAPOR_GROUP_OF[Disposition(value)].value, dispositions[value]]
            for value, label in Disposition.choices
        ],
    )
    kind_labels = dict(CaseKind.choices)
    kind_rows = []
    for kind in sorted(per_kind, key=lambda k: str(kind_labels.get(k, k))):
        kind_rates = aapor_rates(groups_of(per_kind[kind]))
        kind_rows.append(
            [str(kind_labels.get(kind, kind)), sum(per_kind[kind].values())]
            + [kind_rates[name] for name in RATE_NAMES]
        )
    by_kind = Table(
        "by_kind",
        _("AAPOR rates by case kind"),
        [Column("kind", _("Case kind"), Kind.TEXT), Column("tasks", _("Tasks called"))]
        + [Column(name.lower(), name, Kind.SHARE) for name in RATE_NAMES],
        kind_rows,
    )
    return AaporReport(
        scope, dispositions, groups, rates, not_called, by_disposition, by_group, by_kind
    )
