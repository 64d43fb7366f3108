"""How full the coming calling windows are, learnt from the last week's calls."""

import datetime as dt

import pytest

from followups.models import CallAttempt
from followups.scheduling import CallingRules, HalfDay, Slot
from followups.services import contact
from tests.clock import MONDAY, TUESDAY, on
from tests.factories import FollowUpTaskFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES = CallingRules()  # 10:30–11:30 and 15:00–17:30


TUESDAY_MORNING = Slot(on(TUESDAY, 10, 30), on(TUESDAY, 11, 30), HalfDay.MORNING)


def planned(count: int, moment: dt.datetime) -> None:
    for _ in range(count):
        FollowUpTaskFactory(due_date=moment.date(), earliest_at=moment)


def test_without_history_the_roster_and_the_setting_give_the_room():
    UserFactory(username="a1", role="agent")
    UserFactory(username="a2", role="agent")
    planned(15, on(TUESDAY, 10, 30))

    # Two agents, 60 minutes, 4 minutes a call: 30 calls; 15 planned.
    assert contact.slot_loads([TUESDAY_MORNING], rules=RULES, now=on(MONDAY, 16)) == [0.5]


def test_the_agents_who_called_each_half_day_last_week_and_their_pace_give_the_room():
    # Last week three agents called in the mornings (one afternoon agent too), each call
    # taking six minutes; the roster (five agents) says less than what happened.
    callers = [UserFactory(username=f"a{n}", role="agent") for n in range(5)]
    task = FollowUpTaskFactory(due_date=MONDAY - dt.timedelta(days=3))
    for number, (agent, hour) in enumerate(
        [(callers[0], 10), (callers[1], 10), (callers[2], 11), (callers[3], 15)]
    ):
        start = on(MONDAY - dt.timedelta(days=3), hour, 40)
        CallAttempt.objects.create(
            task=task,
            agent=agent,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=6),
            disposition="no_answer",
            idempotency_key=f"last-week-{number}",
        )
    planned(15, on(TUESDAY, 10, 30))

    # Three agents × 60 minutes ÷ 6 minutes a call = 30 calls; 15 planned.
    assert contact.slot_loads([TUESDAY_MORNING], rules=RULES, now=on(MONDAY, 16)) == [0.5]


def test_todays_window_counts_the_backlog_and_only_what_is_left_of_it():
    UserFactory(username="a1", role="agent")
    # Eight calls carried over from last week, two planned this morning; at 11:00 one
    # agent has half an hour left: 7.5 calls.
    planned(8, on(MONDAY - dt.timedelta(days=4), 15))
    planned(2, on(MONDAY, 10, 45))
    monday_morning = Slot(on(MONDAY, 10, 30), on(MONDAY, 11, 30), HalfDay.MORNING)

    [load] = contact.slot_loads([monday_morning], rules=RULES, now=on(MONDAY, 11))

    assert load == pytest.approx(10 / 7.5)


def _one_call_on_three_follow_ups():
    """A person's three follow-ups (a patient of a department), called Monday at 10:00
    (nobody answered) and at 15:00 (answered): the second call settled all three."""
    agent = UserFactory(username="a1", role="agent")
    first = FollowUpTaskFactory(due_date=MONDAY, case__patient=PatientFactory())
    customer = first.case.customer
    others = [
        FollowUpTaskFactory(
            due_date=MONDAY, case__customer=customer, case__patient=first.case.patient
        )
        for _ in range(2)
    ]

    def called(task, hour, disposition, number, lead=None):
        start = on(MONDAY, hour, 0)
        return CallAttempt.objects.create(
            task=task,
            agent=agent,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=3),
            disposition=disposition,
            idempotency_key=f"call-{number}",
            same_call_as=lead,
        )

    called(first, 10, "no_answer", 1)
    lead = called(first, 15, "complete", 2)
    for number, task in enumerate(others, 3):
        called(task, 15, "complete", number, lead=lead)
    return first.case


def test_a_call_settling_three_follow_ups_is_one_call_in_the_persons_record():
    """The best time's "answered 1 of 2 afternoon calls" counts phone calls: the attempts
    a call wrote on the person's other follow-ups are not calls of their own."""
    case = _one_call_on_three_follow_ups()

    record = contact.reach_record(case.customer, RULES)
    assert (record.afternoon.calls, record.afternoon.answered) == (1, 1)
    assert (record.morning.calls, record.morning.answered) == (1, 0)


def test_a_call_settling_three_follow_ups_is_one_call_in_the_departments_record():
    case = _one_call_on_three_follow_ups()
    contact._similar.clear()

    record = contact.similar_record(
        department_id=case.patient.department_id, rules=RULES, now=on(TUESDAY, 9)
    )
    assert (record.afternoon.calls, record.afternoon.answered) == (1, 1)
    assert (record.morning.calls, record.morning.answered) == (1, 0)
