"""What customers said: satisfaction (满意/一般/不满意/差) by department, doctor, nurse and
agent, staff assessment against the thresholds of settings.HUIFANG_ASSESSMENT, and the
complaints and praise heard on the calls.

The satisfied share is 满意 / rated calls; a call counts once it has a satisfaction answer.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from followups.models import CallAttempt, CallDay, Satisfaction

from .planning import without_jit
from .reach import agent_names
from .scope import ReportScope
from .tables import Column, Kind, Table, local_minute, share, user_name

LEVELS = [s.value for s in Satisfaction]
LIST_LENGTH = 50
# The patient record each call kept (record_outcome copies the case's): the calls are
# grouped by it without going through task and case.
DEPARTMENT = "patient__department__name"


@dataclass(frozen=True)
class Assessment:
    min_sample: int
    good: float
    poor: float

    @classmethod
    def from_settings(cls) -> "Assessment":
        return cls(**getattr(settings, "HUIFANG_ASSESSMENT", {}))

    def verdict(self, satisfied: int, rated: int) -> str:
        if rated < self.min_sample:
            return _("Too few calls")
        satisfied_share = satisfied / rated
        if satisfied_share >= self.good:
            return _("Good")
        if satisfied_share < self.poor:
            return _("Poor")
        return _("Fair")


def rated_calls(scope: ReportScope) -> QuerySet[CallAttempt]:
    return CallAttempt.objects.filter(scope.attempts_filter()).exclude(satisfaction="")


@without_jit()
def satisfaction_totals(*, scope: ReportScope) -> dict[str, int]:
    """Rated calls per level, in the order 满意, 一般, 不满意, 差 (one query)."""
    if scope.counted_by_day:
        sums = scope.day_figures(CallDay).aggregate(
            **{f"n_{level}": Sum(level) for level in LEVELS}
        )
        return {level: sums[f"n_{level}"] or 0 for level in LEVELS}
    counts = dict(
        rated_calls(scope)
        .values("satisfaction")
        .annotate(n=Count("satisfaction"))
        .order_by()
        .values_list("satisfaction", "n")
    )
    return {level: counts.get(level, 0) for level in LEVELS}


@dataclass
class SatisfactionReport:
    scope: ReportScope
    assessment: Assessment
    totals: dict[str, int]
    by_department: Table
    by_doctor: Table
    by_nurse: Table
    by_agent: Table
    complaints: Table
    praise: Table
    complaint_count: int
    praise_count: int

    @property
    def rated(self) -> int:
        return sum(self.totals.values())

    @property
    def tables(self) -> list[Table]:
        return [
            self.by_department,
            self.by_doctor,
            self.by_nurse,
            self.by_agent,
            self.complaints,
            self.praise,
        ]


def _staff_table(
    key: str, title: str, first: Column, counts: dict, assessment: Assessment
) -> Table:
    labels = dict(Satisfaction.choices)
    columns = [first, Column("rated", _("Rated calls"))]
    columns += [Column(level, str(labels[level])) for level in LEVELS]
    columns += [
        Column("satisfied_share", _("Satisfied share"), Kind.SHARE),
        Column("assessment", _("Assessment"), Kind.TEXT),
    ]
    rows = []
    for name in sorted(counts):
        per_level = counts[name]
        rated = sum(per_level.values())
        satisfied = per_level[Satisfaction.SATISFIED]
        rows.append(
            [name, rated]
            + [per_level[level] for level in LEVELS]
            + [share(satisfied, rated), assessment.verdict(satisfied, rated)]
        )
    note = _(
        "Good: satisfied share at least %(good)s; poor: below %(poor)s; nobody is judged on "
        "fewer than %(min)s rated calls."
    ) % {
        "good": f"{assessment.good:.0%}",
        "poor": f"{assessment.poor:.0%}",
        "min": assessment.min_sample,
    }
    return Table(key, title, columns, rows, note=note)


DOCTOR = "patient__attending_doctor"
NURSE = "patient__responsible_nurse"


def _roll_up(rows: list[dict], *fields: str) -> dict:
    """Rated calls per level, keyed by the value of ``fields`` (a tuple when several)."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = tuple(row[field] for field in fields) if len(fields) > 1 else row[fields[0]]
        counts[key][row["satisfaction"]] += row["n"]
    return counts


def _named(counts: dict, blank: str) -> dict:
    return {(name or blank): levels for name, levels in counts.items()}


def _staff_named(counts: dict, blank: str) -> dict:
    """Doctors and nurses are names on the patient record: the same name in two
    departments is two people, so each is shown with their department."""
    named: dict = defaultdict(lambda: defaultdict(int))
    for (department, person), levels in counts.items():
        label = f"{person or blank} · {department or _('No department')}"
        for level, n in levels.items():
            named[label][level] += n
    return named


def _remarks_table(key: str, title: str, calls: QuerySet, count: int, length: int | None):
    labels = dict(Satisfaction.choices)
    columns = [
        Column("call", _("Call"), Kind.CALL),
        Column("when", _("When"), Kind.TEXT),
        Column("department", _("Department"), Kind.TEXT),
        Column("doctor", _("Attending doctor"), Kind.TEXT),
        Column("nurse", _("Responsible nurse"), Kind.TEXT),
        Column("agent", _("Agent"), Kind.TEXT),
        Column("satisfaction", _("Satisfaction"), Kind.TEXT),
        Column("notes", _("What the customer said"), Kind.TEXT),
    ]
    rows = []
    for call in calls if length is None else calls[:length]:
        patient = call.task.case.patient
        rows.append(
            [
                call.pk,
                local_minute(call.started_at),
                patient.department.name if patient else "",
                patient.attending_doctor if patient else "",
                patient.responsible_nurse if patient else "",
                user_name(call.agent),
                str(labels[call.satisfaction]),
                call.notes,
            ]
        )
    note = ""
    if length is not None and count > length:
        note = _("The latest %(shown)s of %(count)s; the export has them all.") % {
            "shown": length,
            "count": count,
        }
    return Table(key, title, columns, rows, note=note)


@without_jit()
def satisfaction_report(
    *, scope: ReportScope, list_length: int | None = LIST_LENGTH
) -> SatisfactionReport:
    """Three grouped queries (the patient's side, the agents, the remarks), the agents'
    names and two lists holding the latest ``list_length`` remarks (all of them when None,
    for exports). The grouped ones read the indexes attempt_rated_idx and
    attempt_remarks_idx (rated calls, and those with a remark) rather than the call rows:
    counted by a column those hold, filtered as their conditions say."""
    assessment = Assessment.from_settings()
    calls = rated_calls(scope)
    # One pass over the rated calls for the patient's side (department, doctor, nurse),
    # one for the agents, one over the remarks.
    staff_rows = list(
        calls.values(DEPARTMENT, DOCTOR, NURSE, "satisfaction")
        .annotate(n=Count("satisfaction"))
        .order_by()
    )
    department_counts = _roll_up(staff_rows, DEPARTMENT)
    totals = {level: 0 for level in LEVELS}
    for levels in department_counts.values():
        for level, n in levels.items():
            totals[level] += n
    agent_counts = _roll_up(
        list(calls.values("agent_id", "satisfaction").annotate(n=Count("satisfaction")).order_by()),
        "agent_id",
    )
    names = agent_names(agent_counts)
    counts = {
        "department": _named(department_counts, _("No department")),
        "doctor": _staff_named(_roll_up(staff_rows, DEPARTMENT, DOCTOR), _("Not recorded")),
        "nurse": _staff_named(_roll_up(staff_rows, DEPARTMENT, NURSE), _("Not recorded")),
        "agent": {names.get(pk, str(pk)): levels for pk, levels in agent_counts.items()},
    }
    by_department, by_doctor, by_nurse, by_agent = (
        _staff_table(f"by_{who}", title, Column(who, heading, Kind.TEXT), counts[who], assessment)
        for who, title, heading in [
            ("department", _("Satisfaction by department"), _("Department")),
            ("doctor", _("Satisfaction by attending doctor"), _("Attending doctor")),
            ("nurse", _("Satisfaction by responsible nurse"), _("Responsible nurse")),
            ("agent", _("Satisfaction by agent"), _("Agent")),
        ]
    )
    with_notes = calls.exclude(notes="").select_related(
        "agent", "task__case__customer", "task__case__patient__department"
    )
    complaints = with_notes.filter(
        satisfaction__in=[Satisfaction.DISSATISFIED, Satisfaction.POOR]
    ).order_by("-started_at", "pk")
    praise = with_notes.filter(satisfaction=Satisfaction.SATISFIED).order_by("-started_at", "pk")
    noted = dict(
        with_notes.values("satisfaction")
        .annotate(n=Count("satisfaction"))
        .order_by()
        .values_list("satisfaction", "n")
    )
    complaint_count = noted.get(Satisfaction.DISSATISFIED, 0) + noted.get(Satisfaction.POOR, 0)
    praise_count = noted.get(Satisfaction.SATISFIED, 0)
    return SatisfactionReport(
        scope=scope,
        assessment=assessment,
        totals=totals,
        by_department=by_department,
        by_doctor=by_doctor,
        by_nurse=by_nurse,
        by_agent=by_agent,
        complaints=_remarks_table(
            "complaints",
            _("Complaints: dissatisfied or poor, with what was said"),
            complaints,
            complaint_count,
            list_length,
        ),
        praise=_remarks_table(
            "praise",
            _("Praise: satisfied, with what was said"),
            praise,
            praise_count,
            list_length,
        ),
        complaint_count=complaint_count,
        praise_count=praise_count,
    )
