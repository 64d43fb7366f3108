"""Print the database URL the test suite should use: real PostgreSQL when reachable.

Under CI (CI=true) PostgreSQL is required: if it is not reachable this exits non-zero
with a message naming the missing service, so CI fails instead of passing on SQLite.
"""

import os
import sys
import tempfile

import psycopg2

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/huifang")


def postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except psycopg2.OperationalError as error:
        return str(error).strip().splitlines()[0]
    return None


def main() -> int:
    if os.environ.get("DATABASE_URL"):
        print(os.environ["DATABASE_URL"])
        return 0
    problem = postgres_reachable(POSTGRES_URL)
    if problem is None:
        print(POSTGRES_URL)
        return 0
    if os.environ.get("CI", "").lower() == "true":
        print(
            f"CI needs PostgreSQL at {POSTGRES_URL} and it is not reachable: {problem}",
            file=sys.stderr,
        )
        return 1
    print(
        f"WARNING: PostgreSQL not reachable ({problem}); tests run on SQLite and the "
        "PostgreSQL-only tests will be skipped with that reason.",
        file=sys.stderr,
    )
    print("sqlite:///" + os.path.join(tempfile.gettempdir(), "huifang-test.sqlite3"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
