"""The people pages' data: a patient with a case, its follow-ups and a call, on the lists
of one agent; English pages, as the assertions read them."""

import datetime as dt

import pytest
import time_machine

from followups.models import Disposition
from tests.clock import MONDAY, at
from tests.factories import (
    CallAttemptFactory,
    CaseFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    PatientFactory,
    default_plan,
    on_list,
)


@pytest.fixture(autouse=True)
def in_english(english_pages):
    """Pages in English."""


@pytest.fixture(autouse=True)
def on_monday():
    with time_machine.travel(at(9, 0), tick=False):
        yield


@pytest.fixture
def plan(db):
    return default_plan([3, 30], name="出院随访")


@pytest.fixture
def wang(db, plan, agent):
    """王小明, a patient of cardiology with a discharge case on the plan: two follow-ups,
    the first on Monday's list of `agent`, who called him once last week."""
    customer = CustomerFactory(name="王小明", phone="+8613812345678")
    patient = PatientFactory(
        customer=customer,
        medical_record_number="ZY2026-001",
        admitted_on=dt.date(2026, 11, 10),
        discharged_on=dt.date(2026, 11, 20),
        department__name="心内科",
    )
    case = CaseFactory(
        customer=customer, patient=patient, plan=plan, anchor_date=dt.date(2026, 11, 20)
    )
    first = FollowUpTaskFactory(case=case, step=plan.steps.get(offset_days=3), due_date=MONDAY)
    FollowUpTaskFactory(
        case=case, step=plan.steps.get(offset_days=30), due_date=dt.date(2026, 12, 20)
    )
    CallAttemptFactory(
        task=first,
        agent=agent,
        disposition=Disposition.NO_ANSWER,
        started_at=at(10, 40, MONDAY - dt.timedelta(days=3)),
    )
    on_list(first, MONDAY, assigned_agent=agent)
    return customer


@pytest.fixture
def stranger(db):
    """A person on nobody's list."""
    return CustomerFactory(name="赵六", phone="+8615000002222")
