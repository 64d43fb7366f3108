"""Shared fixtures: role users, and a clear verdict when a real service is missing."""

import os

import pytest
from django.db import connection

from tests.factories import UserFactory


def _missing(service: str, why: str) -> None:
    # Under CI a missing service is a failure, never a silent pass or skip.
    message = f"{service} is required for this test and is not available: {why}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres(db):
    """Marks a test that needs real PostgreSQL (row locks, SKIP LOCKED, concurrency)."""
    if connection.vendor != "postgresql":
        _missing("PostgreSQL", f"the suite runs on {connection.vendor} (set DATABASE_URL)")
    return connection


@pytest.fixture
def agent(db):
    return UserFactory(username="agent-a", role="agent")


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor-a", role="supervisor")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-a", role="admin", is_staff=True)
