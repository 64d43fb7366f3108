"""出院患者随访比例, the discharge follow-up indicator (one of the national quality indicators
of 2023): of the discharge cases whose discharge (anchor) date falls in the period, the share
whose person was reached on at least one call (complete or partial, on any channel, whenever
it was made); one count per case — one hospital stay — however many calls it had. By month
of discharge and by department.

The first reach is kept on the case by record_outcome (Case.reached_at), so the report is
one grouped query over the cases whatever the length of the period.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from followups.models import Case, CaseKind

from .planning import without_jit
from .scope import ReportScope
from .tables import Column, Kind, Table, share

DEPARTMENT = "patient__department_id"
DEPARTMENT_NAME = "patient__department__name"


def discharge_cases(scope: ReportScope) -> QuerySet[Case]:
    """The discharge cases of the period (by discharge date), inside the scope's filters."""
    return Case.objects.filter(
        kind=CaseKind.DISCHARGE, anchor_date__gte=scope.start, anchor_date__lte=scope.end
    ).filter(scope.case_filter(""))


def months_of(scope: ReportScope) -> list[dt.date]:
    """The first day of every month the period touches, in order."""
    month, months = scope.start.replace(day=1), []
    while month <= scope.end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class DischargeFollowUp:
    scope: ReportScope
    discharged: int
    followed_up: int
    by_month: Table
    by_department: Table

    @property
    def rate(self) -> float | None:
        return share(self.followed_up, self.discharged)

    @property
    def tables(self) -> list[Table]:
        return [self.by_month, self.by_department]


def _columns(first: Column) -> list[Column]:
    return [
        first,
        Column("discharged", _("Discharged patients")),
        Column("followed_up", _("Followed up")),
        Column("rate", _("Follow-up share"), Kind.SHARE),
    ]


def _rows(counts: dict) -> list[list]:
    return [
        [label, discharged, followed, share(followed, discharged)]
        for label, (discharged, followed) in counts.items()
    ]


@without_jit()
def discharge_follow_up(*, scope: ReportScope) -> DischargeFollowUp:
    """One query: the period's discharge cases counted by month of discharge and department,
    with those reached at least once."""
    groups = (
        discharge_cases(scope)
        .annotate(month=TruncMonth("anchor_date"))
        .values("month", DEPARTMENT, DEPARTMENT_NAME)
        .annotate(
            discharged=Count("pk"), followed_up=Count("pk", filter=Q(reached_at__isnull=False))
        )
        .order_by()
    )
    per_month: dict[dt.date, list[int]] = {month: [0, 0] for month in months_of(scope)}
    per_department: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in groups:
        month = row["month"]
        # TruncMonth of a date is a date; some backends hand back a datetime.
        month = month.date() if isinstance(month, dt.datetime) else month
        name = row[DEPARTMENT_NAME] if row[DEPARTMENT] is not None else _("No department")
        for cell in (per_month[month], per_department[name]):
            cell[0] += row["discharged"]
            cell[1] += row["followed_up"]
    discharged = sum(cell[0] for cell in per_month.values())
    followed_up = sum(cell[1] for cell in per_month.values())
    by_month = Table(
        "by_month",
        _("Discharge follow-up by month of discharge"),
        _columns(Column("month", _("Month of discharge"), Kind.TEXT)),
        _rows({month.strftime("%Y-%m"): cell for month, cell in per_month.items()}),
        note=_("A month at either end of the period counts only its days inside the period."),
    )
    by_department = Table(
        "by_department",
        _("Discharge follow-up by department"),
        _columns(Column("department", _("Department"), Kind.TEXT)),
        _rows(dict(sorted(per_department.items()))),
    )
    return DischargeFollowUp(scope, discharged, followed_up, by_month, by_department)
