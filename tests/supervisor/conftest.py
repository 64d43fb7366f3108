"""Fixtures of the supervisor's pages: one call with its case, an escalation, English."""

import pytest

from followups.models import Disposition, EscalationSeverity, TaskStatus
from tests.reports.conftest import MON
from tests.reports.factories import agent, at, call, department, due_task, escalation


@pytest.fixture(autouse=True)
def in_english(english_pages):
    """Pages in English, as the assertions read them."""


@pytest.fixture
def cardio(db):
    return department("心内科")


@pytest.fixture
def a1(db):
    return agent("a1", "李娜")


@pytest.fixture
def made_call(cardio, a1):
    task = due_task(due=MON, dept=cardio, phone="+8613812345678", status=TaskStatus.DONE)
    return call(task, by=a1, disposition=Disposition.COMPLETE, started=at(MON, 10, 40))


@pytest.fixture
def urgent(made_call, cardio):
    return escalation(
        case=made_call.task.case,
        attempt=made_call,
        dept=cardio,
        severity=EscalationSeverity.URGENT,
        category="medical",
        description="患者诉伤口红肿流液",
        due_at=at(MON, 12, 40),
    )
