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
def migration_data(transactional_db):
    """Re-create the rows migrations made (role groups with their permissions, the
    list-build schedule) when a transactional test before this one flushed them."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    if Group.objects.filter(name__in=["agent", "supervisor", "admin"]).count() == 3:
        return
    for module, function in [
        ("0002_roles", "create_roles"),
        ("0003_daily_list_schedule", "schedule"),
        ("0005_roles_for_staff_models", "grant"),
        ("0006_lease_sweeper_schedule", "schedule"),
    ]:
        getattr(importlib.import_module(f"followups.migrations.{module}"), function)(apps, None)


@pytest.fixture(autouse=True)
def fresh_contact_history():
    """What the retry planner learns from the calls of the past (staffing, people like
    this one) is kept per process: every test starts without it."""
    from followups.services import contact

    contact._staffing.clear()
    contact._similar.clear()
    yield
    contact._staffing.clear()
    contact._similar.clear()


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


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # A transactional test ends by emptying every table, including the rows migrations
    # made (role groups, the list-build schedule). Such tests restore that data before
    # they start (serialized rollback) and run after all the others, as Django orders
    # them; pytest-playwright's own reordering would otherwise mix them in.
    items.sort(key=_is_transactional)
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True),
                append=False,
            )


@pytest.fixture(autouse=True)
def _transactional_tests_start_with_migration_data(request):
    if _is_transactional(request.node) or "transactional_db" in request.fixturenames:
        request.getfixturevalue("migration_data")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: stored permission sets name users by id, and
    ids come back after a rollback."""
    from django.core.cache import cache

    from followups.auth_backend import forget_all_locally

    cache.clear()
    forget_all_locally()
    yield
    cache.clear()
    forget_all_locally()
