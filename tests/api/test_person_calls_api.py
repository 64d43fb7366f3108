"""One call to a person through the API: the claim lists every follow-up of theirs it
covers, one outcome settles them all (each with its own script path), and what is learnt
about the person (wrong number, a booked callback, do-not-call, a death) holds for all
their calls."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.models import (
    AuditAction,
    AuditEvent,
    CallAttempt,
    CaseStatus,
    QueueEntryStatus,
    ScriptAnswer,
    TaskStatus,
)
from followups.services.claims import script_version_to_use
from tests.api.monday import api_for
from tests.clock import MONDAY, SHANGHAI, TUESDAY, at
from tests.factories import (
    CallingPolicyFactory,
    CallListFactory,
    CaseFactory,
    FollowUpPlanFactory,
    FollowUpTaskFactory,
    PatientFactory,
    QueueEntryFactory,
    UserFactory,
    on_list,
    plan_with_script,
    published_version,
)

pytestmark = pytest.mark.django_db

NEXT = "/api/v1/queue/next/"
OUTCOMES = "/api/v1/outcomes/"


def scripted_plan(policy, *, code: str, name: str, offset: int):
    """A plan of one step whose script has a published version of its own."""
    plan = plan_with_script(name, code, offset=offset, policy=policy)
    graph = {"nodes": [{"id": f"{code}_q1"}, {"id": f"{code}_q2"}], "objections": []}
    return plan, published_version(plan.steps.get().script, graph)


@pytest.fixture
def person():
    """李秀英, with two cases due on Monday: a discharge follow-up (the list's lead) and an
    after-sales call on another plan and script; the Monday list holds one entry for her."""
    policy = CallingPolicyFactory(is_default=True)
    discharge_plan, discharge_version = scripted_plan(
        policy, code="discharge", name="出院回访", offset=3
    )
    sales_plan, sales_version = scripted_plan(policy, code="after_sales", name="售后回访", offset=7)
    patient = PatientFactory(customer__name="李秀英", customer__phone="+8613812345678")
    customer = patient.customer
    discharge = CaseFactory(plan=discharge_plan, customer=customer, patient=patient)
    sales = CaseFactory(plan=sales_plan, customer=customer, kind="after_sales")
    lead = FollowUpTaskFactory(case=discharge, step=discharge_plan.steps.get(), due_date=MONDAY)
    other = FollowUpTaskFactory(case=sales, step=sales_plan.steps.get(), due_date=MONDAY)
    entry = on_list(lead, MONDAY)
    return {
        "customer": customer,
        "entry": entry,
        "lead": lead,
        "other": other,
        "discharge_version": discharge_version,
        "sales_version": sales_version,
        "policy": policy,
    }


def later_case_of(person, *, due: dt.date):
    """A third case of the person, its follow-up due after Monday (not on Monday's call)."""
    plan = FollowUpPlanFactory(calling_policy=person["policy"], offsets=[30])
    case = CaseFactory(plan=plan, customer=person["customer"], kind="consultation")
    return FollowUpTaskFactory(case=case, step=plan.steps.get(), due_date=due)


@pytest.fixture
def api(agent, person):
    """agent-a's API client, holding the person's call: it claimed it at 10:40."""
    client = api_for(agent)
    claim(client)
    return client


def claim(client, when=None):
    """queue/next; the client keeps the claim token it answers with, as a real one does."""
    with time_machine.travel(when or at(10, 40), tick=False):
        response = client.post(NEXT)
    if response.status_code == 200:
        client.claim_token = response.json()["claim_token"]
    return response


def submit(client, person, when=None, **fields):
    """POST an outcome, with the claim token the client got from queue/next, if any."""
    body = {
        "entry": person["entry"].pk,
        "idempotency_key": "call-li-1",
        "disposition": "complete",
        "started_at": "2026-11-23T10:40:00+08:00",
        "ended_at": "2026-11-23T10:48:00+08:00",
        **fields,
    }
    if hasattr(client, "claim_token"):
        body.setdefault("claim_token", client.claim_token)
    with time_machine.travel(when or at(10, 49), tick=False):
        return client.post(OUTCOMES, body, format="json")


def pending_of(person) -> list:
    return list(
        person["customer"]
        .cases.all()
        .values_list("tasks__pk", flat=True)
        .filter(tasks__status=TaskStatus.PENDING)
        .order_by("tasks__pk")
    )


# --- (a) one call, every follow-up due -------------------------------------------------


def not_yet_called(task, case_kind: str, offset_days: int, version) -> dict:
    """What the claim says of a scheduled follow-up due Monday it covers, not called yet."""
    return {
        "task": task.pk,
        "case": task.case_id,
        "case_kind": case_kind,
        "task_kind": "scheduled",
        "step": {"id": task.step_id, "offset_days": offset_days, "label": f"Day {offset_days}"},
        "due_date": "2026-11-23",
        "callback_at": None,
        "attempts": 0,
        "budget_left": 6,
        "script_version": version.pk,
    }


def test_the_claim_lists_every_follow_up_the_call_covers_lead_first(agent, person):
    body = claim(api_for(agent)).json()

    lead, other = person["lead"], person["other"]
    assert (body["id"], body["task"]) == (person["entry"].pk, lead.pk)  # old clients
    assert body["tasks"] == [
        not_yet_called(lead, "discharge", 3, person["discharge_version"]),
        not_yet_called(other, "after_sales", 7, person["sales_version"]),
    ]
    # The batched read agrees with the one the claim uses for its own follow-up.
    assert [item["script_version"] for item in body["tasks"]] == [
        script_version_to_use(lead),
        script_version_to_use(other),
    ]


def test_the_claim_reads_the_carried_follow_ups_in_a_fixed_number_of_queries(agent, person):
    """However many follow-ups ride along: one query for them, one for their scripts."""
    day_list = CallListFactory(day=MONDAY)
    # Someone else first, so that neither measured claim pays for first-use work.
    QueueEntryFactory(call_list=day_list, task=FollowUpTaskFactory(due_date=MONDAY), priority=0)
    person["entry"].priority = 1
    person["entry"].save()
    busier = PatientFactory(customer__name="王伟").customer
    policy = person["policy"]
    tasks = []
    for offset in (3, 7, 30, 90):
        plan = FollowUpPlanFactory(calling_policy=policy, offsets=[offset])
        case = CaseFactory(plan=plan, customer=busier)
        tasks.append(FollowUpTaskFactory(case=case, step=plan.steps.get(), due_date=MONDAY))
    QueueEntryFactory(call_list=day_list, task=tasks[0], priority=2)
    claim(api_for(agent))

    counted = []
    for name in ("agent-b", "agent-c"):
        client = api_for(UserFactory(username=name, role="agent"))
        with CaptureQueriesContext(connection) as queries:
            counted.append((len(claim(client).json()["tasks"]), len(queries)))

    assert [carried for carried, _queries in counted] == [2, 4]
    assert counted[0][1] == counted[1][1]


def test_one_outcome_settles_both_each_with_its_own_script_path(api, person):
    lead, other = person["lead"], person["other"]
    discharge, sales = person["discharge_version"], person["sales_version"]

    response = submit(
        api,
        person,
        script_version=discharge.pk,
        answers=[{"node_id": "discharge_q1", "value": "好多了"}],
        tasks=[
            {
                "task": other.pk,
                "script_version": sales.pk,
                "answers": [
                    {"node_id": "after_sales_q1", "value": "满意"},
                    {"node_id": "after_sales_q2", "value": "没有"},
                ],
                "satisfaction": "satisfied",
            }
        ],
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    first, second = CallAttempt.objects.order_by("pk")
    assert [(item["attempt"], item["task"]) for item in body["settled"]] == [
        (first.pk, lead.pk),
        (second.pk, other.pk),
    ]
    assert [item["follow_up"]["action"] for item in body["settled"]] == ["done", "done"]
    assert [item["script_version"] for item in body["settled"]] == [discharge.pk, sales.pk]
    assert body["kept_open"] == []
    assert (first.script_version, second.script_version) == (discharge, sales)
    assert (second.same_call_as, second.satisfaction) == (first, "satisfied")

    def path(attempt):
        return list(
            ScriptAnswer.objects.filter(attempt=attempt)
            .order_by("position")
            .values_list("node_id", "value")
        )

    assert path(first) == [("discharge_q1", "好多了")]
    assert path(second) == [("after_sales_q1", "满意"), ("after_sales_q2", "没有")]
    for task in (lead, other):
        task.refresh_from_db()
        assert (task.status, task.attempts) == (TaskStatus.DONE, 1)
    person["entry"].refresh_from_db()
    assert person["entry"].status == QueueEntryStatus.DONE


def test_a_replay_answers_with_the_same_settled_attempts(api, person):
    tasks = [{"task": person["other"].pk, "disposition": "refused"}]
    first = submit(api, person, tasks=tasks)

    again = submit(api, person, tasks=tasks, when=at(10, 55))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["settled"] == first.json()["settled"]
    assert len(first.json()["settled"]) == 2
    assert CallAttempt.objects.count() == 2


def test_the_lead_s_script_path_may_come_in_its_tasks_item(api, person):
    version = person["discharge_version"]

    response = submit(
        api,
        person,
        tasks=[
            {
                "task": person["lead"].pk,
                "script_version": version.pk,
                "answers": [{"node_id": "discharge_q2", "value": "按时吃药"}],
            }
        ],
    )

    assert response.status_code == 201
    lead_attempt = CallAttempt.objects.get(task=person["lead"])
    assert lead_attempt.script_version == version
    assert list(lead_attempt.answers.values_list("node_id", flat=True)) == ["discharge_q2"]


# --- (b) a follow-up not discussed -----------------------------------------------------


def test_a_follow_up_not_discussed_stays_open_with_no_attempt(api, person):
    other = person["other"]

    response = submit(api, person, tasks=[{"task": other.pk, "apart": True}])

    assert response.status_code == 201
    body = response.json()
    assert [item["task"] for item in body["settled"]] == [person["lead"].pk]
    assert body["kept_open"] == [other.pk]
    assert not CallAttempt.objects.filter(task=other).exists()
    other.refresh_from_db()
    assert (other.status, other.attempts) == (TaskStatus.PENDING, 0)


def test_the_lead_may_be_the_one_not_discussed(api, person):
    lead, other = person["lead"], person["other"]

    response = submit(api, person, tasks=[{"task": lead.pk, "apart": True}])

    assert response.status_code == 201
    body = response.json()
    assert (body["task"], body["kept_open"]) == (other.pk, [lead.pk])
    lead.refresh_from_db()
    assert (lead.status, lead.attempts) == (TaskStatus.PENDING, 0)


def test_the_lead_not_discussed_cannot_keep_the_call_s_answers(api, person):
    response = submit(
        api,
        person,
        script_version=person["discharge_version"].pk,
        answers=[{"node_id": "discharge_q1"}],
        tasks=[{"task": person["lead"].pk, "apart": True}],
    )

    assert response.status_code == 400
    assert response.json() == {"tasks": ["A follow-up not discussed on the call has no answers."]}
    assert not CallAttempt.objects.exists()


# --- (c) one follow-up refused -----------------------------------------------------------


def test_a_follow_up_refused_on_the_call_closes_only_its_case(api, person):
    lead, other = person["lead"], person["other"]

    response = submit(api, person, tasks=[{"task": other.pk, "disposition": "refused"}])

    assert response.status_code == 201
    dispositions = {item["task"]: item["disposition"] for item in response.json()["settled"]}
    assert dispositions == {lead.pk: "complete", other.pk: "refused"}
    lead.refresh_from_db()
    other.refresh_from_db()
    assert lead.status == TaskStatus.DONE
    assert lead.case.status == CaseStatus.OPEN
    assert other.status == TaskStatus.CANCELLED
    assert other.case.status == CaseStatus.CLOSED


# --- (d) wrong number, then the number fixed through the API -------------------------


def test_a_wrong_number_holds_every_call_until_the_number_is_fixed(api, admin_user, person):
    later = later_case_of(person, due=MONDAY + dt.timedelta(days=10))

    response = submit(api, person, disposition="wrong_number")

    assert response.status_code == 201
    assert len(response.json()["settled"]) == 2
    held = [person["lead"], person["other"], later]
    for task in held:
        task.refresh_from_db()
        assert (task.status, task.needs_number_fix) == (TaskStatus.SUSPENDED, True)
    assert pending_of(person) == []
    assert AuditEvent.objects.get(action=AuditAction.WRONG_NUMBER).detail["held"] == 3

    with time_machine.travel(at(12, 5), tick=False):
        fixed = api_for(admin_user).patch(
            f"/api/v1/customers/{person['customer'].pk}/",
            {"phone": "+8613900001111"},
            format="json",
        )

    assert fixed.status_code == 200
    afternoon = at(15)  # the next calling window
    for task in held:
        task.refresh_from_db()
        assert (task.status, task.needs_number_fix) == (TaskStatus.PENDING, False)
        assert task.earliest_at == afternoon
    event = AuditEvent.objects.get(action=AuditAction.NUMBER_FIXED)
    assert (event.actor, event.target_id, event.detail["resumed"]) == (
        admin_user,
        str(person["customer"].pk),
        3,
    )


# --- (e) a booked callback -------------------------------------------------------------


def test_a_booked_callback_takes_the_person_s_calls_due_before_it_along(agent, api, person):
    tuesday_task = later_case_of(person, due=TUESDAY)
    callback = dt.datetime(2026, 11, 25, 15, 30, tzinfo=SHANGHAI)  # Wednesday afternoon

    response = submit(api, person, disposition="callback", callback_at="2026-11-25T15:30:00+08:00")

    assert response.status_code == 201
    follow_ups = [item["follow_up"] for item in response.json()["settled"]]
    assert [(f["action"], f["earliest"]) for f in follow_ups] == [
        ("callback", "2026-11-25T15:30:00+08:00"),
        ("callback", "2026-11-25T15:30:00+08:00"),
    ]
    tuesday_task.refresh_from_db()
    assert (tuesday_task.status, tuesday_task.earliest_at) == (TaskStatus.PENDING, callback)
    event = AuditEvent.objects.get(action=AuditAction.CALLBACK_MOVES)
    assert (event.actor, event.target_id, event.detail["moved"]) == (
        agent,
        str(person["customer"].pk),
        1,
    )


# --- (f) do not call ---------------------------------------------------------------------


def test_do_not_call_cancels_every_call_still_planned_for_the_person(api, person):
    later = later_case_of(person, due=MONDAY + dt.timedelta(days=10))

    response = submit(api, person, disposition="refused", do_not_call=True)

    assert response.status_code == 201
    customer = person["customer"]
    customer.refresh_from_db()
    assert customer.do_not_call is True
    assert pending_of(person) == []
    later.refresh_from_db()
    assert (later.status, later.status_reason) == (TaskStatus.CANCELLED, "do not call")
    assert AuditEvent.objects.filter(action=AuditAction.DO_NOT_CALL).count() == 1


# --- (g) deceased ------------------------------------------------------------------------


def test_a_death_stops_every_call_closes_the_cases_and_reaches_the_dashboard(
    api, supervisor, client, person
):
    later = later_case_of(person, due=MONDAY + dt.timedelta(days=10))

    response = submit(api, person, disposition="deceased")

    assert response.status_code == 201
    for task in (person["lead"], person["other"], later):
        task.refresh_from_db()
        assert (task.status, task.status_reason) == (TaskStatus.CANCELLED, "deceased")
        assert task.case.status == CaseStatus.CLOSED
    person["customer"].patient.refresh_from_db()
    assert person["customer"].patient.died_on == MONDAY
    assert AuditEvent.objects.get(action=AuditAction.DECEASED).detail["cancelled"] == 1

    client.force_login(supervisor)
    with time_machine.travel(at(16), tick=False):
        page = client.get(reverse("supervisor:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    reported = list(page.context["deaths_reported"])
    lead_attempt = CallAttempt.objects.get(task=person["lead"])
    assert lead_attempt in reported
    assert {call.task.case.customer_id for call in reported} == {person["customer"].pk}
    html = page.content.decode()
    assert 'id="dashboard-deaths"' in html
    assert reverse("supervisor:call_detail", args=[lead_attempt.pk]) in html


def test_the_dashboard_names_a_death_once_however_many_follow_ups_the_call_had(
    api, supervisor, client, person
):
    assert submit(api, person, disposition="deceased").status_code == 201

    client.force_login(supervisor)
    with time_machine.travel(at(16), tick=False):
        page = client.get(reverse("supervisor:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert len(page.context["deaths_reported"]) == 1


# --- (h) invalid tasks: 400, nothing written -------------------------------------------


def stranger_task():
    return FollowUpTaskFactory(due_date=MONDAY)


@pytest.mark.parametrize(
    "tasks",
    [
        pytest.param(lambda person: [{"task": stranger_task().pk}], id="not-on-the-call"),
        pytest.param(lambda person: [{"task": 999_999}], id="unknown-task"),
        pytest.param(
            lambda person: [{"task": person["other"].pk, "apart": True}],
            id="apart-on-a-no-answer-call",
        ),
        pytest.param(
            lambda person: [{"task": person["other"].pk, "disposition": "refused"}],
            id="own-disposition-on-a-no-answer-call",
        ),
        pytest.param(
            lambda person: [{"task": person["other"].pk, "disposition": "busy"}],
            id="disposition-not-for-a-follow-up",
        ),
        pytest.param(
            lambda person: [{"task": person["other"].pk}, {"task": person["other"].pk}],
            id="twice",
        ),
        pytest.param(
            lambda person: [
                {
                    "task": person["other"].pk,
                    "script_version": person["sales_version"].pk,
                    "answers": [{"node_id": "nowhere"}],
                }
            ],
            id="answer-outside-its-script",
        ),
        pytest.param(lambda person: [{"task": "x"}], id="not-an-id"),
        pytest.param(lambda person: {"task": 1}, id="not-a-list"),
    ],
)
def test_invalid_tasks_are_a_400_under_tasks_and_nothing_is_written(agent, api, person, tasks):
    response = submit(api, person, disposition="no_answer", tasks=tasks(person))

    assert response.status_code == 400, response.json()
    assert list(response.json()) == ["tasks"]
    assert not CallAttempt.objects.exists()
    person["entry"].refresh_from_db()
    assert (person["entry"].status, person["entry"].claimed_by) == (
        QueueEntryStatus.CLAIMED,
        agent,
    )
    for task in (person["lead"], person["other"]):
        task.refresh_from_db()
        assert (task.status, task.attempts) == (TaskStatus.PENDING, 0)


def test_an_unknown_follow_up_is_named_in_the_error(api, person):
    stranger = stranger_task()

    response = submit(api, person, tasks=[{"task": stranger.pk}])

    assert response.status_code == 400
    assert response.json() == {
        "tasks": [f"These follow-ups are not due on this call: {stranger.pk}."]
    }


def test_a_follow_up_marked_apart_cannot_also_carry_answers(api, person):
    response = submit(
        api,
        person,
        tasks=[{"task": person["other"].pk, "apart": True, "answers": [{"node_id": "q"}]}],
    )

    assert response.status_code == 400
    message = "A follow-up not discussed on the call has no answers or disposition."
    assert response.json() == {"tasks": {"0": {"non_field_errors": [message]}}}
    assert not CallAttempt.objects.exists()


def test_every_follow_up_apart_is_refused(api, person):
    response = submit(
        api,
        person,
        tasks=[
            {"task": person["lead"].pk, "apart": True},
            {"task": person["other"].pk, "apart": True},
        ],
    )

    assert response.status_code == 400
    assert list(response.json()) == ["tasks"]
    assert not CallAttempt.objects.exists()


def test_a_colleague_cannot_submit_for_the_person_s_call(api, person):
    colleague = UserFactory(username="colleague", role="agent")

    response = submit(api_for(colleague), person, tasks=[{"task": person["other"].pk}])

    assert response.status_code == 403
    assert not CallAttempt.objects.exists()
