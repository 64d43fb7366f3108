"""What record_outcome keeps for the reports (each task's counters, last call and whether it
was ever reached, each case's first reach, each call's person and patient record) equals
what the calls stored say, after any sequence of outcomes through the real services:
several follow-ups on one call, parts apart or with their own disposition, late submits on
settled follow-ups, calls starting before earlier ones, wrong numbers, deaths, callbacks,
do-not-call, and cases sent back by a supervisor."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followups.models import CallAttempt, Case, Disposition, FollowUpTask, QueueEntryStatus
from followups.models.calls import REACHED_DISPOSITIONS
from followups.services.leases import claim_token
from followups.services.outcome_input import TaskPart
from followups.services.outcomes import record_outcome
from followups.services.reviews import send_case_back
from tests.clock import MONDAY, at
from tests.factories import (
    CallListFactory,
    CaseFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    PatientFactory,
    QueueEntryFactory,
    UserFactory,
    default_plan,
)

pytestmark = pytest.mark.django_db

calls = st.fixed_dictionaries(
    {
        "kind": st.just("call"),
        "agent": st.integers(0, 1),
        "lead": st.integers(0, 3),  # which follow-up of the person leads (settled or not)
        "disposition": st.sampled_from(Disposition.values),
        "days_back": st.integers(0, 2),  # a late submit starts before earlier calls
        "minute": st.integers(0, 29),
        "others": st.sampled_from(["same", "apart", "partial", "refused"]),
        "do_not_call": st.booleans(),
    }
)
sends_back = st.fixed_dictionaries({"kind": st.just("send back"), "case": st.integers(0, 1)})


def recomputed(task: FollowUpTask) -> tuple:
    made = list(CallAttempt.objects.filter(task=task).order_by("started_at", "pk"))
    last = made[-1] if made else None
    return (
        len(made),
        dict(Counter(attempt.disposition for attempt in made)),
        last.disposition if last else "",
        last.agent_id if last else None,
        last.started_at if last else None,
        any(attempt.disposition in REACHED_DISPOSITIONS for attempt in made),
    )


def stored(task: FollowUpTask) -> tuple:
    return (
        task.attempts,
        task.outcome_counts,
        task.last_disposition,
        task.last_agent_id,
        task.last_call_at,
        task.reached,
    )


def first_reach(case: Case):
    reached = CallAttempt.objects.filter(task__case=case, disposition__in=REACHED_DISPOSITIONS)
    return min((attempt.started_at for attempt in reached), default=None)


def _call(step: dict, number: int, *, customer, agents) -> None:
    tasks = list(FollowUpTask.objects.filter(case__customer=customer).order_by("pk"))
    lead = tasks[step["lead"] % len(tasks)]
    agent = agents[step["agent"]]
    day = MONDAY + dt.timedelta(days=number)
    started = at(10, 30 + step["minute"], day=day - dt.timedelta(days=step["days_back"]))
    entry = QueueEntryFactory(
        call_list=CallListFactory(day=day),
        task=lead,
        status=QueueEntryStatus.CLAIMED,
        claimed_by=agent,
        claimed_at=started,
        lease_expires_at=started + dt.timedelta(minutes=15),
    )
    spoken_to = step["disposition"] in {"complete", "partial", "refused"}
    parts = {}
    if spoken_to and step["others"] != "same":
        parts = {
            task.pk: TaskPart(apart=True)
            if step["others"] == "apart"
            else TaskPart(disposition=step["others"])
            for task in tasks
            if task.pk != lead.pk and task.status == "pending"
        }
    ended = started + dt.timedelta(minutes=3)
    callback = started + dt.timedelta(days=1) if step["disposition"] == "callback" else None
    try:
        record_outcome(
            agent=agent,
            entry=entry,
            idempotency_key=f"k-{number}",
            disposition=step["disposition"],
            started_at=started,
            ended_at=ended,
            now=ended + dt.timedelta(minutes=1),
            callback_at=callback,
            do_not_call=step["do_not_call"] and spoken_to,
            parts=parts,
            claim_token=claim_token(entry, agent),
        )
    except ValidationError:
        pass  # refused whole (nothing written): the facts must still hold


@pytest.fixture
def world(db):
    return {
        "plan": default_plan([3]),
        "agents": [UserFactory(username=f"fa{n}", role="agent") for n in range(2)],
        "supervisor": UserFactory(username="fs", role="supervisor"),
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.one_of(calls, calls, calls, sends_back), min_size=1, max_size=7))
def test_stored_figures_equal_the_calls_after_any_outcomes(world, steps):
    with transaction.atomic():
        customer = CustomerFactory()
        # One case with a patient record (a discharge), one without (after-sales).
        patients = [PatientFactory(customer=customer), None]
        cases = [
            CaseFactory(customer=customer, plan=world["plan"], patient=patient)
            for patient in patients
        ]
        for case, count in zip(cases, [2, 1], strict=True):
            for _ in range(count):
                FollowUpTaskFactory(case=case, due_date=MONDAY)
        for number, step in enumerate(steps):
            if step["kind"] == "send back":
                day = MONDAY + dt.timedelta(days=number)
                try:
                    send_case_back(
                        case=cases[step["case"]], by=world["supervisor"], due_date=day, today=day
                    )
                except ValidationError:
                    pass
                continue
            _call(step, number, customer=customer, agents=world["agents"])
        for task in FollowUpTask.objects.filter(case__customer=customer):
            assert stored(task) == recomputed(task), task
        for case in Case.objects.filter(customer=customer):
            assert case.reached_at == first_reach(case), case
        # Each call keeps the person called and the patient record of its task's case.
        for attempt in CallAttempt.objects.filter(task__case__customer=customer):
            kept = (attempt.customer_id, attempt.patient_id)
            assert kept == (customer.pk, attempt.task.case.patient_id), attempt
        transaction.set_rollback(True)


def test_the_calls_the_property_makes_are_recorded(world):
    """The property above lets a refused outcome pass (nothing written): make sure the calls
    it makes are recorded at all, or it would hold of an empty table."""
    customer = CustomerFactory()
    case = CaseFactory(customer=customer, plan=world["plan"], patient=None)
    lead, other = (FollowUpTaskFactory(case=case, due_date=MONDAY) for _ in range(2))
    step = {"agent": 0, "lead": 0, "days_back": 0, "minute": 0, "do_not_call": False}
    _call(
        {**step, "disposition": "no_answer", "others": "same"},
        0,
        customer=customer,
        agents=world["agents"],
    )
    _call(
        {**step, "disposition": "complete", "others": "partial"},
        1,
        customer=customer,
        agents=world["agents"],
    )
    lead.refresh_from_db()
    other.refresh_from_db()
    assert lead.attempts == 2 and lead.outcome_counts == {"no_answer": 1, "complete": 1}
    assert lead.reached and other.attempts == 2 and other.last_disposition == "partial"
    assert stored(lead) == recomputed(lead) and stored(other) == recomputed(other)
    case.refresh_from_db()
    assert case.reached_at == first_reach(case) is not None
