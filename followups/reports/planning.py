"""How the report queries are planned on PostgreSQL: without JIT compilation, and with
the memory to group a year of rows without spilling to disk."""

from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

# Memory for each sort or hash of a report query (PostgreSQL's default is 4 MB): grouping
# a year of tasks by case or person spilled to disk in batches at 1M calls (回访率 of a year:
# 3.1 s → see bench/bench_reports.py). Only the report's own transaction gets it.
REPORT_WORK_MEM = "64MB"


@contextmanager
def without_jit():
    """PostgreSQL JIT-compiles a plan whose estimated cost is high, as these aggregates'
    are; compiling their large expressions costs far more than it saves (the agent figures
    of a year at 100k calls: 64 s with JIT, 1.5 s without; see bench/bench_reports.py).
    Used as a decorator on each report; elsewhere the server's settings stand."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                [REPORT_WORK_MEM],
            )
        yield


@contextmanager
def without_joins(*kinds: str):
    """The statements inside, in the report's transaction, planned without the joins
    ``kinds`` ("hashjoin", "mergejoin"): a year of due tasks joined to their cases in case
    order (merged, not hashed: the planner prefers hashing 200,000 cases); a few days'
    tasks joined by index lookups, where it would still read every case to merge or hash
    (a fortnight at 1M calls: 74 ms → 30 ms)."""
    if connection.vendor != "postgresql":
        yield
        return
    names = [f"enable_{kind}" for kind in kinds]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"current_setting('{name}'), set_config('{name}', 'off', true)" for name in names
            )
        )
        before = cursor.fetchone()[::2]
    restore = ", ".join(f"set_config('{name}', %s, true)" for name in names)
    try:
        yield
    except DatabaseError:
        raise  # the transaction is failed: nothing more runs in it, and its end resets them
    except BaseException:
        _run("SELECT " + restore, list(before))
        raise
    _run("SELECT " + restore, list(before))


def _run(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
