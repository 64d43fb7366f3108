"""What a report covers: a period of local days, optionally one department or case kind."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class ReportScope:
    """``start`` to ``end``, both included, in the center's local days."""

    start: dt.date
    end: dt.date
    department_id: int | None = None
    case_kind: str = ""

    @classmethod
    def last_days(cls, *, today: dt.date, days: int = 30, **filters) -> "ReportScope":
        return cls(start=today - dt.timedelta(days=days - 1), end=today, **filters)

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes [from, until), for index-friendly range filters."""
        zone = timezone.get_current_timezone()
        since = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return since, until

    def case_filter(self, prefix: str) -> Q:
        """The department and case-kind filters, on the case reached through ``prefix``."""
        condition = Q()
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
