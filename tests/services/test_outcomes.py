"""Recording an outcome: the attempt, the task's next step, the entry, the case, escalations."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from followups.models import (
    AuditAction,
    AuditEvent,
    CallAttempt,
    CaseKind,
    CaseStatus,
    Escalation,
    FollowUpTask,
    QueueEntryStatus,
    ScriptAnswer,
    TaskKind,
    TaskStatus,
)
from followups.scheduling import FollowUpAction
from followups.services import escalations, leases, outcomes
from followups.services.claims import claim_next_call
from scripts.models import ScriptVersion
from tests.calls import handed, record
from tests.clock import MONDAY, TUESDAY, at
from tests.factories import (
    CaseFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    PatientFactory,
    UserFactory,
    listed,
    on_list,
)

pytestmark = pytest.mark.django_db

DAYS_SINCE_2000 = 9823  # 2000-01-01 to 2026-11-23, the due-date part of a priority


@pytest.fixture
def entry(plan, me):
    """Monday's call for 张先生, claimed by `me` at 10:40 (lease to 10:55)."""
    customer = CustomerFactory(name="张三", phone="+8613812345678")
    # The defaults of a plan step: six calls nobody answers, over the due day and 7 more.
    listed_entry = listed(
        plan, customer, max_attempts=6, window_ends_on=MONDAY + dt.timedelta(days=7)
    )
    assert handed(me, at(10, 40)).pk == listed_entry.pk
    listed_entry.refresh_from_db()
    return listed_entry


def task_state(task: FollowUpTask) -> dict:
    task.refresh_from_db()
    return {
        "status": task.status,
        "kind": task.kind,
        "due_date": task.due_date,
        "earliest_at": task.earliest_at,
        "callback_at": task.callback_at,
        "status_reason": task.status_reason,
        "needs_number_fix": task.needs_number_fix,
    }


DONE = {
    "status": TaskStatus.DONE,
    "kind": TaskKind.SCHEDULED,
    "due_date": MONDAY,
    "earliest_at": None,
    "callback_at": None,
    "status_reason": "",
    "needs_number_fix": False,
}


def settled(status, reason, **more):
    return {**DONE, "status": status, "status_reason": reason, **more}


def retried(day, hour, minute, reason):
    # The due date stays Monday's: only the next call's moment moves.
    return {
        **DONE,
        "status": TaskStatus.PENDING,
        "kind": TaskKind.RETRY,
        "earliest_at": at(hour, minute, day=day),
        "status_reason": reason,
    }


def called_back(day, hour, reason):
    return {
        **DONE,
        "status": TaskStatus.PENDING,
        "kind": TaskKind.CALLBACK,
        "earliest_at": at(hour, day=day),
        "callback_at": at(hour, day=day),
        "status_reason": reason,
    }


# The call starts at 10:40 on Monday, in the morning window, the first of six calls the
# budget allows over Monday to next Monday (15 windows left after this one). Five left are
# spread one every three windows: the third window, Tuesday afternoon (the other half of the
# day). A relative answering spends nothing: six left, one every two and a half windows,
# the nearest of the other half being this afternoon. A callback keeps its time unless
# quiet hours (before 08:00, from 21:00) move it to the next allowed moment (Tuesday 08:00).
CASES = [
    ("complete", None, FollowUpAction.DONE, DONE, "done"),
    ("partial", None, FollowUpAction.DONE, DONE, "done"),
    ("no_answer", None, FollowUpAction.RETRY, retried(TUESDAY, 15, 0, "no_answer"), "done"),
    ("busy", None, FollowUpAction.RETRY, retried(TUESDAY, 15, 0, "busy"), "done"),
    ("phone_off", None, FollowUpAction.RETRY, retried(TUESDAY, 15, 0, "phone_off"), "done"),
    ("family", None, FollowUpAction.RETRY, retried(MONDAY, 15, 0, "family"), "again"),
    (
        "wrong_number",
        None,
        FollowUpAction.SUSPEND,
        settled(TaskStatus.SUSPENDED, "wrong_number", needs_number_fix=True),
        "done",
    ),
    ("refused", None, FollowUpAction.CLOSE_CASE, settled(TaskStatus.CANCELLED, "refused"), "done"),
    (
        "deceased",
        None,
        FollowUpAction.CLOSE_CASE,
        settled(TaskStatus.CANCELLED, "deceased"),
        "done",
    ),
    ("callback", at(19), FollowUpAction.CALLBACK, called_back(MONDAY, 19, "callback"), "again"),
    (
        "callback",
        at(22),
        FollowUpAction.CALLBACK,
        called_back(TUESDAY, 8, "callback_moved_quiet_hours"),
        "done",
    ),
]


@pytest.mark.parametrize(("disposition", "callback_at", "action", "expected", "entry_after"), CASES)
def test_each_disposition_moves_the_task_as_the_rules_say(
    entry, me, disposition, callback_at, action, expected, entry_after
):
    result = record(entry, me, disposition=disposition, callback_at=callback_at)

    assert result.created is True
    assert result.follow_up.action is action
    assert task_state(entry.task) == expected
    entry.task.refresh_from_db()
    assert (entry.task.attempts, entry.task.outcome_counts) == (1, {disposition: 1})
    entry.refresh_from_db()
    if entry_after == "done":
        assert (entry.status, entry.closed_at) == (QueueEntryStatus.DONE, at(10, 44))
    else:
        # Later the same day: back on today's list (one entry per task and day), free.
        assert (entry.status, entry.claimed_by, entry.closed_at) == (
            QueueEntryStatus.WAITING,
            None,
            None,
        )


def test_a_retry_today_waits_behind_its_earliest_moment_and_a_callback_rises_to_the_top(entry, me):
    record(entry, me, disposition="callback", callback_at=at(19))
    entry.refresh_from_db()
    # Callback bucket 0, no deadline, not overdue, no intent class (3): bucket 15.
    assert entry.priority == 15 * 100_000 + DAYS_SINCE_2000
    assert claim_next_call(agent=me, now=at(18, 59)).reason == "outside_window"
    assert claim_next_call(agent=me, now=at(19, 0)).entry.pk == entry.pk


def test_the_last_call_of_the_budget_without_answer_makes_the_task_unreachable(entry, me):
    task = entry.task
    task.attempts, task.outcome_counts = 6, {"no_answer": 3, "busy": 2, "family": 1}
    task.save()

    result = record(entry, me, disposition="no_answer")

    assert result.follow_up.action is FollowUpAction.UNREACHABLE
    assert task_state(task) == settled(TaskStatus.UNREACHABLE, "attempt_budget_spent")
    assert (task.attempts, task.outcome_counts) == (7, {"no_answer": 4, "busy": 2, "family": 1})


def test_a_relative_answering_does_not_spend_the_budget(entry, me):
    task = entry.task
    task.attempts, task.outcome_counts = 5, {"no_answer": 5}
    task.save()

    result = record(entry, me, disposition="family")

    # One call of the budget is left: it goes to the window's last afternoon, so that the
    # whole week is tried.
    assert result.follow_up.action is FollowUpAction.RETRY
    assert task_state(task) == retried(dt.date(2026, 11, 30), 15, 0, "family")


def test_a_relatives_word_on_when_the_patient_is_in_books_that_time(entry, me):
    result = record(entry, me, disposition="family", callback_at=at(18, 30, day=TUESDAY))

    assert result.follow_up.action is FollowUpAction.CALLBACK
    assert task_state(entry.task) == called_back(TUESDAY, 18, "family_callback") | {
        "earliest_at": at(18, 30, day=TUESDAY),
        "callback_at": at(18, 30, day=TUESDAY),
    }


def test_a_miss_on_the_last_day_of_the_window_ends_the_task_window_missed(entry, me):
    task = entry.task
    task.window_ends_on = MONDAY
    task.save()

    result = record(
        entry, me, disposition="no_answer", started_at=at(16, 0), ended_at=at(16, 1), now=at(16, 2)
    )

    assert result.follow_up.action is FollowUpAction.WINDOW_MISSED
    assert task_state(task) == settled(TaskStatus.WINDOW_MISSED, "window_missed")


def test_a_callback_booked_past_the_window_keeps_its_time_and_stretches_the_window(entry, me):
    ten_days_on = MONDAY + dt.timedelta(days=10)

    record(entry, me, disposition="callback", callback_at=at(16, day=ten_days_on))

    entry.task.refresh_from_db()
    assert entry.task.callback_at == at(16, day=ten_days_on)
    assert entry.task.window_ends_on == ten_days_on + dt.timedelta(days=1)


def test_a_retry_goes_where_the_agents_have_room(entry, me, plan):
    # By the end of Tuesday's afternoon window one agent at 4 minutes a call (no calls last
    # week to learn from) makes 15 + 37.5 calls; 75 are planned for that afternoon, more
    # than can be made. The morning before it holds none, so the retry goes there though
    # the afternoon is the other half of the day.
    crowded = at(15, 0, day=TUESDAY)
    for _ in range(75):
        FollowUpTaskFactory(case=CaseFactory(plan=plan), due_date=TUESDAY, earliest_at=crowded)

    record(entry, me, disposition="no_answer")

    assert task_state(entry.task) == retried(TUESDAY, 10, 30, "no_answer")


def test_a_retry_is_planned_where_the_calls_already_planned_leave_room(entry, me, plan):
    # Tuesday up to the end of its afternoon holds 21 calls of the 52.5 one agent can make
    # (15 in the morning window, 37.5 in the afternoon): 40 % full, so the retry is planned
    # 20 % into the window (150 min × 0.4 × 0.5 = 30 min), at 15:30.
    for _ in range(21):
        FollowUpTaskFactory(
            case=CaseFactory(plan=plan), due_date=TUESDAY, earliest_at=at(15, 10, day=TUESDAY)
        )

    record(entry, me, disposition="no_answer")

    assert task_state(entry.task) == retried(TUESDAY, 15, 30, "no_answer")


def test_what_the_person_answered_sets_the_half_of_the_day_of_the_retry(entry, me, plan):
    # 张三 answered two earlier calls, both in the morning, on another case.
    earlier = FollowUpTaskFactory(case=CaseFactory(plan=plan, customer=entry.task.case.customer))
    for number, day in enumerate([dt.date(2026, 10, 12), dt.date(2026, 10, 19)]):
        CallAttempt.objects.create(
            task=earlier,
            agent=me,
            started_at=at(10, 45, day=day),
            ended_at=at(10, 50, day=day),
            disposition="complete",
            idempotency_key=f"earlier-{number}",
        )

    record(entry, me, disposition="no_answer")

    # The third window on is Tuesday afternoon; the nearest morning to it is Tuesday's,
    # one window earlier.
    assert task_state(entry.task) == retried(TUESDAY, 10, 30, "no_answer")


def test_the_person_answering_moves_their_untried_calls_to_that_half_of_the_day(entry, me, plan):
    later_step = FollowUpTaskFactory(
        case=entry.task.case,
        due_date=dt.date(2026, 11, 30),
        earliest_at=at(10, 30, day=dt.date(2026, 11, 30)),
    )

    record(
        entry, me, disposition="complete", started_at=at(15, 5), ended_at=at(15, 9), now=at(15, 10)
    )

    later_step.refresh_from_db()
    assert later_step.earliest_at == at(15, 0, day=dt.date(2026, 11, 30))


def test_the_attempt_keeps_the_script_version_and_path(entry, me):
    version = ScriptVersion.objects.create(
        script=_script(),
        number=1,
        status="published",
        graph={
            "nodes": [{"id": "greet"}, {"id": "q_satisfaction"}, {"id": "close_ok"}],
            "objections": [{"id": "busy"}],
        },
    )
    answers = [
        {"node_id": "greet", "value": "", "is_objection": False},
        {"node_id": "busy", "value": "", "is_objection": True},
        {"node_id": "q_satisfaction", "value": "satisfied", "is_objection": False},
    ]

    result = record(
        entry, me, script_version=version, answers=answers, satisfaction="satisfied", notes="好"
    )

    attempt = CallAttempt.objects.get()
    assert attempt == result.attempt
    assert (attempt.script_version, attempt.satisfaction, attempt.notes) == (
        version,
        "satisfied",
        "好",
    )
    assert (attempt.agent, attempt.queue_entry, attempt.after_lease_lost) == (me, entry, False)
    assert str(attempt.dialled_number) == "+8613812345678"
    assert list(attempt.answers.values_list("position", "node_id", "value", "is_objection")) == [
        (1, "greet", "", False),
        (2, "busy", "", True),
        (3, "q_satisfaction", "satisfied", False),
    ]


def _script():
    from scripts.models import CallScript

    return CallScript.objects.create(name="出院回访", code="discharge")


def test_a_repeated_submit_returns_the_first_result_and_writes_nothing(entry, me):
    first = record(entry, me, disposition="no_answer")

    again = record(entry, me, disposition="no_answer", now=at(10, 50))

    assert again.created is False
    assert again.attempt.pk == first.attempt.pk
    assert again.follow_up == first.follow_up
    assert CallAttempt.objects.count() == 1
    entry.task.refresh_from_db()
    assert (entry.task.attempts, entry.task.outcome_counts) == (1, {"no_answer": 1})


def test_two_submits_racing_with_one_key_store_one(entry, me, monkeypatch):
    first = record(entry, me)
    real_replay = outcomes.replay
    looks = []

    def replay_looked_up(**kwargs):
        looks.append(kwargs["key"])
        return real_replay(**kwargs)

    monkeypatch.setattr(outcomes, "replay", replay_looked_up)

    # The key is not looked up before the insert: the second submit loses the insert to
    # the first's unique key (in flight, its insert waits for the first to commit), rolls
    # back whole and answers with what the first stored.
    again = record(entry, me)

    assert (again.created, again.attempt.pk) == (False, first.attempt.pk)
    assert len(looks) == 1
    assert CallAttempt.objects.count() == 1
    entry.task.refresh_from_db()
    assert entry.task.attempts == 1


def test_a_key_is_one_agents(entry, me):
    record(entry, me)
    with pytest.raises(ValidationError) as error:
        record(entry, UserFactory(username="other", role="agent"), token="")
    assert list(error.value.message_dict) == ["idempotency_key"]


def test_a_submit_after_the_lease_ran_out_is_kept_and_flagged(entry, me):
    result = record(entry, me, ended_at=at(10, 58), now=at(11, 0))

    assert result.created is True
    assert result.attempt.after_lease_lost is True
    assert task_state(entry.task)["status"] == TaskStatus.DONE
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.DONE


def test_a_submit_after_losing_the_call_to_a_colleague_is_kept_but_leaves_them_the_call(entry, me):
    mine = leases.claim_token(entry, me)  # what my claim at 10:40 gave me
    colleague = UserFactory(username="colleague", role="agent")
    assert claim_next_call(agent=colleague, now=at(10, 56)).entry.pk == entry.pk

    late = record(entry, me, key="late", ended_at=at(10, 57), now=at(10, 58), token=mine)

    assert late.attempt.after_lease_lost is True
    assert task_state(entry.task)["status"] == TaskStatus.DONE
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.CLAIMED, colleague)

    # The colleague's own call finds the task already settled: kept, the task not moved.
    theirs = record(
        entry,
        colleague,
        key="theirs",
        disposition="no_answer",
        started_at=at(10, 59),
        ended_at=at(11, 0),
        now=at(11, 1),
    )
    assert theirs.attempt.after_lease_lost is False
    assert task_state(entry.task)["status"] == TaskStatus.DONE
    entry.task.refresh_from_db()
    assert (entry.task.attempts, entry.task.outcome_counts) == (
        2,
        {"complete": 1, "no_answer": 1},
    )
    entry.refresh_from_db()
    assert (entry.status, entry.closed_at) == (QueueEntryStatus.DONE, at(11, 1))


def test_a_failure_inside_leaves_nothing_half_written(entry, me, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(escalations, "raise_escalation", broken)

    with pytest.raises(RuntimeError):
        record(
            entry,
            me,
            intent_class="A",
            escalation={"category": "medical", "severity": "urgent", "description": "发热"},
        )

    assert not CallAttempt.objects.exists()
    assert not ScriptAnswer.objects.exists()
    assert not Escalation.objects.exists()
    task = FollowUpTask.objects.get(pk=entry.task_id)
    assert (task.status, task.attempts, task.outcome_counts) == (TaskStatus.PENDING, 0, {})
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.CLAIMED, me)
    entry.task.case.refresh_from_db()
    assert (entry.task.case.agent, entry.task.case.intent_class) == (None, "")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"disposition": "hung_up"}, "disposition"),
        ({"disposition": "callback"}, "callback_at"),
        ({"ended_at": at(10, 39)}, "ended_at"),
        ({"callback_at": at(10, 0), "disposition": "callback"}, "callback_at"),
        ({"satisfaction": "thrilled"}, "satisfaction"),
        ({"intent_class": "E"}, "intent_class"),
        ({"answers": [{"node_id": "nowhere", "value": "x"}], "script_version": True}, "answers"),
        ({"escalation": {"category": "weather", "description": "x"}}, "escalation"),
        (
            {"escalation": {"category": "medical", "severity": "meh", "description": "x"}},
            "escalation",
        ),
        ({"escalation": {"category": "medical", "description": " "}}, "escalation"),
        ({"key": ""}, "idempotency_key"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_writes_nothing(entry, me, fields, field):
    if fields.pop("script_version", False):
        fields["script_version"] = ScriptVersion.objects.create(
            script=_script(), number=1, graph={"nodes": [{"id": "greet"}]}
        )

    with pytest.raises(ValidationError) as error:
        record(entry, me, **fields)

    assert list(error.value.message_dict) == [field]
    assert not CallAttempt.objects.exists()
    entry.task.refresh_from_db()
    assert entry.task.attempts == 0


def test_the_case_gets_the_agent_who_called_first_and_keeps_them(entry, me):
    record(entry, me, disposition="no_answer")
    case = entry.task.case
    case.refresh_from_db()
    assert case.agent == me

    later = on_list(FollowUpTaskFactory(case=case), TUESDAY)
    other = UserFactory(username="other", role="agent")
    assert claim_next_call(agent=other, now=at(10, 40, TUESDAY)).entry.pk == later.pk
    record(
        later,
        other,
        key="k-2",
        started_at=at(10, 40, TUESDAY),
        ended_at=at(10, 41, TUESDAY),
        now=at(10, 42, TUESDAY),
    )
    case.refresh_from_db()
    assert case.agent == me


def test_closing_the_case_cancels_its_other_calls(entry, me):
    case = entry.task.case
    other_task = FollowUpTaskFactory(case=case, due_date=TUESDAY)
    done_before = FollowUpTaskFactory(case=case, status=TaskStatus.DONE)

    record(entry, me, disposition="refused")

    case.refresh_from_db()
    assert (case.status, case.closed_reason, case.closed_at) == (
        CaseStatus.CLOSED,
        "refused",
        at(10, 44),
    )
    other_task.refresh_from_db()
    assert (other_task.status, other_task.status_reason) == (
        TaskStatus.CANCELLED,
        "case closed: refused",
    )
    done_before.refresh_from_db()
    assert done_before.status == TaskStatus.DONE


def test_a_new_intent_class_moves_the_routine_call(plan, me):
    case = CaseFactory(plan=plan, kind=CaseKind.CONSULTATION, intent_class="C")
    called = FollowUpTaskFactory(case=case, due_date=MONDAY)
    routine = FollowUpTaskFactory(case=case, due_date=MONDAY + dt.timedelta(days=21))
    entry = on_list(called, MONDAY)
    claim_next_call(agent=me, now=at(10, 40))

    record(entry, me, intent_class="A")

    case.refresh_from_db()
    assert case.intent_class == "A"
    routine.refresh_from_db()
    # Class A: every 3 days from the call, at that day's first window.
    assert (routine.due_date, routine.earliest_at) == (
        dt.date(2026, 11, 26),
        at(10, 30, day=dt.date(2026, 11, 26)),
    )
    assert case.tasks.filter(status=TaskStatus.PENDING).count() == 1


def test_a_finished_call_books_the_next_routine_call_of_its_class(plan, me):
    case = CaseFactory(plan=plan, kind=CaseKind.CONSULTATION, intent_class="B")
    entry = on_list(FollowUpTaskFactory(case=case), MONDAY)
    claim_next_call(agent=me, now=at(10, 40))

    record(entry, me)

    pending = case.tasks.get(status=TaskStatus.PENDING)
    assert (pending.due_date, pending.step) == (dt.date(2026, 11, 30), None)


@pytest.fixture
def supervisors():
    UserFactory(username="boss1", role="supervisor", email="boss1@example.org")
    UserFactory(username="boss2", role="supervisor", email="boss2@example.org")
    UserFactory(username="retired", role="supervisor", email="old@example.org", is_active=False)
    UserFactory(username="peer", role="agent", email="peer@example.org")


def test_an_urgent_escalation_mails_every_active_supervisor_once_without_personal_data(
    plan, me, supervisors, mailoutbox, django_capture_on_commit_callbacks
):
    patient = PatientFactory(customer__name="李四", customer__phone="+8613987654321")
    case = CaseFactory(plan=plan, customer=patient.customer, patient=patient)
    entry = on_list(FollowUpTaskFactory(case=case), MONDAY)
    claim_next_call(agent=me, now=at(10, 40))

    with django_capture_on_commit_callbacks(execute=True):
        result = record(
            entry,
            me,
            escalation={"category": "medical", "severity": "urgent", "description": "伤口红肿发热"},
        )

    escalation = Escalation.objects.get()
    assert result.escalation == escalation
    assert (escalation.case, escalation.attempt, escalation.department) == (
        case,
        result.attempt,
        patient.department,
    )
    assert escalation.due_at == at(12, 44)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == ["boss1@example.org", "boss2@example.org"]
    text = message.subject + message.body
    assert f"#{escalation.pk}" in text and f"#{case.pk}" in text
    for personal in ("李四", "李", "13987654321", "伤口", patient.medical_record_number):
        assert personal not in text


@pytest.mark.parametrize(("severity", "hours"), [("high", 24), ("normal", 72)])
def test_other_escalations_are_due_by_their_sla_and_mail_nobody(
    entry, me, supervisors, mailoutbox, django_capture_on_commit_callbacks, severity, hours
):
    with django_capture_on_commit_callbacks(execute=True):
        record(
            entry,
            me,
            escalation={"category": "service", "severity": severity, "description": "等太久"},
        )
    assert Escalation.objects.get().due_at == at(10, 44) + dt.timedelta(hours=hours)
    assert mailoutbox == []


def test_an_entry_of_a_closed_list_day_is_still_recorded(entry, me):
    # A submit long after the day (the agent's browser was offline): nothing is lost.
    result = record(entry, me, disposition="no_answer", now=at(9, 0, day=TUESDAY))
    assert result.attempt.after_lease_lost is True
    entry.refresh_from_db()
    assert (entry.status, entry.closed_at) == (QueueEntryStatus.DONE, at(9, 0, day=TUESDAY))
    assert task_state(entry.task)["status"] == TaskStatus.PENDING


def test_a_customer_who_asks_never_to_be_called_again_is_not(plan, entry, me):
    customer = entry.task.case.customer
    later_task = FollowUpTaskFactory(case=entry.task.case, due_date=TUESDAY)
    other_case = CaseFactory(plan=plan, customer=customer, kind=CaseKind.MISSED_APPOINTMENT)
    # Due today too: it rides along with the call and is settled by it.
    other_task = FollowUpTaskFactory(case=other_case, due_date=MONDAY)
    someone_else = FollowUpTaskFactory(case=CaseFactory(plan=plan), due_date=MONDAY)

    with translation.override("en"):
        result = record(entry, me, disposition="complete", do_not_call=True)

    customer.refresh_from_db()
    assert customer.do_not_call is True
    assert customer.do_not_call_reason == "Asked on the call of 2026-11-23"
    other_task.refresh_from_db()
    assert other_task.status == TaskStatus.DONE
    later_task.refresh_from_db()
    assert (later_task.status, later_task.status_reason) == (TaskStatus.CANCELLED, "do not call")
    someone_else.refresh_from_db()
    assert someone_else.status == TaskStatus.PENDING
    event = AuditEvent.objects.get(action=AuditAction.DO_NOT_CALL)
    assert (event.actor, event.target_id) == (me, str(customer.pk))
    assert event.detail == {"attempt": result.attempt.pk}  # ids only, no phone
    assert claim_next_call(agent=me, now=at(10, 50)).entry is None


def test_a_retry_for_a_customer_on_do_not_call_is_cancelled_not_listed(entry, me):
    record(entry, me, disposition="no_answer", do_not_call=True)

    assert task_state(entry.task)["status"] == TaskStatus.CANCELLED


# --- What is learnt about the person holds for all their follow-ups ---------------------------


@pytest.fixture
def other_calls(entry, plan):
    """张三's other open calls: a later step of the same case due today too (it rides along
    with today's call), and a call of another case of his due tomorrow."""
    customer = entry.task.case.customer
    later = FollowUpTaskFactory(case=entry.task.case, due_date=MONDAY)
    other_case = FollowUpTaskFactory(
        case=CaseFactory(plan=plan, customer=customer), due_date=TUESDAY
    )
    return later, other_case


def test_a_wrong_number_holds_every_call_to_the_person(entry, me, other_calls):
    later, other_case = other_calls

    result = record(entry, me, disposition="wrong_number")

    assert len(result.settled) == 2  # today's two follow-ups, on one call
    for task in (entry.task, later, other_case):
        task.refresh_from_db()
        assert (task.status, task.needs_number_fix) == (TaskStatus.SUSPENDED, True)
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.DONE
    event = AuditEvent.objects.get(action=AuditAction.WRONG_NUMBER)
    assert event.detail == {"attempt": result.attempt.pk, "held": 3}


def test_a_fixed_number_resumes_the_held_calls_at_the_next_window(entry, me, other_calls):
    from followups.services.people import resume_after_number_fix

    later, other_case = other_calls
    record(entry, me, disposition="wrong_number")
    customer = entry.task.case.customer
    customer.phone = "+8613900001111"
    customer.save()

    resumed = resume_after_number_fix(customer=customer, by=me, now=at(12, 5, day=TUESDAY))

    assert resumed == 3
    for task in (entry.task, later, other_case):
        task.refresh_from_db()
        assert (task.status, task.needs_number_fix) == (TaskStatus.PENDING, False)
        # The next window (Tuesday 15:00), and a full week from the fix to reach them.
        assert task.earliest_at == at(15, 0, day=TUESDAY)
        assert task.window_ends_on == TUESDAY + dt.timedelta(days=7)
    assert AuditEvent.objects.get(action=AuditAction.NUMBER_FIXED).detail == {"resumed": 3}


def test_a_booked_callback_takes_the_persons_other_due_calls_with_it(entry, me, other_calls):
    later, other_case = other_calls

    result = record(entry, me, disposition="callback", callback_at=at(16, 0, day=TUESDAY))

    later.refresh_from_db()
    other_case.refresh_from_db()
    # Both fall due by Tuesday 16:00: they are made on the callback, not one by one before.
    assert (later.kind, later.earliest_at) == (TaskKind.CALLBACK, at(16, 0, day=TUESDAY))
    assert other_case.earliest_at == at(16, 0, day=TUESDAY)
    assert AuditEvent.objects.get(action=AuditAction.CALLBACK_MOVES).detail == {
        "attempt": result.attempt.pk,
        "moved": 1,
    }


def test_a_death_stops_every_call_to_the_person_and_closes_their_cases(entry, me, other_calls):
    later, other_case = other_calls
    patient = PatientFactory(customer=entry.task.case.customer)

    result = record(entry, me, disposition="deceased")

    later.refresh_from_db()
    other_case.refresh_from_db()
    # Today's other follow-up was on the call; the other case's is stopped for the person.
    assert (later.status, later.status_reason) == (TaskStatus.CANCELLED, "deceased")
    assert (other_case.status, other_case.status_reason) == (TaskStatus.CANCELLED, "deceased")
    assert not entry.task.case.customer.cases.filter(status=CaseStatus.OPEN).exists()
    patient.refresh_from_db()
    assert patient.died_on == MONDAY
    assert AuditEvent.objects.get(action=AuditAction.DECEASED).detail == {
        "attempt": result.attempt.pk,
        "cancelled": 1,
    }


# --- One call settles every follow-up of the person that is due ------------------------------


@pytest.fixture
def second_case(entry, plan):
    """张三's other case, due today too: it rides along with the call on `entry`."""
    return FollowUpTaskFactory(
        case=CaseFactory(plan=plan, customer=entry.task.case.customer, kind=CaseKind.PURCHASE),
        due_date=MONDAY,
        window_ends_on=MONDAY + dt.timedelta(days=7),
    )


def _version(code: str, nodes: list[str]) -> ScriptVersion:
    from scripts.models import CallScript

    script = CallScript.objects.create(name=code, code=code)
    return ScriptVersion.objects.create(
        script=script, number=1, status="published", graph={"nodes": [{"id": n} for n in nodes]}
    )


def test_one_submit_settles_both_cases_each_with_its_own_script_and_answers(entry, me, second_case):
    discharge = _version("discharge", ["greet", "q_wound"])
    purchase = _version("purchase", ["q_product"])

    submit = {
        "script_version": discharge,
        "answers": [{"node_id": "q_wound", "value": "healed"}],
        "parts": {
            second_case.pk: outcomes.TaskPart(
                script_version=purchase,
                answers=[{"node_id": "q_product", "value": "works"}],
                satisfaction="satisfied",
            )
        },
    }
    result = record(entry, me, **submit)

    assert [attempt.task_id for attempt in result.settled] == [entry.task_id, second_case.pk]
    lead, other = result.settled
    assert (lead.script_version, other.script_version) == (discharge, purchase)
    assert list(lead.answers.values_list("node_id", "value")) == [("q_wound", "healed")]
    assert list(other.answers.values_list("node_id", "value")) == [("q_product", "works")]
    assert (other.same_call_as, other.satisfaction) == (lead, "satisfied")
    assert other.idempotency_key == f"k-1#{second_case.pk}"
    for task in (entry.task, second_case):
        assert task_state(task)["status"] == TaskStatus.DONE
    entry.refresh_from_db()
    assert (entry.status, entry.calls_made) == (QueueEntryStatus.DONE, 1)
    # A replay of the submit answers with the whole call, writing nothing.
    again = record(entry, me, **submit)
    assert (again.created, [a.pk for a in again.settled]) == (False, [lead.pk, other.pk])
    assert CallAttempt.objects.count() == 2


def test_a_follow_up_not_discussed_stays_open_with_no_attempt(entry, me, second_case):
    result = record(entry, me, parts={second_case.pk: outcomes.TaskPart(apart=True)})

    assert result.kept_open == (second_case.pk,)
    assert [attempt.task_id for attempt in result.settled] == [entry.task_id]
    assert task_state(second_case)["status"] == TaskStatus.PENDING
    assert not CallAttempt.objects.filter(task=second_case).exists()


def test_a_refusal_of_one_follow_up_closes_only_its_case(entry, me, second_case):
    record(entry, me, parts={second_case.pk: outcomes.TaskPart(disposition="refused")})

    second_case.case.refresh_from_db()
    entry.task.case.refresh_from_db()
    assert (second_case.case.status, second_case.case.closed_reason) == (
        CaseStatus.CLOSED,
        "refused",
    )
    assert entry.task.case.status == CaseStatus.OPEN
    assert task_state(entry.task)["status"] == TaskStatus.DONE


def test_no_answer_holds_for_every_follow_up_and_they_retry_together(entry, me, second_case):
    result = record(entry, me, disposition="no_answer")

    assert len(result.settled) == 2
    lead, other = (task_state(task) for task in (entry.task, second_case))
    assert lead["status"] == other["status"] == TaskStatus.PENDING
    # One person, one next call: both follow-ups are tried again at the same moment.
    assert lead["earliest_at"] == other["earliest_at"] is not None


@pytest.mark.parametrize(
    ("disposition", "part", "message"),
    [
        ("no_answer", outcomes.TaskPart(apart=True), "every follow-up of the call shares"),
        ("complete", outcomes.TaskPart(disposition="busy"), "can only be done, partly done"),
    ],
)
def test_a_part_that_cannot_be_is_refused_and_nothing_is_written(
    entry, me, second_case, disposition, part, message
):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        record(entry, me, disposition=disposition, parts={second_case.pk: part})

    assert message in str(refused.value.message_dict["tasks"])
    assert not CallAttempt.objects.exists()
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.CLAIMED


def test_a_follow_up_not_on_the_call_is_refused_and_nothing_is_written(entry, me, plan):
    stranger = FollowUpTaskFactory(case=CaseFactory(plan=plan), due_date=MONDAY)

    with pytest.raises(ValidationError) as refused:
        record(entry, me, parts={stranger.pk: outcomes.TaskPart(apart=True)})

    assert "tasks" in refused.value.message_dict
    assert not CallAttempt.objects.exists()
    assert task_state(entry.task)["status"] == TaskStatus.PENDING


def test_a_replay_of_a_call_with_a_follow_up_kept_open_says_so_again(entry, me, second_case):
    first = record(entry, me, parts={second_case.pk: outcomes.TaskPart(apart=True)})

    again = record(entry, me, parts={second_case.pk: outcomes.TaskPart(apart=True)})

    assert (again.created, again.kept_open) == (False, first.kept_open)
    assert again.kept_open == (second_case.pk,)
