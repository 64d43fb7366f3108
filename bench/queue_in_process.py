"""bench_queue.py's figures taken in process, through the whole middleware stack (Django's
test client, token auth): the queries per claim and per outcome, and their CPU time.
Imported once the bench has set Django up."""

import datetime as dt
import statistics
import time
import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

HOST = "127.0.0.1"
CPU_RUNS = 3  # the CPU figure is the median run


def outcome_body(entry: dict, **more) -> dict:
    """A completed three-minute call, ended now, on the claimed `entry` (with the claim
    token the claim answered with: the proof the call was handed to this agent)."""
    now = timezone.now()
    return {
        "entry": entry["id"],
        "claim_token": entry["claim_token"],
        "idempotency_key": uuid.uuid4().hex,
        "disposition": "complete",
        "started_at": (now - dt.timedelta(minutes=3)).isoformat(),
        "ended_at": now.isoformat(),
        **more,
    }


# --- Queries per request ------------------------------------------------------------------------


def count_queries(agent: tuple[int, str]) -> dict:
    """Queries per request, in process, through the whole middleware stack."""
    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {agent[1]}")
    counts = {}
    with CaptureQueriesContext(connection) as ping:
        assert client.get("/api/v1/ping/").status_code == 200
    counts["ping"] = ping.captured_queries
    with CaptureQueriesContext(connection) as cold:
        response = client.post("/api/v1/queue/next/")
    assert response.status_code == 200, response.status_code
    counts["claim, cold caches"] = cold.captured_queries
    _complete(client, response.json())
    with CaptureQueriesContext(connection) as claim:
        response = client.post("/api/v1/queue/next/")
    assert response.status_code == 200, response.status_code
    counts["claim"] = claim.captured_queries
    with CaptureQueriesContext(connection) as held:
        assert client.post("/api/v1/queue/next/").status_code == 200
    counts["claim again (held)"] = held.captured_queries
    with CaptureQueriesContext(connection) as outcome:
        _complete(client, response.json())
    counts["outcome"] = outcome.captured_queries
    return counts


def cpu_per_request(agent: tuple[int, str], pairs: int) -> dict:
    """CPU time of this process per claim and per outcome, through the whole middleware
    stack (time.process_time around each request): the median of CPU_RUNS runs of `pairs`
    claims, each followed by its outcome."""
    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {agent[1]}")
    runs = []
    for _run in range(CPU_RUNS):
        claim = outcome = 0.0
        for _pair in range(pairs):
            started = time.process_time()
            response = client.post("/api/v1/queue/next/")
            claim += time.process_time() - started
            assert response.status_code == 200, response.status_code
            body = outcome_body(response.json())
            started = time.process_time()
            response = client.post("/api/v1/outcomes/", body, content_type="application/json")
            outcome += time.process_time() - started
            assert response.status_code == 201, response.content
        runs.append((claim / pairs, outcome / pairs))
    return {
        "runs": CPU_RUNS,
        "pairs": pairs,
        "claim": statistics.median(claim for claim, _ in runs),
        "outcome": statistics.median(outcome for _, outcome in runs),
    }


def _complete(client: Client, entry: dict) -> None:
    body = outcome_body(entry)
    response = client.post("/api/v1/outcomes/", body, content_type="application/json")
    assert response.status_code == 201, response.content
