"""Benchmark: building the day's call list among a large history, on real PostgreSQL.

Creates (drops first) the database `huifang_bench`, fills it with 50,000 tasks due today
and 300,000 then 3,000,000 historical tasks, and prints, for each history size, the time
of build_call_lists (first and second run) beside a raw-SQL INSERT … SELECT … ON CONFLICT
DO NOTHING baseline measured in the same run. Usage:

    DEBUG=1 .venv/bin/python scripts/bench_call_lists.py [--due 50000] [--repeat 3]

BENCH_DATABASE names another database (to run beside another copy of the bench).
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "huifang_bench")
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
os.environ.setdefault("DEBUG", "true")

import psycopg2  # noqa: E402


def recreate_database() -> None:
    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


# Before the database is dropped: --help, or a mistyped option, leaves it alone.
ARGS = parse_arguments()
recreate_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from followups.models import CallList, QueueEntry  # noqa: E402
from followups.services.call_lists import build_call_lists  # noqa: E402

DAY = dt.date(2026, 11, 23)
CUSTOMERS = 200_000


def sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def fill_people_and_cases() -> None:
    sql(
        "INSERT INTO followups_callingpolicy (name, timezone, weekdays, holiday_rule, quiet_before,"
        " quiet_after, is_default) VALUES ('bench', 'Asia/Shanghai', '0123456', 'skip_holidays',"
        " '08:00', '21:00', true)"
    )
    sql(
        "INSERT INTO followups_callingwindow (policy_id, starts_at, ends_at) SELECT id, t.s, t.e"
        " FROM followups_callingpolicy, (VALUES ('10:30'::time, '11:30'::time),"
        " ('15:00'::time, '17:30'::time)) AS t(s, e)"
    )
    sql(
        "INSERT INTO followups_followupplan (name, description, calling_policy_id, intent_a_days,"
        " intent_b_days, intent_c_days, is_active) SELECT 'bench', '', id, 3, 7, 21, true"
        " FROM followups_callingpolicy"
    )
    sql(
        "INSERT INTO followups_customer (name, gender, phone, phone_secondary, timezone,"
        " preferred_slot, do_not_call, do_not_call_reason, recording_consent, created_at,"
        " updated_at) SELECT 'c' || i, 'M', '+86138' || lpad(i::text, 8, '0'), '', '', 'any',"
        " i %% 97 = 0, '', false, now(), now() FROM generate_series(1, %s) AS i",
        [CUSTOMERS],
    )
    sql(
        "INSERT INTO followups_case (customer_id, kind, anchor_date, intent_class, plan_id,"
        " product, status, closed_reason, created_at) SELECT c.id, 'discharge',"
        " %s::date - (c.id %% 60)::int, (ARRAY['', 'A', 'B', 'C'])[1 + c.id %% 4],"
        " (SELECT id FROM followups_followupplan), '', 'open', '', now()"
        " FROM followups_customer c",
        [DAY],
    )


def add_tasks(count: int, *, history: bool) -> None:
    # History: finished tasks of past days; due: open tasks due today or a few days ago.
    status, days_back = ("'done'", "1 + (i %% 700)") if history else ("'pending'", "i %% 5")
    sql(
        "INSERT INTO followups_followuptask (case_id, kind, status, due_date, attempts,"
        " max_attempts, outcome_counts, status_reason, needs_number_fix, created_at,"
        " updated_at) SELECT 1 + (i %% %s), 'scheduled', "
        + status
        + ", %s::date - ("
        + days_back
        + "), 1, 3, '{}', '', false, now(), now()"
        " FROM generate_series(1, %s) AS i",
        [CUSTOMERS, DAY, count],
    )
    sql("ANALYZE")


def clear_list() -> None:
    QueueEntry.objects.all().delete()
    CallList.objects.all().delete()


def raw_sql_baseline() -> float:
    """The floor: one statement that copies today's due tasks into the list, one entry per
    person (led by their earliest due task)."""
    clear_list()
    call_list = CallList.objects.create(day=DAY)
    started = time.perf_counter()
    sql(
        "INSERT INTO followups_queueentry (call_list_id, task_id, customer_id, priority,"
        " status, calls_made)"
        " SELECT DISTINCT ON (c.customer_id) %s, t.id, c.customer_id, 0, 'waiting', 0"
        " FROM followups_followuptask t"
        " JOIN followups_case c ON c.id = t.case_id"
        " JOIN followups_customer u ON u.id = c.customer_id"
        " WHERE t.status = 'pending' AND t.due_date <= %s AND c.status = 'open'"
        " AND NOT u.do_not_call AND u.phone <> ''"
        " ORDER BY c.customer_id, t.due_date, t.id"
        " ON CONFLICT DO NOTHING",
        [call_list.pk, DAY],
    )
    return time.perf_counter() - started


def timed_build() -> tuple[float, int]:
    started = time.perf_counter()
    report = build_call_lists(day=DAY)
    return time.perf_counter() - started, report.added


def measure(repeat: int) -> dict:
    baseline, first, second = [], [], []
    added = 0
    for _ in range(repeat):
        baseline.append(raw_sql_baseline())
        clear_list()
        seconds, added = timed_build()
        first.append(seconds)
        second.append(timed_build()[0])
    return {
        "baseline": statistics.median(baseline),
        "first": statistics.median(first),
        "second": statistics.median(second),
        "added": added,
    }


def main() -> None:
    args = ARGS
    call_command("migrate", verbosity=0)
    sql("DELETE FROM auth_user_groups")
    fill_people_and_cases()
    for n in range(8):
        sql(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined) VALUES ('!', false, %s, '', '', '', false,"
            " true, now())",
            [f"bench-agent{n}"],
        )
    sql(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u,"
        " auth_group g WHERE g.name = 'agent' AND u.username LIKE 'bench-agent%%'"
    )
    add_tasks(args.due, history=False)
    add_tasks(300_000, history=True)
    results = {"300k": measure(args.repeat)}
    add_tasks(2_700_000, history=True)
    results["3M"] = measure(args.repeat)

    print(f"\nbuild_call_lists on PostgreSQL, {args.due:,} tasks due, median of {args.repeat}")
    print(
        f"{'history':>8} {'added':>7} {'raw SQL':>9} {'1st run':>9} {'2nd run':>9} {'1st/raw':>8}"
    )
    for label, r in results.items():
        print(
            f"{label:>8} {r['added']:>7,} {r['baseline']:>8.3f}s {r['first']:>8.3f}s"
            f" {r['second']:>8.3f}s {r['first'] / r['baseline']:>7.2f}x"
        )
    ratio = results["3M"]["first"] / results["300k"]["first"]
    print(f"history ratio (3M vs 300k, first run): {ratio:.2f} (target <= 1.3)")
    print(
        f"ratio to raw SQL at 3M: {results['3M']['first'] / results['3M']['baseline']:.2f}"
        " (target <= 2)"
    )


if __name__ == "__main__":
    main()
