"""回访率, the follow-up rate: of the tasks due in a period, how many people were reached;
per day, department, agent and case kind; and the same for people.

"Due" are the tasks whose due date falls in the period, except tasks cancelled before any
call was made (plan changed, case closed first). "Reached" are those with at least one
call whose disposition is reached (complete or partial), whenever that call was made.
"Window missed" are those whose follow-up window passed with nobody reached.

One call to a person settles every follow-up of theirs that is due, so the task counts
stay per task (a person with two cases reached on one call: two tasks reached), and the
people figures say how many different people that was: people due (with at least one due
task), called and reached (at least one of their due tasks reached).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from followups.models import CaseKind, Department

from . import due_days
from .due_days import CALLED, FINAL_AGENT, REACHED, any_of, counted, due_tasks
from .planning import without_jit, without_joins
from .scope import ReportScope
from .tables import Column, Kind, Table, share, user_name


@dataclass
class ReachReport:
    scope: ReportScope
    due: int
    called: int
    reached: int
    window_missed: int  # follow-up windows that passed with nobody reached
    people_due: int  # different people with a task due in the period
    people_called: int  # of those, people with at least one due task called
    people_reached: int  # of those, people with at least one due task reached
    totals: Table
    by_day: Table
    by_department: Table
    by_agent: Table
    by_kind: Table

    @property
    def rate(self) -> float | None:
        return share(self.reached, self.due)

    @property
    def people_rate(self) -> float | None:
        return share(self.people_reached, self.people_due)

    @property
    def tables(self) -> list[Table]:
        return [self.totals, self.by_day, self.by_department, self.by_agent, self.by_kind]


def _rate_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("due", _("Due tasks")),
        Column("called", _("Called")),
        Column("reached", _("Reached")),
        Column("window_missed", _("Window missed")),
        Column("rate", _("Follow-up rate"), Kind.SHARE),
    ]


def _table(key: str, title: str, first: Column, totals: dict) -> Table:
    """One row a label, in the order given."""
    rows = [
        [label, due, called, reached, missed, share(reached, due)]
        for label, (due, called, reached, missed) in totals.items()
    ]
    return Table(key, title, _rate_columns(first), rows)


# The due tasks grouped by case (from the index task_due_facts_idx), then through each case
# to its person, department and kind: per department and kind the task counts, and per
# person whether any due task was called or reached, counted. One pass over the tasks and
# one join of their cases for both (a year at 1M calls: 2.0 s as two joined passes).
_BY_CASE = """
WITH per_case AS MATERIALIZED (
    SELECT c.customer_id, p.department_id, d.name AS department, c.kind, t.*
    FROM ({tasks}) t
    JOIN followups_case c ON c.id = t.case_id
    LEFT JOIN followups_patient p ON p.id = c.patient_id
    LEFT JOIN followups_department d ON d.id = p.department_id
)
SELECT false, department_id, department, kind,
    sum(due), sum(called_n), sum(reached_n), sum(missed_n)
FROM per_case GROUP BY department_id, department, kind
UNION ALL
SELECT true, NULL, NULL, NULL, count(*), sum(called_any), sum(reached_any), 0
FROM (
    SELECT max(called_any) AS called_any, max(reached_any) AS reached_any
    FROM per_case GROUP BY customer_id
) people
"""


def _by_department_and_people(tasks: QuerySet) -> tuple[list[dict], dict[str, int]]:
    """The due tasks per department and case kind (due, called, reached, window missed),
    and the different people behind them (due, called, reached): one query, and on
    PostgreSQL one before and one after it to plan it (planning.without_joins)."""
    per_case = counted(tasks, "case_id").annotate(
        called_any=any_of(CALLED), reached_any=any_of(REACHED)
    )
    statement, params = per_case.query.sql_with_params()
    rows, people = [], {"due": 0, "called": 0, "reached": 0}
    # In case order from the covering indexes of the tasks, the cases and the patients
    # (task_case_status_idx, case_facts_idx, patient_department_idx), merged rather than
    # hashed: a year at 1M calls, 1.6 s → 0.8 s.
    with without_joins("hashjoin"), connection.cursor() as cursor:
        # The ORM's own statement, its values bound as parameters; the ORM cannot group
        # twice.
        cursor.execute(_BY_CASE.format(tasks=statement), params)
        fetched = cursor.fetchall()
    for is_people, department_id, name, kind, *counts in fetched:
        counts = [int(count or 0) for count in counts]
        if is_people:
            people = dict(zip(["due", "called", "reached"], counts[:3], strict=True))
        else:
            rows.append(
                {"department_id": department_id, "name": name, "kind": kind, "counts": counts}
            )
    return rows, people


def _totals_table(*, tasks: tuple[int, int, int], people: dict[str, int]) -> Table:
    due, called, reached = tasks
    return Table(
        "totals",
        _("Tasks and people"),
        [
            Column("counted", _("Counted"), Kind.TEXT),
            Column("due", pgettext("tasks or people", "Due")),
            Column("called", _("Called")),
            Column("reached", _("Reached")),
            Column("rate", _("Reached share"), Kind.SHARE),
        ],
        [
            [_("Follow-up tasks"), due, called, reached, share(reached, due)],
            [
                _("People"),
                people["due"],
                people["called"],
                people["reached"],
                share(people["reached"], people["due"]),
            ],
        ],
        note=_(
            "One call to a person settles all of their follow-ups that are due: a person with "
            "two cases reached on one call counts two tasks and one person."
        ),
    )


# Per dimension (day, agent, department, kind) its values' counts: due, called, reached,
# window missed.
Sums = dict[str, dict]


def _new_sums() -> Sums:
    dimensions = ["day", "agent", "department", "kind"]
    return {name: defaultdict(lambda: [0, 0, 0, 0]) for name in dimensions}


def _add(sums: Sums, pairs, counts) -> None:
    for name, value in pairs:
        cell = sums[name][value]
        for position, count in enumerate(counts):
            cell[position] += count


def _counted_in_the_database(tasks: QuerySet) -> tuple[Sums, dict, dict[str, int]]:
    """The sums, department names and people counted from the tasks in the database, by
    two grouped queries (one query grouped by all four makes nearly a group a task over
    a year)."""
    sums = _new_sums()
    for row in counted(tasks, "due_date", FINAL_AGENT):
        counts = (row["due"], row["called_n"], row["reached_n"], row["missed_n"])
        _add(sums, [("day", row["due_date"]), ("agent", row[FINAL_AGENT])], counts)
    department_rows, people = _by_department_and_people(tasks)
    department_names = {}
    for row in department_rows:
        department_names[row["department_id"]] = row["name"]
        _add(sums, [("department", row["department_id"]), ("kind", row["kind"])], row["counts"])
    return sums, department_names, people


def _summed(days: dict) -> tuple[Sums, dict, dict[str, int]]:
    """The same from each due day's counts (due_days.DayCounts, stored or counted)."""
    sums = _new_sums()
    people_due, people_called, people_reached = set(), set(), set()
    for day, counts in days.items():
        for agent, cell in counts.agents.items():
            _add(sums, [("day", day), ("agent", agent)], cell)
        for (department, kind), cell in counts.departments.items():
            _add(sums, [("department", department), ("kind", kind)], cell)
        people_due.update(counts.people_due)
        people_called.update(counts.people_called)
        people_reached.update(counts.people_reached)
    department_names = dict(
        Department.objects.filter(
            pk__in=[pk for pk in sums["department"] if pk is not None]
        ).values_list("pk", "name")
    )
    people = {"due": len(people_due), "called": len(people_called), "reached": len(people_reached)}
    return sums, department_names, people


@without_jit()
def follow_up_rate(*, scope: ReportScope) -> ReachReport:
    """The due tasks counted by due day and last agent, department and case kind, and the
    people behind them; rolled up by each dimension here. Over a period the due days'
    stored counts mostly cover (due_days.py): those, and the other days counted from their
    tasks; otherwise two grouped queries over the period's tasks. Constant query counts
    whatever the size of the period."""
    tasks = due_tasks(scope)
    split = due_days.split_period(scope)
    if split is not None:
        stored, live = split
        counted = due_days.counted_days(tasks, live, outcomes=False)
        sums, department_names, people = _summed(stored | counted)
    else:
        sums, department_names, people = _counted_in_the_database(tasks)
    due, called, reached, missed = (
        sum(cell[position] for cell in sums["day"].values()) for position in range(4)
    )

    names = agent_names(pk for pk in sums["agent"] if pk is not None)
    kind_labels = dict(CaseKind.choices)
    # How each dimension's values read in its table; the days keep the period's order, the
    # others are sorted by label, with no department and not called yet last.
    labels = {
        "day": lambda day: day.isoformat(),
        "department": lambda pk: department_names[pk] if pk is not None else _("No department"),
        "agent": lambda pk: names.get(pk, str(pk)) if pk is not None else _("Not called yet"),
        "kind": lambda kind: str(kind_labels.get(kind, kind)),
    }
    sums["day"] = {day: sums["day"].get(day, [0, 0, 0, 0]) for day in scope.days}
    for name in ["department", "agent", "kind"]:
        label = labels[name]
        ordered = sorted(sums[name].items(), key=lambda item: (item[0] is None, label(item[0])))
        sums[name] = dict(ordered)
    by_day, by_department, by_agent, by_kind = (
        _table(
            f"by_{name}",
            title,
            Column(name, heading, Kind.TEXT),
            {labels[name](value): cell for value, cell in sums[name].items()},
        )
        for name, title, heading in [
            ("day", _("Follow-up rate by due day"), _("Due day")),
            ("department", _("Follow-up rate by department"), _("Department")),
            ("agent", _("Follow-up rate by agent of the last call"), _("Agent")),
            ("kind", _("Follow-up rate by case kind"), _("Case kind")),
        ]
    )
    return ReachReport(
        scope,
        due,
        called,
        reached,
        missed,
        people["due"],
        people["called"],
        people["reached"],
        _totals_table(tasks=(due, called, reached), people=people),
        by_day,
        by_department,
        by_agent,
        by_kind,
    )


def agent_names(pks) -> dict[int, str]:
    pks = list(pks)
    if not pks:
        return {}
    users = get_user_model().objects.filter(pk__in=pks)
    return {user.pk: user_name(user) for user in users}
