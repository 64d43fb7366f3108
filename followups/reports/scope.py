"""What a report covers: a period of local days, optionally one department or case kind."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from followups.roles import REVIEW_OUTCOMES


@dataclass(frozen=True)
class ReportScope:
    """``start`` to ``end``, both included, in the center's local days."""

    start: dt.date
    end: dt.date
    department_id: int | None = None
    case_kind: str = ""
    # The departments the reader may see (a department head's, departments_seen_by); None:
    # every department.
    departments: frozenset[int] | None = None

    @classmethod
    def last_days(cls, *, today: dt.date, days: int = 30, **filters) -> "ReportScope":
        return cls(start=today - dt.timedelta(days=days - 1), end=today, **filters)

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes [from, until), for index-friendly range filters."""
        zone = timezone.get_default_timezone()  # the centre's days, as clock.center_day
        since = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return since, until

    @property
    def counted_by_day(self) -> bool:
        """Nothing narrows the period to departments or a case kind (no case filter), so the
        day figures (models/report_days.py) hold what the calls and tasks would give."""
        return not self.case_filter("")

    def day_figures(self, model) -> QuerySet:
        """The rows of a day-figures table (CallDay, ScriptStepDay) inside the period."""
        return model.objects.filter(day__gte=self.start, day__lte=self.end)

    def case_filter(self, prefix: str) -> Q:
        """The department and case-kind filters, on the case reached through ``prefix``."""
        condition = Q()
        if self.departments is not None:
            condition &= Q(**{f"{prefix}patient__department_id__in": self.departments})
        if self.department_id:
            condition &= Q(**{f"{prefix}patient__department_id": self.department_id})
        if self.case_kind:
            condition &= Q(**{f"{prefix}kind": self.case_kind})
        return condition

    def attempts_filter(self, prefix: str = "") -> Q:
        """Calls started inside the period, of cases inside the filters."""
        since, until = self.moments()
        return Q(**{f"{prefix}started_at__gte": since, f"{prefix}started_at__lt": until}) & (
            self.case_filter(f"{prefix}task__case__")
        )


def departments_seen_by(user) -> frozenset[int] | None:
    """The departments whose calls, reviews, escalations and reports `user` may read: every
    one (None) for those who review outcomes (supervisors, admins); a department head only
    the departments they head. The one place the department head's scope is decided."""
    if user.has_perm(REVIEW_OUTCOMES):
        return None
    return frozenset(user.headed_departments.values_list("pk", flat=True))


def within_departments(queryset: QuerySet, departments: frozenset[int] | None, path: str):
    """`queryset` narrowed to the departments (`path`: the lookup to the department id from
    its rows, e.g. "task__case__patient__department_id")."""
    if departments is None:
        return queryset
    return queryset.filter(**{f"{path}__in": departments})
