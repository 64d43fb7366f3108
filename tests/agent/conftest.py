"""Fixtures of the agent console: one Monday in November 2026 (Asia/Shanghai, default
windows 10:30–11:30 and 15:00–17:30), a discharge case with the demo discharge script
published, on agent-a's list; pages in English, as the assertions read them."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from followups.demo import DISCHARGE_GRAPH
from followups.services.claims import claim_next_call
from tests.clock import at
from tests.demo_script import COMPLETE_PATH, TO_SATISFACTION  # noqa: F401 (the tests' paths)
from tests.factories import (
    DepartmentFactory,
    PatientFactory,
    listed,
    plan_with_script,
    published_version,
)


@pytest.fixture(autouse=True)
def in_english(english_pages):
    """Pages in English, as the assertions read them."""


@pytest.fixture
def plan(db):
    return plan_with_script("出院回访", "discharge", case_kind="discharge")


@pytest.fixture
def version(plan):
    return published_version(plan.steps.get().script, DISCHARGE_GRAPH, published_at=at(8))


def listed_entry(plan, agent, *, sensitive=False, name="张三", phone="+8613812345678"):
    patient = PatientFactory(
        department=DepartmentFactory(name="心内科"),
        customer__name=name,
        customer__phone=phone,
        attending_doctor="周建国",
        sensitive=sensitive,
    )
    return listed(
        plan, patient=patient, agent=agent, priority=1, intent_class="B", step=plan.steps.get()
    )


@pytest.fixture
def entry(plan, version, agent):
    return listed_entry(plan, agent)


@pytest.fixture
def held(entry, agent):
    """The entry, claimed by agent-a at 10:40."""
    claim = claim_next_call(agent=agent, now=at(10, 40))
    assert claim.entry.pk == entry.pk
    entry.refresh_from_db()
    return entry


@pytest.fixture
def as_agent(client, agent):
    """The test client, logged in as agent-a."""
    client.force_login(agent)


@pytest.fixture
def ticket(client, agent, held):
    """The ticket of the call screen agent-a opened on the held call at 10:41."""
    client.force_login(agent)
    return open_call(client, held)


def when(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def open_call(client, entry, moment=None) -> str:
    """Open the call screen as the logged-in agent; the ticket it carries."""
    with when(moment or at(10, 41)):
        response = client.get(reverse("agent:call", args=[entry.pk]))
    assert response.status_code == 200, response.content.decode()[:500]
    return TICKET.search(response.content.decode()).group(1)


def hold_on(entry) -> tuple:
    """Who holds the entry now, and until when."""
    entry.refresh_from_db()
    return entry.claimed_by, entry.lease_expires_at


def html_of(response, status: int = 200) -> str:
    """The HTML of a response that came with `status`."""
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def htmx(**headers):
    return {"HTTP_HX_REQUEST": "true", **headers}


def htmx_post(client, name: str, entry, moment: dt.datetime):
    """POST to the console endpoint `name` of the entry at `moment`, as htmx sends it."""
    with when(moment):
        return client.post(reverse(name, args=[entry.pk]), **htmx())
