"""Adds a recorded call to each day's figures (models/report_days.py), in the transaction
that stores it: one upsert a table, whatever the number of follow-ups the call settled.
The day's script-step rows are shared by every agent's calls: the upsert comes last in the
outcome, so their locks are held only until its commit.

Written in SQL because the ORM's upsert (bulk_create with update_conflicts) sets a counter
to the new row's value; here each counter is added to. ``INSERT … ON CONFLICT DO UPDATE``
reads the same on PostgreSQL and SQLite, for a key that holds no NULL; SQLite cannot keep
CallDay's key (NULL for a call without script) unique, and adds to it row by row."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import F

from followups.clock import center_day
from followups.models import CallAttempt, CallDay, ScriptStepDay
from followups.models.calls import REACHED_DISPOSITIONS
from followups.models.report_days import DayFigures
from followups.scheduling import RulesCheck

# A step of a call's path as the day figures count it: (node id, is an objection handler).
Step = tuple[str, bool]


def _upsert(model: type[DayFigures], rows: dict[tuple, dict]) -> None:
    """``rows`` (the day and the model's KEY → its COUNTS) added to the table's rows of the
    same key, or inserted. In key order: outcomes recorded at once lock the rows they share
    (a day's script steps) in the same order, so neither waits for the other in a circle."""
    if not rows:
        return
    if not _keeps_one_row_a_key(model):
        _update_else_insert(model, rows)
        return
    quoted = connection.ops.quote_name
    fields = model._meta
    key = _key_columns(model)
    table = quoted(fields.db_table)
    one_row = "(" + ", ".join(["%s"] * (len(key) + len(model.COUNTS))) + ")"
    added = ", ".join(
        f"{quoted(name)} = {table}.{quoted(name)} + EXCLUDED.{quoted(name)}"
        for name in model.COUNTS
    )
    statement = (
        f"INSERT INTO {table} ({', '.join(map(quoted, [*key, *model.COUNTS]))}) VALUES "  # noqa: S608
        + ", ".join([one_row] * len(rows))
        + f" ON CONFLICT ({', '.join(map(quoted, key))}) DO UPDATE SET {added}"
    )
    values = []
    for row_key in sorted(rows, key=lambda row_key: tuple(map(str, row_key))):
        counts = rows[row_key]
        values += [*row_key]
        values += [
            fields.get_field(name).get_db_prep_value(counts[name], connection)
            for name in model.COUNTS
        ]
    with connection.cursor() as cursor:
        cursor.execute(statement, values)


def _key_columns(model: type[DayFigures]) -> list[str]:
    return ["day", *(model._meta.get_field(name).attname for name in model.KEY)]


def _keeps_one_row_a_key(model: type[DayFigures]) -> bool:
    """Whether the database holds the model's key unique, NULLs included: CallDay's key may
    hold a NULL (a call without script), which only NULLS NOT DISTINCT (PostgreSQL 15 and
    later) keeps to one row; elsewhere Django leaves that constraint out."""
    nullable = any(model._meta.get_field(name).null for name in model.KEY)
    return not nullable or connection.features.supports_nulls_distinct_unique_constraints


def _update_else_insert(model: type[DayFigures], rows: dict[tuple, dict]) -> None:
    """The upsert without a unique key to meet: each row's counters added to the row of
    its key, or the row inserted. On SQLite (one writer at a time) no two outcomes race
    here; were they to, a key would get a second row, and every sum would still hold."""
    key = _key_columns(model)
    for row_key, counts in sorted(rows.items(), key=lambda row: tuple(map(str, row[0]))):
        same_key = dict(zip(key, row_key, strict=True))
        added = {name: F(name) + counts[name] for name in model.COUNTS}
        if not model.objects.filter(**same_key).update(**added):
            model.objects.create(**same_key, **{name: counts[name] for name in model.COUNTS})


def _reached_before(attempts: Sequence[CallAttempt]) -> set[int]:
    """Of the calls ``attempts`` belong to, those (their first attempts' ids) that had
    already reached the person on an attempt stored earlier. record_outcome adds a call's
    attempts together and never needs this; a call added attempt by attempt does."""
    firsts = {
        attempt.same_call_as_id
        for attempt in attempts
        if attempt.same_call_as_id is not None
        and attempt.same_call_as_id not in {other.pk for other in attempts}
    }
    if not firsts:
        return set()
    counted = [attempt.pk for attempt in attempts]
    earlier = CallAttempt.objects.filter(disposition__in=REACHED_DISPOSITIONS).exclude(
        pk__in=counted
    )
    return set(earlier.filter(pk__in=firsts).values_list("pk", flat=True)) | set(
        earlier.filter(same_call_as_id__in=firsts).values_list("same_call_as_id", flat=True)
    )


def count_calls(calls: Iterable[tuple[CallAttempt, Sequence[Step]]]) -> None:
    """Adds attempts just stored (one phone call's, or one attempt of a call whose first is
    stored), each with the script path it kept, to the day figures."""
    calls = [
        (attempt, [(node, bool(objection)) for node, objection in path]) for attempt, path in calls
    ]
    attempts = [attempt for attempt, _path in calls]
    figures: dict[tuple, Counter] = defaultdict(lambda: Counter(handle_time=dt.timedelta()))
    steps: dict[tuple, Counter] = defaultdict(Counter)
    firsts = {attempt.pk: attempt for attempt in attempts if attempt.same_call_as_id is None}
    reached_calls = _reached_before(attempts)
    for attempt, path in calls:
        day = center_day(attempt.started_at)
        key = (day, attempt.agent_id, attempt.script_version_id)
        row = figures[key]
        reached = attempt.disposition in REACHED_DISPOSITIONS
        row["attempts"] += 1
        row["reached_attempts"] += reached
        if attempt.satisfaction:
            row[attempt.satisfaction] += 1
        if attempt.same_call_as_id is None:
            row["calls"] += 1
            row["in_window"] += attempt.rules_check == RulesCheck.WINDOW
            row["handle_time"] += attempt.ended_at - attempt.started_at
        call_id = attempt.same_call_as_id or attempt.pk
        if reached and call_id not in reached_calls:
            reached_calls.add(call_id)
            first = firsts.get(call_id) or attempt.same_call_as
            figures[(center_day(first.started_at), first.agent_id, first.script_version_id)][
                "reached_calls"
            ] += 1
        if attempt.script_version_id is not None and path:
            for step in set(path):
                steps[(day, attempt.script_version_id, *step)]["calls"] += 1
            for step in path:
                steps[(day, attempt.script_version_id, *step)]["times"] += 1
            steps[(day, attempt.script_version_id, *path[-1])]["ended"] += 1
    _upsert(CallDay, figures)
    _upsert(ScriptStepDay, steps)
