"""How the report queries are planned on PostgreSQL: without JIT compilation."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def without_jit():
    """PostgreSQL JIT-compiles a plan whose estimated cost is high, as these aggregates'
    are; compiling their large expressions costs far more than it saves (the agent figures
    of a year at 100k calls: 64 s with JIT, 1.5 s without; see bench/bench_reports.py).
    Used as a decorator on each report; elsewhere the server's setting stands."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield
