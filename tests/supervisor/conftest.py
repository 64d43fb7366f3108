"""Fixtures of the supervisor's pages: one call with its case, an escalation, English."""

import pytest

from followups.models import Disposition, EscalationSeverity, TaskStatus
from tests.clock import on
from tests.reports.conftest import MON
from tests.reports.factories import agent, call, department, due_task, escalation


@pytest.fixture(autouse=True)
def in_english(english_pages):
    """Pages in English, as the assertions read them."""


@pytest.fixture
def cardio(db):
    return department("心内科")


@pytest.fixture
def a1(db):
    return agent("a1", "李娜")


def completed_call(dept, by, phone: str):
    """A complete call by `by` on Monday at 10:40, to a new person of `dept`."""
    task = due_task(due=MON, dept=dept, phone=phone, status=TaskStatus.DONE)
    return call(task, by=by, disposition=Disposition.COMPLETE, started=on(MON, 10, 40))


@pytest.fixture
def made_call(cardio, a1):
    return completed_call(cardio, a1, "+8613812345678")


@pytest.fixture
def urgent(made_call, cardio):
    return escalation(
        attempt=made_call,
        dept=cardio,
        severity=EscalationSeverity.URGENT,
        category="medical",
        description="患者诉伤口红肿流液",
        due_at=on(MON, 12, 40),
    )
