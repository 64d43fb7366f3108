"""The claim is one plain SELECT of the database function huifang_claim: nothing is kept on
the connection, so it works behind a transaction-mode pooler (PgBouncer hands each
transaction whichever server session is free, and resets sessions with DISCARD ALL), and
with either PostgreSQL driver."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from followups.models import QueueEntryStatus
from followups.services.claims import claim_next_call
from tests.factories import UserFactory
from tests.integration.test_claim_concurrency import IN_WINDOW, list_entries

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def agents(*names):
    return [UserFactory(username=name, role="agent") for name in names]


def test_the_claim_leaves_nothing_prepared_on_the_session(postgres):
    (agent,) = agents("first")
    list_entries(1)
    assert claim_next_call(agent=agent, now=IN_WINDOW).entry is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0


def test_the_claim_works_after_the_session_is_reset_as_a_pooler_does(postgres):
    first, second = agents("first", "second")
    entry_ids = list_entries(2)
    assert claim_next_call(agent=first, now=IN_WINDOW).entry is not None
    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL")  # PgBouncer's reset between clients
    taken = claim_next_call(agent=second, now=IN_WINDOW).entry
    assert taken is not None and taken.pk in entry_ids
    assert taken.status == QueueEntryStatus.CLAIMED and taken.claimed_by_id == second.pk
    # The first agent asking again after the reset gets the call they hold, not a new one.
    again = claim_next_call(agent=first, now=IN_WINDOW).entry
    assert again is not None and again.pk != taken.pk and again.claimed_by_id == first.pk


def test_the_driver_in_use_is_the_one_configured(postgres):
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    assert is_psycopg3 == (settings.PG_DRIVER == "psycopg")


@pytest.mark.skipif(
    os.environ.get("HUIFANG_PG_DRIVER") == "psycopg", reason="this is the psycopg 3 run itself"
)
def test_the_claims_pass_with_psycopg_3_too(postgres):
    """The claim tests again, in a process that uses psycopg 3 (the suite uses psycopg2)."""
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}"
        f"/{database['NAME'].removeprefix('test_')}_psycopg3"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "tests/integration/test_claim_function.py",
            "tests/services/test_queue_claims.py",
        ],
        cwd=ROOT,
        env={**os.environ, "HUIFANG_PG_DRIVER": "psycopg", "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary
