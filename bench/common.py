"""What every bench shares: its own PostgreSQL database, Django, timing and common fills.

A bench script builds its argparse parser, then calls `start()` before importing anything
of the project: the arguments are parsed first (so --help, or a mistyped option, never
drops a database), then the environment is set, the database dropped and created again,
Django set up and the database migrated.

The database is BENCH_DATABASE, else the script's own default name, on the server
BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432 unless set): BENCH_DATABASE lets a copy
of a bench run beside another without touching its database.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# The policy's windows in every bench that does not need its own.
WINDOWS = ((dt.time(10, 30), dt.time(11, 30)), (dt.time(15), dt.time(17, 30)))
STARTED = time.perf_counter()

_database = ""
_persistent = False


# --- The database and Django ---------------------------------------------------------------


def parser(doc: str, *, repeat: int | None = None, **defaults) -> argparse.ArgumentParser:
    """A parser described by the first line of the script's docstring; with `repeat`, its
    --repeat option (measurements a figure is the median of) defaults to that. Each further
    keyword is an option (`answer_scale` is --answer-scale) of its default's type (a
    number or a string)."""
    made = argparse.ArgumentParser(
        description=doc.splitlines()[0],
        epilog="BENCH_DATABASE names another database (to run beside another copy of the"
        " bench); BENCH_POSTGRES another server.",
    )
    if repeat is not None:
        made.add_argument("--repeat", type=int, default=repeat, help="the median of how many")
    for name, default in defaults.items():
        made.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return made


def start(
    default_database: str,
    arguments: argparse.ArgumentParser | None = None,
    *,
    persistent: bool = False,
    var_dir: str | bool | None = None,
    env: dict[str, str] | None = None,
    recreate: bool = True,
) -> argparse.Namespace | None:
    """Parse the arguments, then (only then) set the environment, recreate and migrate the
    database (unless `recreate` is off) and set Django up. `persistent` keeps connections
    open as a deployment does (conn_max_age); `var_dir` names the bench's own HUIFANG_VAR_DIR
    under the temporary folder (True: after the default database, `huifang-bench-x-var`),
    and logs are then kept to warnings (unless LOG_LEVEL is set); `env` is set as given.
    Returns the parsed arguments (None without a parser)."""
    global _database, _persistent
    args = arguments.parse_args() if arguments is not None else None
    _database = os.environ.get("BENCH_DATABASE", default_database)
    _persistent = persistent
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
    os.environ.setdefault("DEBUG", "true")
    if var_dir is True:
        var_dir = default_database.replace("_", "-") + "-var"
    if var_dir:
        os.environ.setdefault("HUIFANG_VAR_DIR", os.path.join(tempfile.gettempdir(), var_dir))
        os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.update(env or {})

    import django

    django.setup()
    if recreate:
        fresh_database()
    return args


def database_url(*, options: bool = True) -> str:
    """The bench's database; with `options`, the DATABASE_URL options Django reads."""
    url = f"{SERVER}/{_database}"
    return f"{url}?conn_max_age=600" if options and _persistent else url


def connect_raw():
    """A psycopg2 connection of its own to the bench's database (autocommit)."""
    import psycopg2

    connection = psycopg2.connect(database_url(options=False))
    connection.autocommit = True
    return connection


def fresh_database() -> None:
    """Drop the bench's database, create it empty and migrate it."""
    import psycopg2
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_database}")
        cursor.execute(f"CREATE DATABASE {_database}")
    admin.close()
    call_command("migrate", verbosity=0)


def sql(statement: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rows(statement: str, params=None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def scalar(statement: str, params=None):
    return rows(statement, params)[0][0]


# --- Timing and printing -------------------------------------------------------------------


def clocked(function: Callable, *args, **kwargs) -> tuple[float, object]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def timed(function: Callable, repeat: int) -> float:
    """The median seconds of `repeat` calls."""
    return statistics.median(clocked(function)[0] for _ in range(repeat))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def spread(times: list[float]) -> dict:
    """The median and the 99th percentile of request times."""
    return {"p50": percentile(times, 0.5), "p99": percentile(times, 0.99)}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def progress(message: str) -> None:
    # Real seconds since the start: time.strftime would read a simulated clock.
    print(f"[{time.perf_counter() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


# --- Common fills --------------------------------------------------------------------------


def make_policy(
    *, name: str = "bench", windows: Iterable[tuple[dt.time, dt.time]] = WINDOWS, **fields
):
    """The default calling policy, with its windows."""
    from followups.models import CallingPolicy, CallingWindow

    policy = CallingPolicy.objects.create(name=name, is_default=True, **fields)
    for starts, ends in windows:
        CallingWindow.objects.create(policy=policy, starts_at=starts, ends_at=ends)
    return policy


def make_plan(policy, *, name: str = "bench", offsets: Iterable[int] = ()):
    """A plan on `policy` with a step at each of `offsets` days."""
    from followups.models import FollowUpPlan, PlanStep

    plan = FollowUpPlan.objects.create(name=name, calling_policy=policy)
    for offset in offsets:
        PlanStep.objects.create(plan=plan, offset_days=offset)
    return plan


def make_policy_and_plan(*, plan_name: str = "bench", offsets: Iterable[int] = (), **policy):
    """make_policy(**policy), and make_plan on it. Returns (policy, plan)."""
    made = make_policy(**policy)
    return made, make_plan(made, name=plan_name, offsets=offsets)


def make_hospital(departments: Iterable[tuple[str, str]], *, name: str = "示例医院"):
    """A hospital (code bench) with its departments, given as (name, code) pairs; returns
    the hospital and its departments in that order."""
    from followups.models import Department, Hospital

    hospital = Hospital.objects.create(name=name, code="bench")
    made = [Department.objects.create(hospital=hospital, name=n, code=c) for n, c in departments]
    return hospital, made


def add_customers(
    first: int,
    last: int,
    *,
    name: str = "'客户' || i",
    gender: str = "'M'",
    phone: str = "'+86138' || lpad(i::text, 8, '0')",
    do_not_call: str = "false",
) -> None:
    """Customers i = first..last, each with id i; name, gender, phone and do_not_call are
    SQL expressions of i (no parameters: a literal % is written %%)."""
    sql(
        "INSERT INTO followups_customer (id, name, gender, phone, phone_secondary, timezone,"
        " preferred_slot, do_not_call, do_not_call_reason, recording_consent, created_at,"
        f" updated_at) SELECT i, {name}, {gender}, {phone}, '', '', 'any', {do_not_call}, '',"
        " false, now(), now() FROM generate_series(%s, %s) AS i",
        [first, last],
    )
    set_sequences(["customer"])


def add_cases(plan_id: int, *, anchor: str, intent: str = "''", params: list) -> None:
    """One open discharge case on `plan_id` per customer; anchor and intent are SQL
    expressions of the customer c, with `params` for theirs."""
    sql(
        "INSERT INTO followups_case (customer_id, kind, anchor_date, intent_class, plan_id,"
        f" plan_chosen_by, product, status, closed_reason, created_at) SELECT c.id,"
        f" 'discharge', {anchor}, {intent}, %s, '', '', 'open', '', now()"
        " FROM followups_customer c ORDER BY c.id",
        [*params, plan_id],
    )


TASK_COLUMNS = (
    "INSERT INTO followups_followuptask (case_id, kind, status, due_date, attempts,"
    " max_attempts, outcome_counts, status_reason, needs_number_fix, created_at, updated_at)"
)


def add_tasks(select: str, params: list) -> None:
    """Tasks from `select`, which yields the columns of TASK_COLUMNS in order (the last
    call's disposition left empty: the column has no default of its own in the database)."""
    sql("ALTER TABLE followups_followuptask ALTER COLUMN last_disposition SET DEFAULT ''")
    sql(f"{TASK_COLUMNS} {select}", params)


def set_sequences(tables: Iterable[str]) -> None:
    """Each followups table's id sequence past its largest id (after rows with set ids)."""
    for table in tables:
        sql(
            f"SELECT setval(pg_get_serial_sequence('followups_{table}', 'id'),"
            f" (SELECT max(id) FROM followups_{table}))"
        )


def add_users(
    prefix: str,
    count: int,
    *,
    first: int = 0,
    first_name: str = "''",
    group: str | None = "agent",
    permission: str | None = None,
    tokens: bool = False,
) -> list[tuple[int, str | None]]:
    """`count` users named prefix + i for i from `first` (first_name an SQL expression of
    i), none with a usable password, in `group`, with `permission`, with API tokens when
    `tokens`; returns their (id, token or None) pairs in id order."""
    sql(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,"
        f" is_staff, is_active, date_joined) SELECT '!', false, %s || i, {first_name}, '', '',"
        " false, true, now() FROM generate_series(%s, %s) i",
        [prefix, first, first + count - 1],
    )
    like = [f"{prefix}%"]
    if tokens:
        sql(
            "INSERT INTO authtoken_token (key, created, user_id) SELECT md5(random()::text ||"
            " u.id), now(), u.id FROM auth_user u WHERE u.username LIKE %s",
            like,
        )
    if group:
        sql(
            "INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u,"
            " auth_group g WHERE g.name = %s AND u.username LIKE %s",
            [group, *like],
        )
    if permission:
        sql(
            "INSERT INTO auth_user_user_permissions (user_id, permission_id) SELECT u.id, p.id"
            " FROM auth_user u, auth_permission p WHERE p.codename = %s AND u.username LIKE %s",
            [permission, *like],
        )
    return rows(
        "SELECT u.id, t.key FROM auth_user u LEFT JOIN authtoken_token t ON t.user_id = u.id"
        " WHERE u.username LIKE %s ORDER BY u.id",
        like,
    )
