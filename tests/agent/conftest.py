"""Fixtures of the agent console: one Monday in November 2026 (Asia/Shanghai, default
windows 10:30–11:30 and 15:00–17:30), a discharge case with the demo discharge script
published, on agent-a's list; pages in English, as the assertions read them."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from followups.demo import DISCHARGE_GRAPH
from followups.models import CallScript, ScriptVersion
from followups.services.queue import claim_next_call
from tests.clock import MONDAY, at
from tests.factories import (
    CallingPolicyFactory,
    CallListFactory,
    CaseFactory,
    DepartmentFactory,
    FollowUpPlanFactory,
    FollowUpTaskFactory,
    PatientFactory,
    QueueEntryFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def other_agent(db):
    return UserFactory(username="agent-b", role="agent")


@pytest.fixture
def plan(db):
    plan = FollowUpPlanFactory(calling_policy=CallingPolicyFactory(is_default=True), offsets=[3])
    script = CallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    step = plan.steps.get()
    step.script = script
    step.save()
    return plan


@pytest.fixture
def version(plan):
    return ScriptVersion.objects.create(
        script=plan.steps.get().script,
        number=1,
        status="published",
        graph=DISCHARGE_GRAPH,
        published_at=at(8),
    )


def listed_entry(plan, agent, *, sensitive=False, name="张三", phone="+8613812345678"):
    department = DepartmentFactory(name="心内科")
    patient = PatientFactory(
        department=department,
        customer__name=name,
        customer__phone=phone,
        attending_doctor="周建国",
        sensitive=sensitive,
    )
    case = CaseFactory(plan=plan, customer=patient.customer, patient=patient, intent_class="B")
    task = FollowUpTaskFactory(case=case, step=plan.steps.get(), due_date=MONDAY)
    return QueueEntryFactory(
        call_list=CallListFactory(day=MONDAY), task=task, assigned_agent=agent, priority=1
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


def when(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def open_call(client, entry, moment=None) -> str:
    """Open the call screen as the logged-in agent; the ticket it carries."""
    with when(moment or at(10, 41)):
        response = client.get(reverse("agent:call", args=[entry.pk]))
    assert response.status_code == 200, response.content.decode()[:500]
    return TICKET.search(response.content.decode()).group(1)


def htmx(**headers):
    return {"HTTP_HX_REQUEST": "true", **headers}
