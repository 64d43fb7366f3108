"""The benchmarks in bench/ and the test-database picker in tools/ start as documented."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHES = sorted(path.name for path in (ROOT / "bench").glob("bench_*.py"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_benchmark_is_found():
    assert BENCHES == [
        "bench_call_lists.py",
        "bench_import.py",
        "bench_queue.py",
        "bench_reach.py",
        "bench_reports.py",
    ]


@pytest.mark.parametrize("name", BENCHES)
def test_help_touches_no_database(name):
    # A server nobody listens on: dropping or creating a database would fail loudly.
    done = run(f"bench/{name}", "--help", BENCH_POSTGRES="postgres://nobody@127.0.0.1:9")
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout and "BENCH_DATABASE" in done.stdout
    assert f"bench/{name}" in (ROOT / "bench" / name).read_text()  # its usage line


def test_test_database_picker_keeps_a_given_url():
    done = run("tools/test_database.py", DATABASE_URL="postgres://somebody@db:5432/x")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "postgres://somebody@db:5432/x"


def test_make_test_uses_the_picker():
    assert "tools/test_database.py" in (ROOT / "Makefile").read_text()
