"""Benchmark: agents claiming calls and recording outcomes over the real HTTP API.

Creates (drops first) the database `huifang_bench_queue`, fills it with a history (past
lists and tasks) and today's list of --entries calls under a policy whose window is open
all day, starts the app under gunicorn on 127.0.0.1:8799 (DEBUG off, token auth) and
measures, in one run:

  * the framework floor: GET /api/v1/ping/ (token auth and DRF, nothing else);
  * claims alone: POST /api/v1/queue/next/, each by an agent holding nothing yet;
  * the agents' loop: claim the next call, post its outcome, until the list is empty,
    with 8 and then 16 agents (duplicates: an entry handed to two claims);
  * the same loop with 16 agents who pause after each claim and outcome (talk, wrap-up),
    so that the server is busy but not flooded: the wait an agent actually sees;
  * a raw-SQL claim loop (psycopg2, UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED
    LIMIT 1) RETURNING id) with 8 workers on the same list;
  * the queries per claim and per outcome (CaptureQueriesContext, in process);
  * the CPU time per claim and per outcome (time.process_time, in process): less sensitive
    to the machine's load than the times over HTTP.

Usage:

    DEBUG=1 .venv/bin/python bench/bench_queue.py [--entries 4000] [--workers 4]
        [--worker-class sync] [--port 8799] [--loops-only]

BENCH_DATABASE names another database (to run beside another copy of the bench).
"""

import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter

import common
from common import ROOT, ms, progress, rows, scalar, spread, sql

PARSER = common.parser(__doc__, entries=4000, workers=4, port=8799)
PARSER.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
PARSER.add_argument("--loops-only", action="store_true", help="the 16 agents' loop alone")
# Persistent connections, as a deployment would run (DATABASE_URL's conn_max_age). The
# cache a deployment has (Redis; docker-compose sets it): the agents' permission sets live
# there, shared by the server's workers and this process.
ARGS = common.start(
    "huifang_bench_queue",
    PARSER,
    persistent=True,
    var_dir=True,
    env={
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        # The in-process CPU figure sends hundreds of requests a minute as one agent.
        "HUIFANG_API_THROTTLE_USER": "1000000/minute",
    },
)

from queue_in_process import (  # noqa: E402
    CPU_RUNS,
    HOST,
    count_queries,
    cpu_per_request,
    outcome_body,
)

from followups import clock  # noqa: E402
from followups.services.call_lists import build_call_lists  # noqa: E402

TODAY = clock.today()
REDIS_URL = os.environ["REDIS_URL"]
HISTORY_TASKS = 200_000
PAST_LISTS = 5
REQUEST_TIMEOUT = 30
# The paced run: agents who talk and wrap up (compressed from minutes to a quarter
# second), so the server is not flooded and the claim's latency is what an agent waits.
PACE_SECONDS = 0.25
PACED_CALLS = 40
RUN_TIMEOUT = 600  # seconds: every client loop stops by itself after this
CPU_PAIRS = 200  # claims and outcomes a run of the CPU figure (queue_in_process.py)


# --- Data ---------------------------------------------------------------------------------------


def fill(entries: int) -> None:
    """A policy open all day, a plan, customers and cases; a history of finished tasks and
    past lists; `entries` tasks due today."""
    all_day = (dt.time(0), dt.time(23, 59, 59))
    _policy, plan = common.make_policy_and_plan(
        name="bench all day",
        windows=[all_day],
        holiday_rule="call_on_holidays",
        quiet_before=all_day[0],
        quiet_after=all_day[1],
    )
    customers = max(entries, 50_000)
    common.add_customers(1, customers, gender="CASE WHEN i %% 2 = 0 THEN 'M' ELSE 'F' END")
    common.add_cases(plan.pk, anchor="%s::date - 3", params=[TODAY])
    common.add_tasks(
        "SELECT 1 + (i %% %s), 'scheduled', 'done', %s::date - (1 + i %% 700), 1, 3,"
        " '{\"complete\": 1}', '', false, now(), now() FROM generate_series(1, %s) i",
        [customers, TODAY, HISTORY_TASKS],
    )
    for days_back in range(1, PAST_LISTS + 1):
        day = TODAY - dt.timedelta(days=days_back)
        sql(
            "INSERT INTO followups_calllist (day, built_at, report) VALUES (%s, now(), '{}')",
            [day],
        )
        # One entry per person and day, as the list build makes them.
        sql(
            "INSERT INTO followups_queueentry (call_list_id, task_id, customer_id, priority,"
            " status, calls_made, closed_at) SELECT (SELECT id FROM followups_calllist"
            " WHERE day = %s), t.id, t.customer_id, 0, 'done', 1, now() FROM (SELECT DISTINCT"
            " ON (c.customer_id) t.id, c.customer_id FROM followups_followuptask t JOIN"
            " followups_case c ON c.id = t.case_id WHERE t.due_date = %s"
            " ORDER BY c.customer_id, t.id) t LIMIT %s",
            [day, day, entries],
        )
    common.add_tasks(
        "SELECT c.id, 'scheduled', 'pending', %s, 0, 3, '{}', '', false, now(), now()"
        " FROM followups_case c ORDER BY c.id LIMIT %s",
        [TODAY, entries],
    )
    sql("ANALYZE")


def sign_in(users: list) -> None:
    """The agents have been at work today: their permission sets are in the shared cache,
    as after their first request (auth_backend.CachedPermissionsBackend)."""
    from django.contrib.auth import get_user_model

    from followups.auth_backend import CachedPermissionsBackend

    backend = CachedPermissionsBackend()
    for user in get_user_model().objects.filter(pk__in=[user_id for user_id, _ in users]):
        backend.get_all_permissions(user)


def fresh_list(agent_ids: list[int], *, pooled: bool = False) -> int:
    """Today's list built anew by build_call_lists, shared among `agent_ids` (the day's
    roster); with `pooled`, every entry left to the pool. Returns the number of entries."""
    sql("DELETE FROM followups_scriptanswer")
    sql("DELETE FROM followups_escalation")
    sql("DELETE FROM followups_callattempt")
    sql(
        "DELETE FROM followups_queueentry WHERE call_list_id IN"
        " (SELECT id FROM followups_calllist WHERE day = %s)",
        [TODAY],
    )
    sql("DELETE FROM followups_calllist WHERE day = %s", [TODAY])
    sql(
        "UPDATE followups_followuptask SET status = 'pending', kind = 'scheduled', attempts = 0,"
        " outcome_counts = '{}', earliest_at = NULL, status_reason = '', agent_id = NULL"
        " WHERE due_date >= %s OR (status <> 'done')",
        [TODAY],
    )
    sql("UPDATE followups_case SET agent_id = NULL WHERE agent_id IS NOT NULL")
    sql("DELETE FROM followups_dutyday")
    for agent_id in agent_ids:
        sql("INSERT INTO followups_dutyday (agent_id, day) VALUES (%s, %s)", [agent_id, TODAY])
    report = build_call_lists(day=TODAY)
    if pooled:
        sql("UPDATE followups_queueentry SET assigned_agent_id = NULL")
    sql("VACUUM ANALYZE followups_queueentry")
    sql("VACUUM ANALYZE followups_followuptask")
    return report.added


# --- HTTP clients -------------------------------------------------------------------------------


class Api:
    """One agent's side of the API: a new connection per request, as gunicorn's sync
    workers close it after each response."""

    def __init__(self, port: int, token: str):
        self.port, self.headers = (
            port,
            {
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
            },
        )

    def call(self, method: str, path: str, body=None, headers=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            started = time.perf_counter()
            conn.request(
                method,
                path,
                body=json.dumps(body) if body is not None else None,
                headers={**self.headers, **(headers or {})},
            )
            response = conn.getresponse()
            content = response.read()
            seconds = time.perf_counter() - started
        finally:
            conn.close()
        return response.status, response, content, seconds


def run_threads(count: int, work) -> tuple[list, float]:
    """Run work(index) in `count` threads started together; their results and the wall time."""
    start = threading.Barrier(count + 1)
    results: list = [None] * count
    errors: list = []

    def worker(index):
        start.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # printed by the caller
            errors.append(repr(error))

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=RUN_TIMEOUT + 60)
    wall = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} client errors, first: {errors[0]}")
    return results, wall


def floor(port: int, tokens: list[str], clients: int, per_client: int) -> dict:
    def work(index):
        api, times = Api(port, tokens[index % len(tokens)]), []
        for _ in range(per_client):
            status, _response, _content, seconds = api.call("GET", "/api/v1/ping/")
            assert status == 200, status
            times.append(seconds)
        return times

    results, wall = run_threads(clients, work)
    times = [t for per in results for t in per]
    return {
        "rate": len(times) / wall,
        **spread(times),
    }


def claims_alone(port: int, tokens: list[str], clients: int) -> dict:
    """Each claim by an agent holding nothing: the queue's claim path, no outcome posted."""
    lock, queue = threading.Lock(), list(tokens)
    deadline = time.monotonic() + RUN_TIMEOUT

    def work(_index):
        taken, times = [], []
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return taken, times
                token = queue.pop()
            status, _response, content, seconds = Api(port, token).call(
                "POST", "/api/v1/queue/next/"
            )
            if status == 204:
                return taken, times
            assert status == 200, (status, content[:200])
            taken.append(json.loads(content)["id"])
            times.append(seconds)
        return taken, times

    return claim_figures(*run_threads(clients, work))


def claim_figures(results: list, wall: float) -> dict:
    """Claims, rate, spread and duplicates of threads that each returned (taken, times)."""
    taken = [pk for per, _ in results for pk in per]
    times = [t for _, per in results for t in per]
    return {
        "claims": len(taken),
        "rate": len(taken) / wall,
        **spread(times),
        "duplicates": len(taken) - len(set(taken)),
    }


def agents_loop(
    port: int, agents: list[tuple[int, str]], *, pause: float = 0.0, calls: int | None = None
) -> dict:
    """Each agent: claim the next call, post its outcome, until the list is done (or after
    `calls` calls), pausing `pause` seconds after each claim (the talk) and each outcome
    (the wrap-up)."""
    deadline = time.monotonic() + RUN_TIMEOUT

    def work(index):
        api = Api(port, agents[index][1])
        claims, outcomes, taken, waits = [], [], [], 0
        time.sleep(2 * pause * index / len(agents))  # paced agents do not start in step
        while time.monotonic() < deadline and (calls is None or len(taken) < calls):
            status, response, content, seconds = api.call("POST", "/api/v1/queue/next/")
            if status == 204:
                if response.getheader("X-Queue-Reason") == "all_claimed" and waits < 500:
                    waits += 1
                    time.sleep(0.01)
                    continue
                return claims, outcomes, taken
            assert status == 200, (status, content[:200])
            claims.append(seconds)
            entry = json.loads(content)
            taken.append(entry["id"])
            time.sleep(pause)
            body = outcome_body(
                entry, script_version=entry["script_version"], satisfaction="satisfied"
            )
            status, _response, content, seconds = api.call("POST", "/api/v1/outcomes/", body)
            assert status == 201, (status, content[:300])
            outcomes.append(seconds)
            time.sleep(pause)
        return claims, outcomes, taken

    results, wall = run_threads(len(agents), work)
    claims = [t for per, _, _ in results for t in per]
    outcomes = [t for _, per, _ in results for t in per]
    taken = [pk for _, _, per in results for pk in per]
    return {
        "claims": len(taken),
        "rate": len(taken) / wall,
        **{f"claim_{name}": value for name, value in spread(claims).items()},
        **{f"outcome_{name}": value for name, value in spread(outcomes).items()},
        "duplicates": len(taken) - len(set(taken)),
        "attempts_per_entry": Counter(
            Counter(
                row[0]
                for row in rows(
                    "SELECT queue_entry_id FROM followups_callattempt"
                    " WHERE queue_entry_id IS NOT NULL AND same_call_as_id IS NULL"
                )
            ).values()
        ),
    }


def raw_sql_claims(workers: int, agent_ids: list[int]) -> dict:
    """The floor of the database itself: the classic one-statement claim."""
    list_id = scalar("SELECT id FROM followups_calllist WHERE day = %s", [TODAY])

    def work(index):
        db = common.connect_raw()
        taken, times = [], []
        try:
            with db.cursor() as cursor:
                while True:
                    started = time.perf_counter()
                    cursor.execute(
                        "UPDATE followups_queueentry SET status = 'claimed', claimed_by_id = %s,"
                        " claimed_at = now(), lease_expires_at = now() + interval '15 minutes'"
                        " WHERE id = (SELECT id FROM followups_queueentry WHERE call_list_id = %s"
                        " AND status = 'waiting' ORDER BY priority, id LIMIT 1"
                        " FOR UPDATE SKIP LOCKED) RETURNING id",
                        [agent_ids[index % len(agent_ids)], list_id],
                    )
                    row = cursor.fetchone()
                    if row is None:
                        return taken, times
                    times.append(time.perf_counter() - started)
                    taken.append(row[0])
        finally:
            db.close()

    return claim_figures(*run_threads(workers, work))


# --- Server -------------------------------------------------------------------------------------


def start_server(port: int, workers: int, worker_class: str) -> subprocess.Popen:
    probe = socket.socket()
    try:
        if probe.connect_ex((HOST, port)) == 0:
            raise SystemExit(f"port {port} is taken: choose another with --port")
    finally:
        probe.close()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-queue-not-a-real-secret",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": common.database_url(),
        "REDIS_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
        # Each simulated agent claims far faster than a person: the per-user API throttle is
        # kept (its cache round trip is part of a request) at a rate the bench never reaches.
        "HUIFANG_API_THROTTLE_USER": "1000000/minute",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "callcenter.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--backlog",
        "256",
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        command += ["--threads", "4"]
    # Its own process group, so that stopping it stops its workers too.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def wait_for(port: int, token: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            if Api(port, token).call("GET", "/api/v1/ping/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def main() -> None:
    args = ARGS

    progress("filling the database")
    fill(args.entries)
    agents = common.add_users("bench-agent", 16, tokens=True)
    solo = common.add_users(
        "bench-solo", args.entries + 50, group=None, permission="work_queue", tokens=True
    )
    agent_ids = [agent_id for agent_id, _ in agents]
    from django.core.cache import cache

    cache.clear()
    sign_in(agents + solo)

    listed = fresh_list(agent_ids[:1])
    queries = count_queries(agents[0])
    progress("CPU per claim and per outcome, in process")
    cpu = cpu_per_request(agents[0], min(CPU_PAIRS, (listed - 10) // CPU_RUNS))

    full = not args.loops_only
    sizes = (8, 16) if full else (16,)
    server = start_server(args.port, args.workers, args.worker_class)
    try:
        wait_for(args.port, agents[0][1], server)
        tokens = [token for _, token in agents]
        floor(args.port, tokens, 16, 20)  # warm up every worker
        floors, alone, loops = {}, {}, {}
        for n in sizes if full else ():
            progress(f"framework floor, {n} clients")
            floors[n] = floor(args.port, tokens, n, 3000 // n)
        for n in sizes if full else ():
            fresh_list(agent_ids, pooled=True)
            progress(f"claims alone, {n} clients")
            alone[n] = claims_alone(args.port, [token for _, token in solo], n)
        for n in sizes:
            added = fresh_list(agent_ids[:n])
            progress(f"agents' loop, {n} agents, {added} entries")
            loops[n] = agents_loop(args.port, agents[:n])
            loops[n]["listed"] = added
        if full:
            fresh_list(agent_ids)
            progress(f"agents at a pace, 16 agents, {PACED_CALLS} calls each")
            paced = agents_loop(args.port, agents, pause=PACE_SECONDS, calls=PACED_CALLS)
    finally:
        stop_server(server)
    if full:
        fresh_list(agent_ids)
        progress("raw SQL claims, 8 workers")
        raw = raw_sql_claims(8, agent_ids)

    load = os.getloadavg()
    print(
        f"\nLoad average at the end (other work on the machine): {load[0]:.1f} {load[1]:.1f}"
        f" {load[2]:.1f}"
    )
    print(
        f"\nQueue benchmark: {args.entries:,} entries today, {HISTORY_TASKS:,} tasks and"
        f" {PAST_LISTS} lists of history; gunicorn {args.worker_class}, {args.workers} workers"
        f" on {os.cpu_count()} cores, PostgreSQL on the same machine; times in ms"
    )
    print("\nQueries per request (in process):")
    for label, captured in queries.items():
        print(f"  {label:<20} {len(captured):>3}")
    print("  claim:")
    for query in queries["claim"]:
        print(f"    {query['sql'][:110]}")
    print("  outcome:")
    for query in queries["outcome"]:
        print(f"    {re.sub(r'^SELECT .*? FROM ', 'SELECT … FROM ', query['sql'])[:110]}")
    print(
        f"\nCPU per request (in process, the median of {cpu['runs']} runs of {cpu['pairs']}"
        f" claims and outcomes): claim {cpu['claim'] * 1000:.2f} ms  outcome"
        f" {cpu['outcome'] * 1000:.2f} ms"
    )
    if not full:
        r, names = loops[16], ("claim_p50", "claim_p99", "outcome_p50", "outcome_p99")
        shown = [f"{r['rate']:.1f} claims/s", *(f"{n} {ms(r[n])}" for n in names)]
        return print(f"\n16 agents: {'  '.join(shown)}  duplicates {r['duplicates']}")
    print("\nFramework floor, GET /api/v1/ping/:")
    for n, r in floors.items():
        print(f"  {n:>2} clients {r['rate']:8.1f} req/s  p50 {ms(r['p50'])}  p99 {ms(r['p99'])}")
    print("\nClaims alone, POST /api/v1/queue/next/ (each by an agent holding nothing):")
    for n, r in alone.items():
        ratio = r["rate"] / floors[n]["rate"]
        print(
            f"  {n:>2} clients {r['rate']:8.1f} claims/s  p50 {ms(r['p50'])}  p99 {ms(r['p99'])}"
            f"  duplicates {r['duplicates']}  {ratio:5.0%} of the floor (target >= 70 %)"
        )
    print("\nAgents' loop: claim, post the outcome, until the list is done:")
    for n, r in loops.items():
        print(
            f"  {n:>2} agents {r['claims']:>5}/{r['listed']} claimed  {r['rate']:7.1f} claims/s"
            f"  claim p50 {ms(r['claim_p50'])} p99 {ms(r['claim_p99'])}"
            f"  outcome p50 {ms(r['outcome_p50'])} p99 {ms(r['outcome_p99'])}"
            f"  duplicates {r['duplicates']}  attempts per entry {dict(r['attempts_per_entry'])}"
        )
    print(
        f"  16 agents at a pace ({PACE_SECONDS * 1000:.0f} ms of talk after each claim and of"
        f" wrap-up after each outcome): {paced['claims']} claims, {paced['rate']:.1f} claims/s"
        f"  claim p50 {ms(paced['claim_p50'])} p99 {ms(paced['claim_p99'])}"
        f"  outcome p50 {ms(paced['outcome_p50'])} p99 {ms(paced['outcome_p99'])}"
        f"  duplicates {paced['duplicates']}"
    )
    print(
        f"  requests/s in the 16-agent loop {2 * loops[16]['rate']:.1f}"
        f" = {2 * loops[16]['rate'] / floors[16]['rate']:.0%} of the floor"
    )
    print(
        f"\nRaw SQL claim loop, 8 workers: {raw['rate']:8.1f} claims/s  p50 {ms(raw['p50'])}"
        f"  p99 {ms(raw['p99'])}  duplicates {raw['duplicates']}  ({raw['claims']} claims)"
    )
    duplicates = sum(r["duplicates"] for r in [*alone.values(), *loops.values(), paced, raw])
    print(
        f"\nTargets: duplicates 0 -> {duplicates};"
        f" claims >= 70 % of the floor -> {alone[16]['rate'] / floors[16]['rate']:.0%} (16),"
        f" {alone[8]['rate'] / floors[8]['rate']:.0%} (8);"
        f" claim p99 <= 50 ms with 16 agents -> {ms(loops[16]['claim_p99']).strip()} ms"
        f" flat out, {ms(paced['claim_p99']).strip()} ms at a pace"
        f" (claims alone {ms(alone[16]['p99']).strip()} ms)"
    )


if __name__ == "__main__":
    main()
