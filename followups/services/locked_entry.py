"""The outcome's first read: a queue entry with its list, its lead follow-up, the case and
the customer, the entry, the follow-up and the case locked (FOR UPDATE OF), in one
statement.

The statement is written here, from the models' own fields, and not compiled by the ORM on
each outcome: the ORM's compiling of its eighty-odd columns cost four times the rest of
the read (2.2 ms against 0.5 ms of CPU), on the request that sets the pace of the agents'
loop (bench/bench_queue.py). The instances are what the ORM's
`select_for_update(of=("self", "task", "task__case")).select_related("call_list",
"task__case__customer").get(pk=…)` gives (tests/services/test_outcome_queries.py holds
them equal): each built by Model.from_db from its columns, after its fields' converters,
each relation cached on the instance that points to it.
"""

from dataclasses import dataclass

from django.db import connections

from followups.models import CallList, Case, Customer, FollowUpTask, QueueEntry

# Each table of the read: its model, its alias, and the relation of an earlier one that
# leads to it (None for the entry itself).
CHAIN = (
    (QueueEntry, "e", None),
    (CallList, "l", ("e", "call_list")),
    (FollowUpTask, "t", ("e", "task")),
    (Case, "c", ("t", "case")),
    (Customer, "p", ("c", "customer")),
)
LOCKED = ("e", "t", "c")


@dataclass(frozen=True)
class _Part:
    model: type
    alias: str
    via: tuple[str, str] | None
    names: tuple[str, ...]  # the fields' attnames, in the order of the columns
    # (column, its converters, the column as the ORM's expression), for those with any
    converters: tuple[tuple[int, tuple, object], ...]


_read: dict[str, tuple[str, tuple[_Part, ...]]] = {}


def _statement(connection) -> tuple[str, tuple[_Part, ...]]:
    """The read's SQL and how to make its instances, on this connection's database."""
    qn = connection.ops.quote_name
    models = {alias: model for model, alias, _via in CHAIN}
    columns, tables, parts = [], [], []
    for model, alias, via in CHAIN:
        fields = model._meta.concrete_fields
        columns += [f"{alias}.{qn(field.column)}" for field in fields]
        table = f"{qn(model._meta.db_table)} {alias}"
        if via is None:
            tables.append(table)
        else:
            source, name = via
            column = models[source]._meta.get_field(name).column
            tables.append(
                f"JOIN {table} ON {alias}.{qn(model._meta.pk.column)} = {source}.{qn(column)}"
            )
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((position, tuple(found), column))
        parts.append(
            _Part(
                model,
                alias,
                via,
                tuple(field.attname for field in fields),
                tuple(converters),
            )
        )
    entry = models["e"]._meta.pk.column
    # Names from the models, quoted; the entry's id is the one parameter.
    selected, joined = ", ".join(columns), " ".join(tables)
    sql = f"SELECT {selected} FROM {joined} WHERE e.{qn(entry)} = %s"  # noqa: S608
    if connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {', '.join(LOCKED)}"
    elif connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql, tuple(parts)


def locked_entry(pk: int, *, using: str = "default") -> QueueEntry:
    """The entry `pk` with its list, lead follow-up, case and customer loaded, the entry,
    follow-up and case locked until the transaction ends (inside one, as the ORM's
    select_for_update). QueueEntry.DoesNotExist when there is no such entry."""
    connection = connections[using]
    key = f"{using}:{connection.vendor}"
    if key not in _read:
        _read[key] = _statement(connection)
    sql, parts = _read[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        raise QueueEntry.DoesNotExist("QueueEntry matching query does not exist.")
    made, start = {}, 0
    for part in parts:
        values = list(row[start : start + len(part.names)])
        start += len(part.names)
        for position, converters, column in part.converters:
            for convert in converters:
                values[position] = convert(values[position], column, connection)
        made[part.alias] = instance = part.model.from_db(using, part.names, values)
        if part.via is not None:
            source, name = part.via
            setattr(made[source], name, instance)
    return made["e"]
