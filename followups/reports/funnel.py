"""The reach funnel: due → called → reached, and why the others were not reached.

Every unreached due task gets one reason: from its last call's disposition when it was
called, else "no number recorded", "deceased" or "not called yet".
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _

from followups.models import Disposition

from . import due_days
from .due_days import CALLED, FINAL_DISPOSITION, REACHED_FIELD, due_tasks
from .planning import without_jit
from .scope import ReportScope
from .tables import Column, Kind, Table, share

# The reasons the seeds count the lost ones by, in their order; busy counts as no answer.
REASONS = [
    "no_number",
    "no_answer",
    "phone_off",
    "wrong_number",
    "refused",
    "family",
    "deceased",
    "callback",
    "not_called",
]
REASON_OF_DISPOSITION = {
    Disposition.NO_ANSWER: "no_answer",
    Disposition.BUSY: "no_answer",
    Disposition.PHONE_OFF: "phone_off",
    Disposition.WRONG_NUMBER: "wrong_number",
    Disposition.REFUSED: "refused",
    Disposition.FAMILY: "family",
    Disposition.DECEASED: "deceased",
    Disposition.CALLBACK: "callback",
}


def reason_labels() -> dict[str, str]:
    return {
        "no_number": _("No number recorded"),
        "no_answer": _("No answer or busy"),
        "phone_off": _("Phone off or suspended"),
        "wrong_number": _("Wrong or empty number"),
        "refused": _("Refused"),
        "family": _("A family member answered"),
        "deceased": _("Deceased"),
        "callback": _("Callback booked, not yet made"),
        "not_called": _("Not called yet"),
    }


def unreached_reason(row: dict) -> str:
    """A death on record comes before a missing number, which comes before "not yet"."""
    if row["called"]:
        return REASON_OF_DISPOSITION.get(row["final_disposition"], "not_called")
    if row["died"]:
        return "deceased"
    if row["no_phone"]:
        return "no_number"
    return "not_called"


@dataclass
class Funnel:
    scope: ReportScope
    due: int
    called: int
    reached: int
    unreached: dict[str, int]
    stages: Table
    reasons: Table

    @property
    def tables(self) -> list[Table]:
        return [self.stages, self.reasons]


def _groups_of(tasks) -> list[dict]:
    """Two grouped queries: the due tasks counted by called, reached and final disposition
    from the task index alone (task_due_facts_idx; counted by case, which it holds), and
    the tasks not called yet by what the customer's record says (no phone, died) — only
    those need the person's record."""
    called_groups = (
        tasks.annotate(
            called=ExpressionWrapper(CALLED, BooleanField()),
            final_disposition=F(FINAL_DISPOSITION),
        )
        .values("called", REACHED_FIELD, "final_disposition")
        .annotate(n=Count("case"))
        .order_by()
    )
    not_called = (
        tasks.exclude(CALLED)
        .annotate(
            no_phone=ExpressionWrapper(Q(case__customer__phone=""), BooleanField()),
            died=ExpressionWrapper(Q(case__patient__died_on__isnull=False), BooleanField()),
        )
        .values("no_phone", "died")
        .annotate(n=Count("case"))
        .order_by()
    )
    return [row for row in called_groups if row["called"]] + [
        {"called": False, "reached": False, "final_disposition": "", **row} for row in not_called
    ]


@without_jit()
def reach_funnel(*, scope: ReportScope) -> Funnel:
    """The due tasks by where they ended: from the period's stored due days and the
    others' tasks (due_days.stored_outcomes), or from all its tasks (_groups_of)."""
    tasks = due_tasks(scope)
    split = due_days.stored_outcomes(scope)
    if split is None:
        groups = _groups_of(tasks)
    else:
        ended, live = split
        groups = _groups_of(tasks.filter(due_date__in=live)) if live else []
        groups += [
            {
                "called": outcome.called,
                "reached": outcome.reached,
                "final_disposition": outcome.disposition,
                "no_phone": outcome.no_phone,
                "died": outcome.died,
                "n": n,
            }
            for outcome, n in ended.items()
        ]
    due = called = reached = 0
    unreached = dict.fromkeys(REASONS, 0)
    for row in groups:
        due += row["n"]
        if row["called"]:
            called += row["n"]
        if row["reached"]:
            reached += row["n"]
        else:
            unreached[unreached_reason(row)] += row["n"]
    stages = Table(
        "stages",
        _("Reach funnel"),
        [
            Column("stage", _("Stage"), Kind.TEXT),
            Column("tasks", _("Tasks")),
            Column("share", _("Share of due"), Kind.SHARE),
        ],
        [
            [_("Due tasks"), due, share(due, due)],
            [_("Called"), called, share(called, due)],
            [_("Reached"), reached, share(reached, due)],
        ],
    )
    total_unreached = due - reached
    labels = reason_labels()
    reasons = Table(
        "unreached",
        _("Why the others were not reached"),
        [
            Column("reason", _("Reason"), Kind.TEXT),
            Column("tasks", _("Tasks")),
            Column("share_unreached", _("Share of unreached"), Kind.SHARE),
            Column("share_due", _("Share of due"), Kind.SHARE),
        ],
        [
            [labels[reason], count, share(count, total_unreached), share(count, due)]
            for reason, count in unreached.items()
        ],
    )
    return Funnel(scope, due, called, reached, unreached, stages, reasons)
