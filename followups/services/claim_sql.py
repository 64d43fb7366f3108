"""The claim of the next call as one round trip to PostgreSQL.

`claims.claim_next_call` decides what may be handed out (the agent's own entries, then the
pool; which groups of customers are inside their calling hours); this module runs that
decision through the database function `huifang_claim` (made by migration
followups/0014_claim_function, which says what it does) and turns its row into the models
the call screen reads. It is what makes a claim cost about what any request costs: the
ORM version of the same claim (kept in claims.py for SQLite and as the reference the tests
hold both to) needs up to eight queries and more Python time to build them than
PostgreSQL takes to run this.

One plain SELECT, nothing kept on the connection: it works the same behind a
transaction-mode pooler (PgBouncer), after `DISCARD ALL`, and with psycopg2 or psycopg 3.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db import connection

from followups.models import Case, Customer, FollowUpTask, QueueEntry, QueueEntryStatus

# The rows returned, in order, with the function's column each is read from.
_ROWS = (
    (QueueEntry, "entry"),
    (FollowUpTask, "task"),
    (Case, "case"),
    (Customer, "customer"),
)


def group_text(plan_id: int | None, timezone_name: str) -> str:
    """A group (plan, customer's timezone) as the function spells it."""
    return f"{plan_id or 0}|{timezone_name}"


@dataclass(frozen=True)
class Taken:
    entry: QueueEntry  # with its task, case and customer loaded
    was_held: bool  # the agent already held it; only its lease was renewed
    department_name: str | None  # the patient's department, if the case has a patient
    script_version: int | None


@cache
def _statement() -> str:
    # Each table's row read field by field, in the order the models name them.
    selected = ", ".join(
        f'(r."{alias}")."{field.column}"'
        for model, alias in _ROWS
        for field in model._meta.concrete_fields
    )
    return (
        f"SELECT {selected}, r.was_held, r.department_name, r.script_version"  # noqa: S608
        " FROM huifang_claim(%s, %s, %s, %s, %s, %s::text[], %s::text[], %s) r"
    )


def claim(
    *,
    agent_id: int,
    day: dt.date,
    now: dt.datetime,
    lease_until: dt.datetime,
    pool: bool,
    closed: list[str],
    callbacks_only: list[str],
    calls_a_day: int,
) -> Taken | None:
    """Run the claim; `closed` and `callbacks_only` name groups (group_text) outside their
    windows. None: nothing the agent may take now."""
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(),
            [agent_id, day, now, lease_until, pool, closed, callbacks_only, calls_a_day],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Taken(
        entry=_entry_from(row), was_held=row[-3], department_name=row[-2], script_version=row[-1]
    )


def give_back(*, entry_id: int, agent_id: int, claimed_at: dt.datetime) -> None:
    """Undo a take (its customer turned out not to be callable now): waiting again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE followups_queueentry SET status = %s, claimed_by_id = NULL,"
            " claimed_at = NULL, lease_expires_at = NULL"
            " WHERE id = %s AND claimed_by_id = %s AND claimed_at = %s",
            [QueueEntryStatus.WAITING.value, entry_id, agent_id, claimed_at],
        )


@cache
def _readers() -> tuple:
    """Per model: its fields' attnames and the converters the ORM would apply to each."""
    readers = []
    for model, _alias in _ROWS:
        fields = model._meta.concrete_fields
        converters = []
        for field in fields:
            column = field.get_col(model._meta.db_table)
            converters.append(
                [
                    (converter, column)
                    for converter in connection.ops.get_db_converters(column)
                    + field.get_db_converters(connection)
                ]
            )
        readers.append((model, [f.attname for f in fields], converters))
    return tuple(readers)


def _entry_from(row) -> QueueEntry:
    instances, start = [], 0
    for model, names, converters in _readers():
        values = list(row[start : start + len(names)])
        start += len(names)
        for index, field_converters in enumerate(converters):
            for converter, column in field_converters:
                values[index] = converter(values[index], column, connection)
        instances.append(
            None if values[0] is None else model.from_db(connection.alias, names, values)
        )
    entry, task, case, customer = instances
    QueueEntry.task.field.set_cached_value(entry, task)
    FollowUpTask.case.field.set_cached_value(task, case)
    Case.customer.field.set_cached_value(case, customer)
    return entry
