"""Shared by the migration tests: they migrate a real PostgreSQL database back and forth."""

import pytest
from django.db import connection


@pytest.fixture
def postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(f"migrations are tested on PostgreSQL (the suite runs on {connection.vendor})")
