"""The claim of the next call as one round trip to PostgreSQL.

`queue.claim_next_call` decides what may be handed out (the agent's own entries, then the
pool; which groups of customers are inside their calling hours); this module runs that
decision as one statement and turns its row into the models the call screen reads. It is
what makes a claim cost about what any request costs: the ORM version of the same claim
(kept in queue.py for SQLite and as the reference the tests hold both to) needs up to
eight queries and more Python time to build them than PostgreSQL takes to run this.

The text sent is three statements, run by PostgreSQL as one implicit transaction:

1. take the agent's advisory lock till the transaction ends (no row is written), so that
   two requests of one agent (a double click, a retry) are answered one after the other
   and the second gets the call the first took: each statement reads its own snapshot,
   so the claim, waiting behind the lock, sees what the first request committed;
2. use the plan prepared once (see claim());
3. the claim: the call the agent already holds under a live lease (its lease renewed),
   else the first of (own waiting, own with an expired lease, pool waiting, pool with an
   expired lease) that may be called now, locked with SKIP LOCKED so concurrent claims
   pass each other, taken under a new lease; with the rows the call screen needs and the
   script version to use.

psycopg2 sends parameters inline, so one message carries all three (psycopg 3 would need
a pipeline or a database function instead).
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.signals import connection_created

from followups.models import (
    Case,
    CaseStatus,
    Customer,
    FollowUpTask,
    QueueEntry,
    QueueEntryStatus,
    ScriptVersionStatus,
    TaskKind,
    TaskStatus,
)

# The rows returned, in order, with the alias each is read from.
_ROWS = (
    (QueueEntry, "chosen"),
    (FollowUpTask, "t"),
    (Case, "c"),
    (Customer, "cu"),
)

# Values written into the statement, not passed: a partial index (status = 'waiting') is
# used only when the planner sees the value itself.
_CONSTANTS = {
    "waiting": QueueEntryStatus.WAITING.value,
    "claimed": QueueEntryStatus.CLAIMED.value,
    "pending": TaskStatus.PENDING.value,
    "open": CaseStatus.OPEN.value,
    "callback": TaskKind.CALLBACK.value,
    "published": ScriptVersionStatus.PUBLISHED.value,
}
assert all(value.isidentifier() for value in _CONSTANTS.values())
_GROUP = "(COALESCE(c.plan_id, 0)::text || '|' || cu.timezone)"


def group_text(plan_id: int | None, timezone_name: str) -> str:
    """A group (plan, customer's timezone) as the statement spells it."""
    return f"{plan_id or 0}|{timezone_name}"


@dataclass(frozen=True)
class Taken:
    entry: QueueEntry  # with its task, case and customer loaded
    was_held: bool  # the agent already held it; only its lease was renewed
    department_name: str | None  # the patient's department, if the case has a patient
    script_version: int | None


def _candidate(*, expired: bool, own: bool, closed: bool, callbacks_only: bool) -> str:
    available = (
        "e.status = {claimed} AND e.lease_expires_at < $3" if expired else "e.status = {waiting}"
    )
    visible = (
        "e.assigned_agent_id = $1"
        if own
        else "(e.assigned_agent_id IS NULL OR e.assigned_agent_id <> $1)"
    )
    callback_due = "(t.kind = {callback} AND t.callback_at <= $3)"
    conditions = [
        "e.call_list_id = (SELECT id FROM list)",
        available,
        visible,
        "t.status = {pending}",
        "c.status = {open}",
        "NOT cu.do_not_call",
        # One person, one conversation: nobody else is on a call with them now (an entry of
        # theirs on another day's list, a lease not yet run out). Walked from the person.
        "NOT EXISTS (SELECT 1 FROM followups_queueentry h"
        " WHERE h.customer_id = e.customer_id AND h.id <> e.id"
        " AND h.status = {claimed} AND h.lease_expires_at >= $3)",
        # The day's limit of calls to a person; a callback they booked is kept all the same.
        "(e.calls_made < $7 OR (t.kind = {callback} AND t.callback_at IS NOT NULL))",
        f"({callback_due} OR ((t.kind <> {{callback}} OR t.callback_at IS NULL)"
        " AND (t.earliest_at IS NULL OR t.earliest_at <= $3)))",
    ]
    if closed:
        conditions.append(f"NOT {_GROUP} = ANY($5)")
    if callbacks_only:
        conditions.append(f"(NOT {_GROUP} = ANY($6) OR {callback_due})")
    return (
        "(SELECT e.id FROM followups_queueentry e"  # noqa: S608 (code's own text only)
        " JOIN followups_followuptask t ON t.id = e.task_id"
        " JOIN followups_case c ON c.id = t.case_id"
        " JOIN followups_customer cu ON cu.id = c.customer_id"
        f" WHERE {' AND '.join(conditions)}"
        " ORDER BY e.priority, e.id LIMIT 1 FOR UPDATE OF e SKIP LOCKED)"
    )


def _columns(model, alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


@cache
def _statement(*, pool: bool, closed: bool, callbacks_only: bool) -> str:
    visibilities = (True, False) if pool else (True,)
    candidates = ", ".join(
        _candidate(expired=expired, own=own, closed=closed, callbacks_only=callbacks_only)
        for own in visibilities
        for expired in (False, True)
    )
    entry_columns = ", ".join(f'"{f.column}"' for f in QueueEntry._meta.concrete_fields)
    selected = ", ".join(_columns(model, alias) for model, alias in _ROWS)
    statement = (
        "WITH list AS (SELECT id FROM followups_calllist WHERE day = $2),"  # noqa: S608
        " held AS (SELECT id FROM followups_queueentry WHERE claimed_by_id = $1"
        " AND status = {claimed} AND lease_expires_at >= $3 ORDER BY id LIMIT 1),"
        " renewed AS (UPDATE followups_queueentry e SET lease_expires_at = $4"
        f" FROM held WHERE e.id = held.id RETURNING {_columns(QueueEntry, 'e')}),"
        f" picked AS (SELECT COALESCE({candidates}) AS id"
        " WHERE NOT EXISTS (SELECT 1 FROM held)),"
        " taken AS (UPDATE followups_queueentry e SET status = {claimed},"
        " claimed_by_id = $1, claimed_at = $3, lease_expires_at = $4"
        f" FROM picked WHERE e.id = picked.id RETURNING {_columns(QueueEntry, 'e')}),"
        f" chosen AS (SELECT {entry_columns}, true AS was_held FROM renewed"
        f" UNION ALL SELECT {entry_columns}, false FROM taken)"
        f" SELECT {selected}, chosen.was_held, d.name, COALESCE("
        "(SELECT v.id FROM followups_scriptversion v WHERE v.status = {published}"
        " AND v.script_id = s.script_id ORDER BY v.id LIMIT 1),"
        " (SELECT v.id FROM followups_scriptversion v JOIN followups_callscript k"
        " ON k.id = v.script_id WHERE v.status = {published} AND k.case_kind = c.kind"
        " ORDER BY v.id LIMIT 1)) AS script_version"
        " FROM chosen JOIN followups_followuptask t ON t.id = chosen.task_id"
        " JOIN followups_case c ON c.id = t.case_id"
        " JOIN followups_customer cu ON cu.id = c.customer_id"
        " LEFT JOIN followups_patient p ON p.id = c.patient_id"
        " LEFT JOIN followups_department d ON d.id = p.department_id"
        " LEFT JOIN followups_planstep s ON s.id = t.step_id"
    )
    for token, value in _CONSTANTS.items():
        statement = statement.replace("{" + token + "}", f"'{value}'")
    return statement


# The first key of the agents' advisory locks (pg_advisory_xact_lock(LOCK_SPACE, agent id)),
# so that they cannot meet another use of advisory locks.
LOCK_SPACE = 4_817_001

# The statement's parameters: $1 agent, $2 day, $3 now, $4 lease until, $5 closed groups,
# $6 callbacks-only groups, $7 calls a day to one person.
_PARAMETER_TYPES = "integer, date, timestamptz, timestamptz, text[], text[], integer"


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
    name = _prepare(pool=pool, closed=bool(closed), callbacks_only=bool(callbacks_only))
    with connection.cursor() as cursor:
        # The plan made once for the prepared statement fits every call (index walks in
        # list order): planning it anew would cost ten times what running it does.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s);"  # noqa: S608
            " SET LOCAL plan_cache_mode = force_generic_plan;"
            f" EXECUTE {name} (%s, %s, %s, %s, %s::text[], %s::text[], %s)",
            [
                LOCK_SPACE,
                agent_id,
                agent_id,
                day,
                now,
                lease_until,
                closed,
                callbacks_only,
                calls_a_day,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Taken(
        entry=_entry_from(row), was_held=row[-3], department_name=row[-2], script_version=row[-1]
    )


def _prepare(*, pool: bool, closed: bool, callbacks_only: bool) -> str:
    """The name of the statement prepared on this database connection, preparing it on
    first use (a PREPARE outlives a rollback; a new connection starts with none)."""
    name = f"huifang_claim2_{int(pool)}{int(closed)}{int(callbacks_only)}"
    # The thread's own connection (django.db.connection is a proxy shared by threads),
    # connected first: connecting empties the record (forget_prepared).
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    prepared = wrapper.__dict__.setdefault("huifang_prepared", set())
    if name not in prepared:
        statement = _statement(pool=pool, closed=closed, callbacks_only=callbacks_only)
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} ({_PARAMETER_TYPES}) AS {statement}")
        prepared.add(name)
    return name


def forget_prepared(sender, connection, **_kwargs) -> None:
    """A new database connection has no prepared statements."""
    connection.__dict__.pop("huifang_prepared", None)


connection_created.connect(forget_prepared, dispatch_uid="claim-sql-prepared")


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
