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
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, When
from django.utils.translation import gettext as _

from followups.models import CaseKind, FollowUpTask, TaskStatus

from .planning import without_jit
from .scope import ReportScope
from .tables import Column, Kind, Table, share, user_name

# A task's calls as record_outcome counts them on the task, in the transaction that stores
# each call: reading the counters and the last call kept there (FollowUpTask.count_call)
# spares the reports a subquery per task.
CALLED = Q(attempts__gt=0)
REACHED_FIELD = "reached"  # a call of the task reached the person (count_call keeps it)
REACHED = Q(**{REACHED_FIELD: True})
FINAL_DISPOSITION = "last_disposition"  # "" while the task has no call
FINAL_AGENT = "last_agent_id"  # None while the task has no call


def due_tasks(scope: ReportScope) -> QuerySet[FollowUpTask]:
    """The tasks due in the period, as the reports count them."""
    return (
        FollowUpTask.objects.filter(due_date__gte=scope.start, due_date__lte=scope.end)
        .filter(scope.case_filter("case__"))
        .filter(~Q(status=TaskStatus.CANCELLED) | CALLED)
    )


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


def _table(key: str, title: str, first: Column, totals: dict, *, sort: bool) -> Table:
    """One row a label, in the order given or sorted by label."""
    rows = [
        [label, due, called, reached, missed, share(reached, due)]
        for label, (due, called, reached, missed) in (
            sorted(totals.items()) if sort else totals.items()
        )
    ]
    return Table(key, title, _rate_columns(first), rows)


def _any(condition: Q) -> Max:
    """1 when a row of the group meets ``condition``, else 0."""
    return Max(Case(When(condition, then=1), default=0, output_field=IntegerField()))


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
    PostgreSQL one before and one after it to plan it."""
    per_case = _counted(tasks, "case_id").annotate(
        called_any=_any(CALLED), reached_any=_any(REACHED)
    )
    statement, params = per_case.query.sql_with_params()
    rows, people = [], {"due": 0, "called": 0, "reached": 0}
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # In case order from the covering indexes of the tasks, the cases and the
            # patients (task_case_status_idx, case_facts_idx, patient_department_idx),
            # merged rather than hashed: a year at 1M calls, 1.6 s → 0.8 s. The planner
            # prefers hashing 200,000 cases; it is told not to, for this statement only.
            cursor.execute(
                "SELECT current_setting('enable_hashjoin'),"
                " set_config('enable_hashjoin', 'off', true)"
            )
            hash_joins = cursor.fetchone()[0]
        # The ORM's own statement, its values bound as parameters; the ORM cannot group
        # twice.
        cursor.execute(_BY_CASE.format(tasks=statement), params)
        fetched = cursor.fetchall()
        if postgres:
            cursor.execute("SELECT set_config('enable_hashjoin', %s, true)", [hash_joins])
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
            Column("due", _("Due")),
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


def _counted(tasks: QuerySet, *fields: str) -> QuerySet:
    """The tasks grouped by ``fields``: due, called, reached, window missed. Counted by
    their case (never empty) rather than their id, so that on the task fields alone the
    index task_due_facts_idx holds everything read."""
    return (
        tasks.values(*fields)
        .annotate(
            due=Count("case"),
            called_n=Count("case", filter=CALLED),
            reached_n=Count("case", filter=REACHED),
            missed_n=Count("case", filter=Q(status=TaskStatus.WINDOW_MISSED)),
        )
        .order_by()
    )


@without_jit()
def follow_up_rate(*, scope: ReportScope) -> ReachReport:
    """Two grouped queries over the due tasks — by due day and last agent from the task
    index alone; by department and case kind through the cases, with the people behind
    them — rolled up by each dimension here, and one for the agents' names: three queries
    whatever the size of the period. (One query grouped by all four makes nearly a group a
    task over a year.)"""
    tasks = due_tasks(scope)
    sums: dict[str, dict] = {
        name: defaultdict(lambda: [0, 0, 0, 0]) for name in ["day", "agent", "department", "kind"]
    }
    for row in _counted(tasks, "due_date", FINAL_AGENT):
        counts = (row["due"], row["called_n"], row["reached_n"], row["missed_n"])
        for name, value in [("day", row["due_date"]), ("agent", row[FINAL_AGENT])]:
            cell = sums[name][value]
            for position, count in enumerate(counts):
                cell[position] += count
    department_rows, people = _by_department_and_people(tasks)
    department_names = {}
    for row in department_rows:
        department_names[row["department_id"]] = row["name"]
        for name, value in [("department", row["department_id"]), ("kind", row["kind"])]:
            cell = sums[name][value]
            for position, count in enumerate(row["counts"]):
                cell[position] += count
    due, called, reached, missed = (
        sum(cell[position] for cell in sums["day"].values()) for position in range(4)
    )

    names = agent_names(pk for pk in sums["agent"] if pk is not None)
    kind_labels = dict(CaseKind.choices)
    # How each dimension's values read in its table; the days keep the period's order, the
    # others are sorted by label.
    labels = {
        "day": lambda day: day.isoformat(),
        "department": lambda pk: department_names[pk] if pk is not None else _("No department"),
        "agent": lambda pk: names.get(pk, str(pk)) if pk is not None else _("Not called yet"),
        "kind": lambda kind: str(kind_labels.get(kind, kind)),
    }
    sums["day"] = {day: sums["day"].get(day, [0, 0, 0, 0]) for day in scope.days}
    by_day, by_department, by_agent, by_kind = (
        _table(
            f"by_{name}",
            title,
            Column(name, heading, Kind.TEXT),
            {labels[name](value): cell for value, cell in sums[name].items()},
            sort=name != "day",
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
