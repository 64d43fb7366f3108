"""Shared fixtures: role users, and a clear verdict when a real service is missing."""

import os

import pytest
from django.db import connection
from django.utils import translation

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

    from django.contrib.auth.models import Group
    from django.db.migrations.loader import MigrationLoader

    roles = ["agent", "department_head", "supervisor", "admin"]
    if Group.objects.filter(name__in=roles).count() == len(roles):
        return
    # Each runs on the models of its own migration, as migrate ran it: 0002 names the
    # script permissions as they were then (followups.view_callscript …), and 0015 moves
    # them to the scripts app, as it moved them on the database.
    loader = MigrationLoader(connection)
    for module, function in [
        ("0002_roles", "create_roles"),
        ("0003_daily_list_schedule", "schedule"),
        ("0005_roles_for_staff_models", "grant"),
        ("0006_lease_sweeper_schedule", "schedule"),
        ("0015_script_models_to_scripts_app", "to_scripts"),
        ("0020_plan_rules_and_recurring_steps", "grant"),
    ]:
        apps = loader.project_state(("followups", module)).apps
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
def other_agent(db):
    return UserFactory(username="agent-b", role="agent")


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor-a", role="supervisor")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-a", role="admin", is_staff=True)


@pytest.fixture(params=["one statement", "orm"])
def claim_path(request, settings):
    """Both claims, one run each: the one-statement claim of PostgreSQL
    (services/claim_sql.py) and the ORM claim SQLite uses must behave alike."""
    if request.param == "one statement" and connection.vendor != "postgresql":
        pytest.skip("the one-statement claim is PostgreSQL's (run with DATABASE_URL=postgres://…)")
    settings.HUIFANG_CLAIM_IN_ONE_STATEMENT = request.param == "one statement"
    return request.param


@pytest.fixture
def english():
    """Messages in English, as the assertions read them (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_pages(english, client):
    """Pages in English too: the test client asks for them."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


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
def _default_language_after_the_test():
    """A request with Accept-Language: en leaves English active in the thread (LocaleMiddleware
    activates, nothing deactivates): every test ends on the default language again."""
    yield
    translation.deactivate()


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
