"""Shared by the migration tests: a real PostgreSQL database taken back to an older state,
filled with that state's historical models, and migrated forward again; whatever happens,
each test ends on the latest migrations, so the tests after it find the schema they expect."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor

Target = list[tuple[str, str | None]]
Touched = tuple[tuple[str, str], ...]


def latest(executor: MigrationExecutor) -> list[tuple[str, str]]:
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()


def migrate_to_latest() -> None:
    """Migrate forward, on a connection of its own: a migration failing in its deferred
    SQL leaves Django's connection inside a broken transaction, and that connection is
    dropped with the thread (the failure is raised here)."""
    errors = []

    def migrate():
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            executor.migrate(latest(executor))
        except Exception as error:  # raised in the test's thread below
            errors.append(error)
        finally:
            connections[DEFAULT_DB_ALIAS].close()

    thread = threading.Thread(target=migrate)
    thread.start()
    thread.join(timeout=120)
    if errors:
        raise errors[0]


@contextmanager
def migrated_back(
    before: Target,
    touched: Touched,
    *,
    state: Target | None = None,
    clean_first: Callable[[], object] = lambda: None,
) -> Iterator:
    """The app registry as of `state` (`before` unless said), on a database migrated back
    to `before`; the database is migrated to the latest again afterwards. When the
    migration under test failed on the test's rows, they are deleted first: `clean_first`,
    then the `touched` models in their order (children first), of users and groups only
    those named "migrating-…"."""
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor.loader.build_graph()
    apps_then = executor.loader.project_state(state or before).apps
    try:
        yield apps_then
    finally:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(latest(executor)):
            clean_first()
            for app_label, name in touched:
                rows = apps_then.get_model(app_label, name).objects.all()
                if name == "User":
                    rows = rows.filter(username__startswith="migrating-")
                if name == "Group":
                    rows = rows.filter(name__startswith="migrating-")
                rows.delete()
            executor.migrate(latest(executor))


def models_then(apps_then, touched: Touched) -> SimpleNamespace:
    """The `touched` models as of the older state, by name: then.Customer, then.User, …"""
    return SimpleNamespace(**{name: apps_then.get_model(app, name) for app, name in touched})
