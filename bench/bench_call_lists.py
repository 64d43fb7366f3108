"""Benchmark: building the day's call list among a large history, on real PostgreSQL.

Creates (drops first) the database `huifang_bench`, fills it with 50,000 tasks due today
and 300,000 then 3,000,000 historical tasks, and prints, for each history size, the time
of build_call_lists (first and second run) beside a raw-SQL INSERT … SELECT … ON CONFLICT
DO NOTHING baseline measured in the same run. Usage:

    DEBUG=1 .venv/bin/python bench/bench_call_lists.py [--due 50000] [--repeat 3]

BENCH_DATABASE names another database (to run beside another copy of the bench).
"""

import datetime as dt
import statistics

import common

PARSER = common.parser(__doc__, repeat=3)
PARSER.add_argument("--due", type=int, default=50_000)
ARGS = common.start("huifang_bench", PARSER)

from followups.models import CallList, QueueEntry  # noqa: E402
from followups.services.call_lists import build_call_lists  # noqa: E402

DAY = dt.date(2026, 11, 23)
CUSTOMERS = 200_000


def fill_people_and_cases() -> None:
    _policy, plan = common.make_policy_and_plan()
    common.add_customers(1, CUSTOMERS, name="'c' || i", do_not_call="i %% 97 = 0")
    common.add_cases(
        plan.pk,
        anchor="%s::date - (c.id %% 60)::int",
        intent="(ARRAY['', 'A', 'B', 'C'])[1 + c.id %% 4]",
        params=[DAY],
    )


def add_tasks(count: int, *, history: bool) -> None:
    # History: finished tasks of past days; due: open tasks due today or a few days ago.
    status, days_back = ("'done'", "1 + (i %% 700)") if history else ("'pending'", "i %% 5")
    common.add_tasks(
        f"SELECT 1 + (i %% %s), 'scheduled', {status}, %s::date - ({days_back}), 1, 3, '{{}}',"
        " '', false, now(), now() FROM generate_series(1, %s) AS i",
        [CUSTOMERS, DAY, count],
    )
    common.sql("ANALYZE")


def clear_list() -> None:
    QueueEntry.objects.all().delete()
    CallList.objects.all().delete()


def raw_sql_baseline() -> float:
    """The floor: one statement that copies today's due tasks into the list, one entry per
    person (led by their earliest due task)."""
    clear_list()
    call_list = CallList.objects.create(day=DAY)
    seconds, _ = common.clocked(
        common.sql,
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
    return seconds


def timed_build() -> tuple[float, int]:
    seconds, report = common.clocked(build_call_lists, day=DAY)
    return seconds, report.added


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
    common.sql("DELETE FROM auth_user_groups")
    fill_people_and_cases()
    common.add_users("bench-agent", 8)
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
