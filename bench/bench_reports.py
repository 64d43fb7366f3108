"""Benchmark: the supervisor's dashboard pages over a large call history, on PostgreSQL.

Creates (drops first) the database `huifang_bench_reports` and fills it in two stages over
the same year of history: 20,000 cases (about 100,000 call attempts), then 200,000 cases
(about 1,000,000 attempts, with their script paths, escalations and reviews). What
record_outcome keeps for the reports (each task's last call, each case's first reach, the
day figures of the calls and script steps) is filled by the statements of migrations 0019,
0022 and 0025, timed, then vacuumed as autovacuum would have done over a year (the reports
read covering indexes). At each stage it renders every
supervisor page (each report at 30 and 365 days) with the test client logged in as a
supervisor and prints the server-side time (median of --repeat) and the number of queries,
beside raw-SQL baselines measured in the same run: a count(*) of the calls (each page is
also shown as a multiple of it) and the follow-up rate of 30 and 365 days.
Usage:

    DEBUG=1 .venv/bin/python bench/bench_reports.py [--repeat 3] [--explain] [--quick] [--reuse]

--reuse measures the database an earlier run left (its last stage), migrated to the latest
migrations and vacuumed, without building it again (a million calls take some 12 minutes
to build): for trying out a change; the figures to quote come from a full run.

BENCH_DATABASE names another database (to run beside another copy of the bench).
"""

import datetime as dt
import importlib
import sys
import time

import common
from common import scalar, sql, timed

PARSER = common.parser(__doc__, repeat=3)
PARSER.add_argument("--explain", action="store_true", help="time each report query")
PARSER.add_argument("--quick", action="store_true", help="10k and 100k calls, to try it out")
PARSER.add_argument(
    "--reuse", action="store_true", help="measure the database an earlier run left, as it is"
)
ARGS = common.start(
    "huifang_bench_reports",
    PARSER,
    env={"ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"},
    recreate="--reuse" not in sys.argv[1:],
)

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from followups.demo import DISCHARGE_GRAPH  # noqa: E402
from followups.services.due_days import count_past_days  # noqa: E402
from scripts.models import CallScript, ScriptVersion  # noqa: E402

DAY = dt.date(2026, 11, 23)
NOW = "2026-11-23 16:00 +0800"
DEPARTMENTS = 20
AGENTS = 30
STAGES = {"10k": 2_000, "100k": 20_000} if ARGS.quick else {"100k": 20_000, "1M": 200_000}
REPORTS = ["reach", "discharge-follow-up", "funnel", "aapor", "satisfaction", "scripts", "agents"]
# The statements migrations 0019, 0022 and 0025 fill the stored report figures with.
FACTS = importlib.import_module("followups.migrations.0019_report_facts")
CALL_FACTS = importlib.import_module("followups.migrations.0022_report_call_facts")
DAY_FIGURES = importlib.import_module("followups.migrations.0025_report_days")


def set_up() -> dict:
    _hospital, departments = common.make_hospital(
        (f"科室{n:02d}", f"d{n}") for n in range(1, DEPARTMENTS + 1)
    )
    # Calls on public holidays are not what the benchmark is about: the policy allows them,
    # so every generated call in a window counts as allowed.
    _policy, plan = common.make_policy_and_plan(holiday_rule="call_on_holidays")
    agents = common.add_users("bench-agent", AGENTS, first_name="'坐席' || lpad(i::text, 2, '0')")
    supervisor = User.objects.create(username="bench-supervisor", first_name="主管")
    supervisor.groups.add(Group.objects.get(name="supervisor"))
    script = CallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    old = ScriptVersion.objects.create(script=script, number=1, graph=DISCHARGE_GRAPH)
    new = ScriptVersion.objects.create(script=script, number=2, graph=DISCHARGE_GRAPH)
    ScriptVersion.objects.filter(pk=old.pk).update(status="retired")
    ScriptVersion.objects.filter(pk=new.pk).update(status="published")
    return {
        "plan": plan.pk,
        "agents": [agent_id for agent_id, _token in agents],
        "supervisor": supervisor,
        "v1": old.pk,
        "v2": new.pk,
        "department": departments[0].pk,
        "hospital": departments[0].hospital_id,
    }


def fill(first_case: int, last_case: int, ids: dict) -> float:
    """Cases first_case..last_case with their patients, tasks, calls, paths, escalations
    and reviews; every id is computed from the case number, so stages never collide. The
    stored report figures are filled over all rows as migrations 0019, 0022 and 0025 fill
    them: returns the seconds that took."""
    span = [first_case, last_case]
    common.add_customers(
        *span, phone="CASE WHEN i %% 50 = 0 THEN '' ELSE '+86138' || lpad(i::text, 8, '0') END"
    )
    sql(
        "INSERT INTO followups_patient (id, medical_record_number, attending_doctor,"
        " responsible_nurse, diagnosis, admitted_on, discharged_on, sensitive, died_on,"
        " customer_id, department_id, hospital_id) SELECT i, 'ZY' || i, '医生' || (i %% 7),"
        " '护士' || (i %% 5), '', NULL, NULL, false,"
        " CASE WHEN i %% 400 = 0 THEN %s::date - 400 END, i, %s + i %% %s, %s"
        " FROM generate_series(%s, %s) AS i",
        [DAY, ids["department"], DEPARTMENTS, ids["hospital"], *span],
    )
    sql(
        "INSERT INTO followups_case (id, kind, anchor_date, intent_class, product, status,"
        " closed_reason, closed_at, created_at, agent_id, customer_id, plan_id, patient_id,"
        " plan_chosen_by)"
        " SELECT i, CASE WHEN i %% 10 = 0 THEN 'after_sales' ELSE 'discharge' END,"
        " %s::date - 395 + ((i - %s) * 395) / (%s - %s + 1), '', '', 'open', '', NULL, now(),"
        " (%s::int[])[1 + i %% %s], i, %s, i, '' FROM generate_series(%s, %s) AS i",
        [DAY, first_case, last_case, first_case, ids["agents"], AGENTS, ids["plan"], *span],
    )
    # Three tasks per case, due 3, 7 and 30 days after the anchor; the final disposition
    # of a task is decided by f = (task id * 7) %% 100, so its status is known here.
    sql(
        "INSERT INTO followups_followuptask (id, kind, status, due_date, attempts,"
        " max_attempts, outcome_counts, status_reason, needs_number_fix, created_at,"
        " updated_at, agent_id, case_id, step_id, last_disposition)"
        " SELECT t.id, 'scheduled', CASE WHEN t.due >= %s OR c %% 50 = 0 THEN 'pending'"
        " WHEN f < 72 THEN 'done' WHEN f < 84 THEN 'unreachable' WHEN f < 87 THEN 'suspended'"
        " WHEN f < 91 THEN 'cancelled' WHEN f < 95 THEN 'unreachable' WHEN f < 96"
        " THEN 'cancelled' ELSE 'pending' END, t.due, CASE WHEN t.due >= %s OR c %% 50 = 0"
        " THEN 0 ELSE 1 + (t.id %% 2 = 0)::int + (t.id %% 4 = 0)::int END, 3, '{}', '',"
        " false, now(), now(), (%s::int[])[1 + c %% %s], c, NULL, ''"
        " FROM generate_series(%s, %s) AS c, generate_series(1, 3) AS s,"
        " LATERAL (SELECT (c - 1) * 3 + s AS id, %s::date - 395 + ((c - %s) * 395)"
        " / (%s - %s + 1) + (ARRAY[3, 7, 30])[s] AS due) AS t,"
        " LATERAL (SELECT (t.id * 7) %% 100 AS f) AS g ORDER BY t.due",
        [DAY, DAY, ids["agents"], AGENTS, *span, DAY, first_case, last_case, first_case],
    )
    sql(
        "INSERT INTO followups_callattempt (id, started_at, ended_at, dialled_number,"
        " disposition, satisfaction, intent_class, notes, callback_at, idempotency_key,"
        " after_lease_lost, created_at, agent_id, task_id, queue_entry_id, script_version_id,"
        " follow_up, submit_digest, rules_check, rules_in_force) SELECT t.id * 3 + n, st,"
        " st + dur, '+86138' || lpad(t.case_id::text, 8,"
        " '0'), disp, sat, '', CASE sat WHEN 'dissatisfied' THEN '等候时间太长' WHEN 'poor' THEN"
        " '换药时态度不好' WHEN 'satisfied' THEN CASE WHEN t.id %% 10 = 0 THEN '护士很耐心'"
        " ELSE '' END ELSE '' END, NULL, 'b' || (t.id * 3 + n), false, st + dur, t.agent_id,"
        " t.id, NULL, CASE WHEN t.due_date >= %s::date - 60 THEN %s ELSE %s END, '{}', '',"
        " CASE WHEN t.id %% 97 = 0 AND n = 2 THEN 'booked' ELSE 'window' END, '{}'"
        " FROM followups_followuptask t, generate_series(1, t.attempts) AS n,"
        " LATERAL (SELECT (t.id * 7) %% 100 AS f, n = t.attempts AS final) AS a,"
        " LATERAL (SELECT CASE WHEN NOT final THEN CASE WHEN t.id %% 97 = 0 AND n = 1"
        "  THEN 'callback' ELSE 'no_answer' END WHEN f < 70 THEN 'complete' WHEN f < 72"
        "  THEN 'partial' WHEN f < 78 THEN 'no_answer' WHEN f < 81 THEN 'busy' WHEN f < 84"
        "  THEN 'phone_off' WHEN f < 87 THEN 'wrong_number' WHEN f < 91 THEN 'refused'"
        "  WHEN f < 95 THEN 'family' WHEN f < 96 THEN 'deceased' ELSE 'callback' END AS disp,"
        "  ((t.due_date + (n - 1)) + CASE WHEN t.id %% 97 = 0 AND n = 2 THEN time '19:10'"
        "  WHEN (t.id + n) %% 2 = 0 THEN time '10:30' + ((t.id * 7 + n * 13) %% 55)"
        "  * interval '1 minute' ELSE time '15:00' + ((t.id * 11 + n) %% 145)"
        "  * interval '1 minute' END) AT TIME ZONE 'Asia/Shanghai' AS st,"
        "  (60 + (t.id * 31 + n) %% 400) * interval '1 second' AS dur) AS b,"
        " LATERAL (SELECT CASE WHEN final AND disp IN ('complete', 'partial') THEN"
        "  CASE t.id %% 20 WHEN 17 THEN 'neutral' WHEN 18 THEN 'dissatisfied' WHEN 19"
        "  THEN 'poor' ELSE 'satisfied' END ELSE '' END AS sat) AS c"
        " WHERE t.case_id BETWEEN %s AND %s ORDER BY st",
        [DAY, ids["v2"], ids["v1"], *span],
    )
    # How each call stood with the calling rules (rules_check) is kept as record_outcome
    # keeps it: the 19:10 calls are the callbacks booked on the call before, the others
    # start inside a window. The counters record_outcome keeps on each task, from its calls.
    sql(
        "UPDATE followups_followuptask t SET outcome_counts = agg.counts FROM (SELECT task_id,"
        " jsonb_object_agg(disposition, n) AS counts FROM (SELECT task_id, disposition,"
        " count(*) AS n FROM followups_callattempt WHERE task_id BETWEEN %s AND %s"
        " GROUP BY 1, 2) AS x GROUP BY task_id) AS agg WHERE t.id = agg.task_id",
        [(first_case - 1) * 3 + 1, last_case * 3],
    )
    # The path of each answered call: five steps, an objection for one call in 13.
    sql(
        "INSERT INTO followups_scriptanswer (id, position, node_id, value, is_objection,"
        " attempt_id, shown_text) SELECT a.id * 5 + p, p, CASE p WHEN 1 THEN 'greet' WHEN 2 THEN"
        " 'identity' WHEN 3 THEN CASE WHEN a.id %% 13 = 0 THEN 'how_number' ELSE"
        " 'q_recovery' END WHEN 4 THEN 'q_satisfaction' ELSE 'close_ok' END, CASE p"
        " WHEN 2 THEN 'yes' WHEN 3 THEN 'good' WHEN 4 THEN a.satisfaction ELSE '' END,"
        " p = 3 AND a.id %% 13 = 0, a.id, '' FROM followups_callattempt a, generate_series(1, 5) p"
        " WHERE a.disposition IN ('complete', 'partial') AND a.task_id BETWEEN %s AND %s"
        " ORDER BY a.started_at, p",
        [(first_case - 1) * 3 + 1, last_case * 3],
    )
    sql(
        "INSERT INTO followups_scriptanswer (id, position, node_id, value, is_objection,"
        " attempt_id, shown_text) SELECT a.id * 5 + p, p,"
        " CASE p WHEN 1 THEN 'greet' ELSE 'dnc' END, '',"
        " p = 2, a.id, '' FROM followups_callattempt a, generate_series(1, 2) p"
        " WHERE a.disposition = 'refused' AND a.task_id BETWEEN %s AND %s"
        " ORDER BY a.started_at, p",
        [(first_case - 1) * 3 + 1, last_case * 3],
    )
    sql(
        "INSERT INTO followups_escalation (category, severity, description, status, due_at,"
        " resolution, created_at, acknowledged_at, resolved_at, verified_at, attempt_id,"
        " case_id, department_id, owner_id) SELECT CASE WHEN a.task_id %% 500 = 0 THEN"
        " 'medical' ELSE 'service' END, CASE WHEN a.task_id %% 500 = 0 THEN 'urgent' WHEN"
        " a.satisfaction = 'poor' THEN 'high' ELSE 'normal' END, '客户反映问题', CASE WHEN"
        " a.ended_at < %s::date - 7 THEN 'resolved' ELSE 'open' END, a.ended_at + interval"
        " '1 day', '', a.ended_at, NULL, NULL, NULL, a.id, t.case_id, %s + t.case_id %% %s,"
        " NULL FROM followups_callattempt a JOIN followups_followuptask t ON t.id = a.task_id"
        " WHERE (a.satisfaction IN ('dissatisfied', 'poor') OR (a.task_id %% 500 = 0 AND"
        " a.disposition = 'complete')) AND a.task_id BETWEEN %s AND %s ORDER BY a.ended_at",
        [DAY, ids["department"], DEPARTMENTS, (first_case - 1) * 3 + 1, last_case * 3],
    )
    sql(
        "INSERT INTO followups_callreview (score, comment, created_at, attempt_id, reviewer_id)"
        " SELECT 60 + a.id %% 40, '', a.ended_at, a.id, %s FROM followups_callattempt a"
        " WHERE a.id %% 50 = 0 AND a.task_id BETWEEN %s AND %s",
        [ids["supervisor"].pk, (first_case - 1) * 3 + 1, last_case * 3],
    )
    started = time.perf_counter()
    sql(FACTS.FILL_LAST_CALLS)
    sql(FACTS.FILL_REACHED)
    sql(CALL_FACTS.FILL_CALL_PEOPLE)
    sql(CALL_FACTS.FILL_TASK_REACHED)
    sql(CALL_FACTS.FILL_REVIEWED_CALLS)
    # The day figures, over every call so far (the earlier stage's included).
    sql("DELETE FROM followups_callday")
    sql("DELETE FROM followups_scriptstepday")
    sql(DAY_FIGURES.FILL_CALL_DAYS, [settings.TIME_ZONE])
    sql(DAY_FIGURES.FILL_STEP_DAYS, [settings.TIME_ZONE])
    facts_seconds = time.perf_counter() - started
    count_due_days()
    sql("DELETE FROM followups_queueentry")
    sql("DELETE FROM followups_calllist")
    sql("INSERT INTO followups_calllist (day, report) VALUES (%s, '{}')", [DAY])
    # Today's list: one entry per person, led by their earliest pending task.
    sql(
        "INSERT INTO followups_queueentry (priority, status, calls_made, assigned_agent_id,"
        " call_list_id, task_id, customer_id) SELECT DISTINCT ON (c.customer_id)"
        " t.id %% 1000, 'waiting', 0, t.agent_id, l.id, t.id, c.customer_id FROM"
        " followups_followuptask t JOIN followups_case c ON c.id = t.case_id,"
        " followups_calllist l WHERE t.status = 'pending' AND"
        " t.due_date BETWEEN %s::date - 3 AND %s ORDER BY c.customer_id, t.due_date, t.id",
        [DAY, DAY],
    )
    common.set_sequences(["patient", "case", "followuptask", "callattempt", "scriptanswer"])
    # A year of history has been vacuumed by autovacuum long since: the visibility map
    # lets the reports read their covering indexes without visiting the rows.
    sql("VACUUM ANALYZE")
    return facts_seconds


def count_due_days() -> None:
    """The past due days counted as the morning build counts them, over the tasks so far
    (an earlier stage's rows are dropped: the new cases' tasks changed them); then the
    days a working day's calls change, uncounted again (see unsettle_week)."""
    started = time.perf_counter()
    sql("DELETE FROM followups_dueday")
    stored = count_past_days(today=DAY)
    seconds = time.perf_counter() - started
    print(f"  due days: {stored} counted in {seconds:.1f} s", flush=True)
    unsettle_week()


def unsettle_week() -> None:
    """By midday the agents have called tasks due on each of the last fourteen days (their
    follow-up windows), and each call drops its due day's counts: a task of each is
    touched, so that the reports count those days from their tasks as they would then."""
    for change in ["attempts + 1", "attempts - 1"]:  # a call counted, then taken back
        sql(
            f"UPDATE followups_followuptask SET attempts = {change} WHERE id IN ("  # noqa: S608
            " SELECT min(id) FROM followups_followuptask"
            " WHERE due_date BETWEEN %s::date - 14 AND %s::date - 1 GROUP BY due_date)",
            [DAY, DAY],
        )


def reused(ids: dict) -> dict:
    """The database an earlier run left, migrated and vacuumed: its sizes, as fill's."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    count_past_days(today=DAY)  # the days an earlier run did not count
    unsettle_week()
    sql("VACUUM ANALYZE")
    cases = scalar("SELECT count(*) FROM followups_case")
    label = next(label for label, size in STAGES.items() if size == cases)
    return {label: cases}


def pages(call_id: int, escalation_id: int) -> dict[str, str]:
    year = f"date_from={DAY - dt.timedelta(days=364)}&date_to={DAY}"
    reports = REPORTS
    return {
        "home (dashboard)": "/supervisor/",
        "home (dashboard, 365 days)": "/supervisor/?days=365",
        "urgent alert poll": "/supervisor/alerts/",
        "call outcomes": "/supervisor/calls/",
        "call outcomes, filtered": "/supervisor/calls/?disposition=complete&has_escalation=true",
        "call detail": f"/supervisor/calls/{call_id}/",
        "today's queue": "/supervisor/queue/",
        "escalations": "/supervisor/escalations/",
        "escalations, overdue": "/supervisor/escalations/?overdue=true",
        "escalation detail": f"/supervisor/escalations/{escalation_id}/",
        **{f"{name} (30 days)": f"/supervisor/reports/{name}/" for name in reports},
        **{f"{name} (365 days)": f"/supervisor/reports/{name}/?{year}" for name in reports},
    }


def baselines(repeat: int) -> dict[str, float]:
    """Raw SQL: a count of all calls, and the follow-up rate by day of the last 30 and 365
    days (reached: a call reaching the person, looked up per task)."""
    count = "SELECT count(*) FROM followups_callattempt"
    reach = (
        "SELECT t.due_date, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM"
        " followups_callattempt a WHERE a.task_id = t.id AND a.disposition IN"
        " ('complete', 'partial'))) FROM followups_followuptask t WHERE t.due_date"
        " BETWEEN %s::date - %s AND %s GROUP BY 1"
    )
    return {
        "count(*) of calls": timed(lambda: scalar(count), repeat),
        "30-day reach in raw SQL": timed(lambda: sql(reach, [DAY, 29, DAY]), repeat),
        "365-day reach in raw SQL": timed(lambda: sql(reach, [DAY, 364, DAY]), repeat),
    }


def measure(client: Client, repeat: int) -> dict[str, tuple[float, int]]:
    call_id = scalar("SELECT max(id) FROM followups_callattempt WHERE disposition = 'complete'")
    escalation_id = scalar("SELECT max(id) FROM followups_escalation")
    results = {}
    for label, url in pages(call_id, escalation_id).items():
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        results[label] = (timed(lambda url=url: client.get(url), repeat), len(queries))
    return results


def explain_reports(days: int) -> None:
    """EXPLAIN ANALYZE of each query of each report, slowest first: where the time goes."""
    from followups.reports import aapor, agents, discharge, funnel, reach, satisfaction, scripts
    from followups.reports.planning import without_jit
    from followups.reports.scope import ReportScope

    scope = ReportScope.last_days(today=DAY, days=days)
    versions = list(ScriptVersion.objects.all())
    reports = {
        "reach": lambda: reach.follow_up_rate(scope=scope),
        "discharge": lambda: discharge.discharge_follow_up(scope=scope),
        "funnel": lambda: funnel.reach_funnel(scope=scope),
        "aapor": lambda: aapor.aapor_report(scope=scope),
        "satisfaction": lambda: satisfaction.satisfaction_report(scope=scope),
        "scripts": lambda: scripts.compare_versions(versions=versions, scope=scope),
        "agents": lambda: agents.agent_figures(scope=scope),
        # The dashboard's own reads beside the funnel above.
        "dash agents": lambda: agents.agent_summary(scope=scope),
        "dash versions": lambda: scripts.version_summary(scope=scope),
        "dash ratings": lambda: satisfaction.satisfaction_totals(scope=scope),
    }
    print(f"\nWhere the time goes ({days} days, EXPLAIN ANALYZE, slowest three per report)")
    for name, build in reports.items():
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            build()
        timings = []
        for query in queries.captured_queries:
            statement = query["sql"].strip()
            if not statement.startswith(("SELECT", "WITH")) or "set_config" in statement:
                continue
            with without_jit(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
                plan = cursor.fetchone()[0][0]
            timings.append((plan["Execution Time"], plan["Plan"]["Node Type"], statement))
        for milliseconds, node, text in sorted(timings, reverse=True)[:3]:
            print(f"  {name:<13} {milliseconds:>8.1f} ms  {node:<16} {' '.join(text.split())[:70]}")


def main() -> None:
    args = ARGS
    if args.reuse:
        ids = {"supervisor": User.objects.get(username="bench-supervisor")}
        stages = reused(ids)
    else:
        ids = set_up()
        stages = STAGES
    client = Client()
    client.force_login(ids["supervisor"])
    results: dict = {}
    sizes, base = {}, {}
    first = 1
    for label, cases in stages.items():
        started = time.perf_counter()
        facts_seconds = 0.0 if args.reuse else fill(first, cases, ids)
        first = cases + 1
        sizes[label] = {
            "cases": scalar("SELECT count(*) FROM followups_case"),
            "tasks": scalar("SELECT count(*) FROM followups_followuptask"),
            "calls": scalar("SELECT count(*) FROM followups_callattempt"),
            "answers": scalar("SELECT count(*) FROM followups_scriptanswer"),
            "escalations": scalar("SELECT count(*) FROM followups_escalation"),
            "fill_seconds": time.perf_counter() - started,
            "facts_seconds": facts_seconds,
        }
        with time_machine.travel(NOW, tick=False):
            base[label] = baselines(args.repeat)
            results[label] = measure(client, args.repeat)
            if args.explain and label == list(stages)[-1]:
                explain_reports(365)
    report(results, sizes, base, args.repeat)


def report(results: dict, sizes: dict, base: dict, repeat: int) -> None:
    print(f"\nSupervisor pages on PostgreSQL, median of {repeat}, server side (test client)")
    for label, size in sizes.items():
        print(
            f"  {label}: {size['cases']:,} cases, {size['tasks']:,} tasks, {size['calls']:,}"
            f" calls, {size['answers']:,} script answers, {size['escalations']:,} escalations"
            f" (filled in {size['fill_seconds']:.0f} s, of which the stored report figures"
            f" as migrations 0019, 0022 and 0025 fill them: {size['facts_seconds']:.1f} s)"
        )
    for label in sizes:
        for name, seconds in base[label].items():
            print(f"  baseline at {label}: {name}: {seconds * 1000:.1f} ms")
    small, large = list(sizes) * 2 if len(sizes) == 1 else sizes  # --reuse: one stage
    header = f"{'page':<32} {'queries':>9} {small:>8} {'x count':>8} {large:>8} {'x count':>8}"
    print(header)
    print("-" * len(header))
    for name in results[large]:
        counts = f"{results[small][name][1]:>4}/{results[large][name][1]:<4}"
        cells = "".join(
            f" {results[label][name][0] * 1000:>6.0f}ms"
            f" {results[label][name][0] / base[label]['count(*) of calls']:>8.1f}"
            for label in (small, large)
        )
        print(f"{name:<32} {counts:>9}{cells}")
    same = all(results[small][name][1] == results[large][name][1] for name in results[large])
    print(f"query counts equal at {small} and {large}: {same}")
    slowest = max(results[large].items(), key=lambda item: item[1][0])
    ratio = slowest[1][0] / base[large]["count(*) of calls"]
    print(
        f"slowest page at {large}: {slowest[0]} {slowest[1][0]:.2f} s, {ratio:.1f}x count(*)"
        " (target <= 1 s and <= 5x)"
    )


if __name__ == "__main__":
    main()
