"""One call to a person who has two follow-ups due today (a discharge follow-up, the lead,
and a missed appointment): the screen lists both, runs one script at a time and switches
between them, the identity is checked once; one submit records an attempt per follow-up
with its own path and script version, or keeps one open, or refuses one alone; a choice
that does not fit the call is refused beside the form and writes nothing."""

import json
import re
from html import unescape

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import translation

from followups.demo import MISSED_APPOINTMENT_GRAPH
from followups.models import CallAttempt, CaseStatus, QueueEntryStatus, TaskKind, TaskStatus
from followups.services.claims import claim_next_call
from followups.views.person_call import TICKET_SALT
from scripts.models import CallScript, ScriptVersion
from tests.agent.conftest import COMPLETE_PATH, at, htmx, listed_entry, open_call, when
from tests.calls import statuses
from tests.clock import MONDAY
from tests.factories import (
    CallingPolicyFactory,
    CaseFactory,
    FollowUpPlanFactory,
    FollowUpTaskFactory,
)

pytestmark = pytest.mark.django_db

LEAD_CONFIRMED = ["greet", "identity:yes"]
MISSED_COMPLETE = [
    "greet",
    "identity:yes",
    "s_purpose",
    "q_reason:busy",
    "q_rebook:B",
    "s_booking_channels",
    "q_callback:no",
    "q_satisfaction:satisfied",
]


@pytest.fixture
def missed_version(db):
    plan = FollowUpPlanFactory(calling_policy=CallingPolicyFactory(), offsets=[0])
    script = CallScript.objects.create(
        name="失约回访", code="missed", case_kind="missed_appointment"
    )
    step = plan.steps.get()
    step.script = script
    step.save()
    return ScriptVersion.objects.create(
        script=script,
        number=3,
        status="published",
        graph=MISSED_APPOINTMENT_GRAPH,
        published_at=at(8),
    )


def two_follow_ups(plan, agent, missed_version, *, sensitive=False):
    """张三's entry, led by the discharge follow-up, and his missed appointment due today."""
    entry = listed_entry(plan, agent, sensitive=sensitive)
    lead = entry.task
    missed_plan = missed_version.script.plan_steps.get().plan
    case = CaseFactory(
        plan=missed_plan,
        customer=lead.case.customer,
        patient=lead.case.patient,
        kind="missed_appointment",
        product="心内科复诊",
    )
    other = FollowUpTaskFactory(case=case, step=missed_plan.steps.get(), due_date=MONDAY)
    claim = claim_next_call(agent=agent, now=at(10, 40))
    assert claim.entry.pk == entry.pk
    entry.refresh_from_db()
    return entry, lead, other


@pytest.fixture
def person(plan, version, missed_version, agent):
    return two_follow_ups(plan, agent, missed_version)


@pytest.fixture
def ticket(client, agent, person):
    client.force_login(agent)
    return open_call(client, person[0])


def screen(client, entry) -> str:
    with when(at(10, 41)):
        return unescape(client.get(reverse("agent:call", args=[entry.pk])).content.decode())


def runner_post(client, entry, ticket, task, paths, **data):
    """A request of the runner of `task`, with every follow-up's path as the page has it."""
    sent = {"ticket": ticket, "task": task.pk}
    sent |= {f"path_{item.pk}": json.dumps(path) for item, path in paths.items()}
    with when(at(10, 42)):
        response = client.post(reverse("agent:script", args=[entry.pk]), sent | data, **htmx())
    return response


def shown(response) -> dict:
    raw = response.content.decode()
    runner = raw[: raw.index('id="path-so-far"')]
    node = re.search(r'data-node="([^"]*)">([^<]*)</p>', runner)
    own = re.search(r'id="call-path" class="call-path" name="path_(\d+)" [^>]*value="([^"]*)"', raw)
    kept = re.findall(r'class="call-path" name="path_(\d+)" value="([^"]*)"', raw)
    current = re.search(r'class="call-task w-100 text-start current"[^>]*data-task="(\d+)"', raw)
    return {
        "task": int(own[1]),
        "path": json.loads(unescape(own[2])),
        "others": {int(task): json.loads(unescape(path)) for task, path in kept},
        "node": node[1] if node else None,
        "text": unescape(node[2]) if node else None,
        "current": int(current[1]) if current else None,
        "prefill": json.loads(unescape(re.search(r'data-prefill="([^"]*)"', raw)[1])),
        "html": unescape(raw),
    }


def submit(client, entry, ticket, paths, headers=None, **fields):
    data = {"ticket": ticket, "notes": ""}
    data |= {f"path_{task.pk}": json.dumps(path) for task, path in paths.items()}
    with when(at(10, 44)):
        return client.post(
            reverse("agent:outcome", args=[entry.pk]), data | fields, **(headers or {})
        )


def test_each_follow_up_says_which_it_is_on_its_first_line(
    client, as_agent, person, version, missed_version
):
    entry, lead, other = person

    html = screen(client, entry)

    titles = re.findall(r'call-task-which">([^<]*)<', html)
    assert titles == [
        f"Day {task.step.offset_days} · due {task.due_date:%m-%d}" for task in (lead, other)
    ]
    # The choice for each follow-up beside the outcome names it in full on hover.
    label = re.search(rf'<label[^>]*for="part-{other.pk}" title="([^"]*)"', html)[1]
    which = f"Day {other.step.offset_days} · due {other.due_date:%m-%d}"
    assert label == f"Missed appointment · {which}"


def test_the_call_screen_lists_every_follow_up_the_call_covers(
    client, as_agent, person, version, missed_version
):
    entry, lead, other = person

    html = screen(client, entry)

    assert "This call covers 2 follow-ups" in html
    tabs = html[html.index('id="call-tasks"') : html.index('id="script-runner"')]
    assert tabs.index(f'data-task="{lead.pk}"') < tabs.index(f'data-task="{other.pk}"')
    for fact in ["Discharge follow-up", "Missed appointment", "心内科", "due 11-23", "call 1"]:
        assert fact in tabs
    assert tabs.count("6 unanswered calls left") == 2
    assert '<dd id="best-time">' in html
    # The lead's runner is open; the other follow-up's path waits in the outcome form.
    assert re.search(rf'class="call-task w-100 text-start current"[^>]*data-task="{lead.pk}"', tabs)
    assert f'name="path_{lead.pk}" form="outcome-form" value="[]"' in html
    assert f'class="call-path" name="path_{other.pk}" value="[]" form="outcome-form"' in html
    assert '出院回访 <span class="text-muted small">v1</span>' in html
    # One choice per follow-up beside the call's outcome, "same as the call" first.
    for task in (lead, other):
        select = re.search(rf'<select[^>]*name="part_{task.pk}".*?</select>', html, re.S)[0]
        assert '<option value="" selected>Same as the call</option>' in select
        assert '<option value="apart">Not discussed: keep open</option>' in select
    # The ticket fixes each follow-up's script version.
    signed = re.search(r'name="ticket" value="([^"]+)"', html)[1]
    data = signing.loads(signed, salt=TICKET_SALT)
    assert data["versions"] == {str(lead.pk): version.pk, str(other.pk): missed_version.pk}


def test_a_call_of_one_follow_up_offers_no_choice_per_follow_up(client, as_agent, held):
    html = screen(client, held)

    assert "This call covers 1 follow-up" in html
    assert 'id="call-parts"' not in html


def test_switching_opens_the_other_runner_past_the_identity_check_and_keeps_each_path(
    client, person, ticket
):
    entry, lead, other = person

    switched = shown(
        runner_post(client, entry, ticket, other, {lead: LEAD_CONFIRMED, other: []}, switch="1")
    )

    assert switched["task"] == other.pk
    assert switched["current"] == other.pk
    # The person said who they are on this call: the missed appointment starts past it.
    assert switched["path"] == LEAD_CONFIRMED
    assert switched["node"] == "s_purpose"
    assert "心内科复诊" in switched["text"]
    assert '失约回访 <span class="text-muted small">v3</span>' in switched["html"]
    assert switched["others"] == {lead.pk: LEAD_CONFIRMED}
    assert 'id="history" hx-swap-oob="true"' in switched["html"]

    moved = shown(
        runner_post(
            client,
            entry,
            ticket,
            other,
            {lead: LEAD_CONFIRMED, other: switched["path"]},
            token="s_purpose",
        )
    )
    assert (moved["node"], moved["others"]) == ("q_reason", {lead.pk: LEAD_CONFIRMED})

    back = shown(
        runner_post(
            client, entry, ticket, lead, {lead: LEAD_CONFIRMED, other: moved["path"]}, switch="1"
        )
    )
    assert (back["task"], back["current"], back["path"]) == (lead.pk, lead.pk, LEAD_CONFIRMED)
    assert back["node"] == "s_purpose"
    assert back["others"] == {other.pk: [*LEAD_CONFIRMED, "s_purpose"]}


def test_before_the_identity_is_confirmed_the_other_runner_starts_at_its_greeting(
    client, person, ticket
):
    entry, lead, other = person

    switched = shown(
        runner_post(client, entry, ticket, other, {lead: ["greet"], other: []}, switch="1")
    )

    assert (switched["path"], switched["node"]) == ([], "greet")


def test_a_sensitive_patients_medical_text_shows_once_the_call_confirmed_the_identity(
    client, as_agent, agent, plan, version, missed_version
):
    entry, lead, other = two_follow_ups(plan, agent, missed_version, sensitive=True)
    ticket = open_call(client, entry)

    switched = shown(
        runner_post(client, entry, ticket, other, {lead: LEAD_CONFIRMED, other: []}, switch="1")
    )

    assert switched["node"] == "s_purpose"
    assert 'id="medical-hidden"' not in switched["html"]
    assert 'id="identity-state">Identity confirmed' in switched["html"]


def test_the_other_runner_suggests_its_own_choice_not_the_calls_fields(client, person, ticket):
    entry, lead, other = person
    *path, last = MISSED_COMPLETE

    ended = shown(runner_post(client, entry, ticket, other, {other: path}, token=last))

    assert 'id="script-ended"' in ended["html"]
    # Its satisfaction and intent are recorded from its own path, not put in the call's.
    assert ended["prefill"] == {f"part_{other.pk}": "complete"}


def test_a_follow_up_the_screen_does_not_show_is_refused(client, person, ticket, plan, agent):
    entry, lead, other = person
    stranger = listed_entry(plan, agent, name="李梅", phone="+8613998765432").task

    response = runner_post(client, entry, ticket, stranger, {lead: []}, token="greet")

    assert response.status_code == 403
    assert "This call screen is out of date: open the call again." in response.content.decode()


def test_one_submit_records_each_follow_up_with_its_own_path_and_version(
    client, agent, person, ticket, version, missed_version
):
    entry, lead, other = person

    response = submit(
        client,
        entry,
        ticket,
        {lead: COMPLETE_PATH, other: MISSED_COMPLETE},
        headers=htmx(),
        disposition="complete",
        satisfaction="neutral",
    )

    assert response.status_code == 200
    first, second = CallAttempt.objects.order_by("pk")
    assert (first.task, first.script_version, first.satisfaction) == (lead, version, "neutral")
    assert (second.task, second.script_version) == (other, missed_version)
    # The missed appointment's own answers tell its satisfaction and intent.
    assert (second.satisfaction, second.intent_class) == ("satisfied", "B")
    assert second.same_call_as == first
    assert [a.node_id for a in first.answers.all()][-3:] == ["q_satisfaction", "q_note", "close_ok"]
    assert [(a.node_id, a.value) for a in second.answers.all()][3:5] == [
        ("q_reason", "busy"),
        ("q_rebook", "B"),
    ]
    done = (QueueEntryStatus.DONE, TaskStatus.DONE, TaskStatus.DONE)
    assert statuses(entry, lead, other) == done
    text = re.sub(r"\s+", " ", unescape(response.content.decode()))
    assert 'id="settled-on-call">2 follow-ups settled on this call.</p>' in text
    assert "<li>Missed appointment · Day 0 · due 11-23: Reached: complete</li>" in text
    assert "<li>Discharge follow-up · Day 3 · due 11-23: Reached: complete</li>" in text
    # One call made, however many follow-ups it settled.
    assert response.context["calls_today"] == 1


def test_the_summary_names_each_follow_up_in_the_readers_language(client, person, ticket):
    entry, lead, other = person

    with translation.override("zh-hans"):
        response = submit(
            client,
            entry,
            ticket,
            {lead: COMPLETE_PATH, other: MISSED_COMPLETE},
            headers={"HTTP_ACCEPT_LANGUAGE": "zh-hans", **htmx()},
            disposition="complete",
        )
        done = CallAttempt.objects.first().get_disposition_display()

    text = re.sub(r"\s+", " ", unescape(response.content.decode()))
    items = re.findall(r"<li>([^<]*)</li>", text[text.index('id="settled-follow-ups"') :])
    # Each line says which follow-up it is (kind, plan day, due day), with a full-width colon.
    assert items == [
        f"出院回访 · 第 3 天 · 11-23 到期：{done}",
        f"预约未到诊 · 第 0 天 · 11-23 到期：{done}",
    ]


def test_a_follow_up_not_discussed_stays_open_with_no_attempt(client, person, ticket):
    entry, lead, other = person

    response = submit(
        client,
        entry,
        ticket,
        {lead: COMPLETE_PATH, other: []},
        headers=htmx(),
        disposition="complete",
        **{f"part_{other.pk}": "apart"},
    )

    assert CallAttempt.objects.get().task == lead
    other.refresh_from_db()
    assert (other.status, other.attempts) == (TaskStatus.PENDING, 0)
    text = re.sub(r"\s+", " ", unescape(response.content.decode()))
    assert "1 follow-up settled on this call; 1 kept open for the next call." in text
    kept = "Missed appointment · Day 0 · due 11-23: kept open for the next call"
    kept = f'<li class="kept-open">{kept}</li>'
    assert kept in text


def test_a_follow_up_refused_on_its_own_closes_only_its_case(client, person, ticket):
    entry, lead, other = person

    submit(
        client,
        entry,
        ticket,
        {lead: COMPLETE_PATH, other: [*LEAD_CONFIRMED, "!dnc"]},
        disposition="complete",
        **{f"part_{other.pk}": "refused"},
    )

    dispositions = dict(CallAttempt.objects.values_list("task_id", "disposition"))
    assert dispositions == {lead.pk: "complete", other.pk: "refused"}
    lead.refresh_from_db()
    other.refresh_from_db()
    assert lead.status == TaskStatus.DONE
    assert lead.case.status == CaseStatus.OPEN
    assert other.case.status == CaseStatus.CLOSED


@pytest.mark.parametrize("headers", [htmx(), {}], ids=["htmx", "page"])
def test_a_choice_that_does_not_fit_the_call_is_refused_and_nothing_is_written(
    client, person, ticket, headers
):
    entry, lead, other = person

    response = submit(
        client,
        entry,
        ticket,
        {lead: ["greet"], other: []},
        headers=headers,
        disposition="no_answer",
        notes="没人接",
        **{f"part_{other.pk}": "complete"},
    )

    assert response.status_code == 200
    html = unescape(response.content.decode())
    errors = html[html.index('id="outcome-errors"') :].split("</div></div>")[0]
    assert "The person was not spoken to: every follow-up of the call shares its outcome." in (
        errors
    )
    assert "没人接</textarea>" in html
    select = re.search(rf'<select[^>]*name="part_{other.pk}".*?</select>', html, re.S)[0]
    assert '<option value="complete" selected>Done</option>' in select
    assert CallAttempt.objects.count() == 0
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.CLAIMED
    if not headers:  # the whole screen again: the paths are kept
        assert f'name="path_{lead.pk}" form="outcome-form" value="[&quot;greet&quot;]"' in (
            response.content.decode()
        )


def test_the_home_list_says_how_many_follow_ups_each_call_covers(client, as_agent, person):
    entry, lead, other = person

    with when(at(10, 45)):
        html = client.get(reverse("agent:home")).content.decode()

    rows = html[html.index('id="my-list"') :].split("</tbody>")[0]
    assert rows.count("<tr data-entry=") == 1
    row = rows[rows.index(f'data-entry="{entry.pk}"') :].split("</tr>")[0]
    assert re.search(r'<span class="badge text-bg-primary"[^>]*>2 follow-ups</span>', row)


def test_a_follow_up_no_plan_step_made_is_named_by_its_kind(person):
    """A booked callback or a retry made outside the plan says what it is where a step
    would say its day (the cards, the per-follow-up choices, the summary)."""
    _entry, lead, other = person
    other.step, other.kind = None, TaskKind.CALLBACK
    with translation.override("en"):
        assert (lead.step_label, other.step_label) == ("Day 3", "Callback")
