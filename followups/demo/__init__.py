"""The demo: its content (demo/content.py), call scripts (demo/scripts.py), and the seed
that adds them with weeks of history made by the services (demo/seeding.py, history.py,
calls.py). `manage.py seed_demo` runs it; tests use its script graphs."""

from followups.demo.content import DEMO_PASSWORD, DEMO_SEED, DEMO_USERS, DemoUser
from followups.demo.scripts import (
    AFTER_SALES_GRAPH,
    DISCHARGE_GRAPH,
    MISSED_APPOINTMENT_GRAPH,
    POLICY_GRAPH,
    SCRIPTS,
    ScriptSpec,
)
from followups.demo.seeding import DemoSeedResult, row_counts, seed_demo

__all__ = [
    "AFTER_SALES_GRAPH",
    "DEMO_PASSWORD",
    "DEMO_SEED",
    "DEMO_USERS",
    "DISCHARGE_GRAPH",
    "MISSED_APPOINTMENT_GRAPH",
    "POLICY_GRAPH",
    "SCRIPTS",
    "DemoSeedResult",
    "DemoUser",
    "ScriptSpec",
    "row_counts",
    "seed_demo",
]
