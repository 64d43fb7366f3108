"""Recording the outcome: the call with its path and script version, once per screen (a
double submit writes once), what follows said in an agent's words, the next call one click
away; bad input comes back beside its fields with what was typed, and writes nothing."""

import json
import re
from functools import partial
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followups.models import (
    CallAttempt,
    CaseStatus,
    Escalation,
    QueueEntryStatus,
    TaskKind,
    TaskStatus,
)
from followups.services import outcomes
from followups.services.claims import claim_next_call
from tests.agent.conftest import COMPLETE_PATH, at, htmx, listed_entry, open_call, when
from tests.clock import MONDAY, TUESDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(client, held, ticket):
    """Send the outcome form of the held call, from the screen agent-a opened on it."""
    return partial(submit, client, held, ticket)


def submit(client, entry, ticket, moment=None, path=(), headers=None, **fields):
    """The outcome form sent with the path of the entry's lead follow-up."""
    data = {"ticket": ticket, f"path_{entry.task_id}": json.dumps(list(path)), "notes": ""}
    data.update(fields)
    with when(moment or at(10, 44)):
        return client.post(reverse("agent:outcome", args=[entry.pk]), data, **(headers or {}))


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_it_records_the_call_with_its_path_and_script_version(agent, held, version, send):
    response = send(
        path=COMPLETE_PATH,
        disposition="complete",
        satisfaction="satisfied",
        notes=" 患者恢复良好 ",
    )

    assert response.status_code == 302
    assert response.url == reverse("agent:home")
    attempt = CallAttempt.objects.get()
    assert (attempt.agent, attempt.queue_entry, attempt.disposition, attempt.satisfaction) == (
        agent,
        held,
        "complete",
        "satisfied",
    )
    assert (attempt.started_at, attempt.ended_at) == (at(10, 40), at(10, 44))
    assert attempt.script_version == version
    assert attempt.notes == "患者恢复良好"
    assert attempt.after_lease_lost is False
    assert [(a.position, a.node_id, a.value, a.is_objection) for a in attempt.answers.all()] == [
        (1, "greet", "", False),
        (2, "identity", "yes", False),
        (3, "s_purpose", "", False),
        (4, "q_recovery", "good", False),
        (5, "q_medication", "regular", False),
        (6, "s_reminder", "", False),
        (7, "q_satisfaction", "satisfied", False),
        (8, "q_note", "一切都好", False),
        (9, "close_ok", "", False),
    ]
    held.refresh_from_db()
    assert held.status == QueueEntryStatus.DONE
    assert held.task.status == TaskStatus.DONE


def test_with_htmx_it_says_what_follows_and_offers_the_next_call(client, held, ticket):
    response = submit(
        client, held, ticket, headers=htmx(), path=COMPLETE_PATH, disposition="complete"
    )

    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("agent:home")
    text = text_of(response)
    assert "Recorded: Reached: complete (张先生)" in text
    assert '<p class="mb-0" id="what-follows">Done: this follow-up call is complete.</p>' in text
    assert 'id="next-call-button" class="btn btn-primary btn-lg px-4" type="submit" autofocus' in (
        text
    )


def test_an_objection_is_recorded_with_the_action_it_took(held, send):
    send(path=["greet", "!how_number", "!dnc"], disposition="refused")

    attempt = CallAttempt.objects.get()
    assert [(a.node_id, a.value, a.is_objection) for a in attempt.answers.all()] == [
        ("greet", "", False),
        ("how_number", "return", True),
        ("dnc", "end", True),
    ]
    held.refresh_from_db()
    assert held.task.case.status == CaseStatus.CLOSED


def test_a_double_submit_writes_once(held, send):
    first = send(headers=htmx(), disposition="no_answer")
    second = send(at(10, 45), headers=htmx(), disposition="no_answer")

    assert (first.status_code, second.status_code) == (200, 200)
    assert CallAttempt.objects.count() == 1
    assert "This outcome had already been recorded: nothing was written twice." in text_of(second)
    held.refresh_from_db()
    assert held.task.attempts == 1


def test_a_new_screen_of_the_same_call_is_a_new_outcome(client, agent, held, send):
    send(disposition="family")
    # A relative answered: the retry is due at 15:00; the agent takes the same call again then.
    claim_next_call(agent=agent, now=at(15, 1))
    second_ticket = open_call(client, held, at(15, 2))

    submit(client, held, second_ticket, at(15, 5), disposition="busy")

    assert list(CallAttempt.objects.order_by("pk").values_list("disposition", flat=True)) == [
        "family",
        "busy",
    ]


@pytest.mark.parametrize(
    ("disposition", "callback_at", "follows"),
    [
        # Six calls nobody answers are spread over the week: the next one, three windows
        # on, is Tuesday afternoon; a relative answering leaves the budget whole and the
        # next try is this afternoon.
        ("no_answer", "", "No contact this time: the next try is at 2026-11-24 15:00."),
        ("family", "", "No contact this time: the next try is at 15:00."),
        ("callback", "2026-11-24T15:30", "Callback booked for 2026-11-24 15:30."),
        (
            "callback",
            "2026-11-23T22:00",
            "Callback booked for 2026-11-24 08:00. It was moved out of quiet hours.",
        ),
        ("wrong_number", "", "Suspended until someone fixes the phone number."),
        ("refused", "", "The case is closed (Refused)."),
        ("deceased", "", "The case is closed (Deceased)."),
    ],
)
def test_the_confirmation_says_what_follows(
    client, held, ticket, disposition, callback_at, follows
):
    response = submit(
        client, held, ticket, headers=htmx(), disposition=disposition, callback_at=callback_at
    )

    assert f'id="what-follows">{follows}</p>' in text_of(response)


def test_a_booked_callback_moves_the_task(held, send):
    send(disposition="callback", callback_at="2026-11-24T15:30")

    attempt = CallAttempt.objects.get()
    assert attempt.callback_at == at(15, 30, TUESDAY)
    held.refresh_from_db()
    task = held.task
    # The due date stays Monday's (reports count the task on it); the next call moves.
    assert (task.kind, task.callback_at, task.earliest_at, task.due_date) == (
        TaskKind.CALLBACK,
        at(15, 30, TUESDAY),
        at(15, 30, TUESDAY),
        MONDAY,
    )


def form_error(response, field: str) -> str:
    html = unescape(response.content.decode())
    found = re.search(rf'<span id="error_\d+_id_{field}"[^>]*><strong>([^<]*)</strong>', html)
    return found[1] if found else ""


def test_a_callback_without_a_time_is_refused_beside_the_field(held, send):
    response = send(disposition="callback", notes="下午三点后方便")

    assert response.status_code == 200
    assert form_error(response, "callback_at") == (
        "Give the time the customer asked to be called back."
    )
    html = unescape(response.content.decode())
    assert "下午三点后方便</textarea>" in html
    assert '<option value="callback" selected>' in html
    assert CallAttempt.objects.count() == 0
    held.refresh_from_db()
    assert (held.status, held.task.attempts) == (QueueEntryStatus.CLAIMED, 0)


def test_a_callback_in_the_past_is_refused(send):
    response = send(disposition="callback", callback_at="2026-11-23T10:30")

    assert form_error(response, "callback_at") == "This time has passed: choose a later one."
    assert CallAttempt.objects.count() == 0


def test_a_callback_time_needs_the_callback_disposition(send):
    response = send(disposition="busy", callback_at="2026-11-24T15:30")

    assert form_error(response, "callback_at") == (
        "To book this time choose “Asked for a callback” (or “Family member answered” when a"
        " relative said when to call), or clear the time."
    )
    assert CallAttempt.objects.count() == 0


def test_without_a_disposition_nothing_is_written(send):
    response = send(disposition="")

    assert form_error(response, "disposition") == "This field is required."
    assert CallAttempt.objects.count() == 0


def test_with_htmx_errors_replace_the_form_only(send):
    response = send(headers=htmx(), disposition="callback")

    assert response["HX-Retarget"] == "#outcome-form-wrap"
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="outcome-form-wrap"')
    assert 'id="script-runner"' not in html
    assert CallAttempt.objects.count() == 0


def test_a_problem_raised_from_the_call_becomes_an_escalation(send):
    response = send(
        headers=htmx(),
        disposition="partial",
        record_without_answers="on",
        escalation_category="medical",
        escalation_severity="urgent",
        escalation_description="伤口红肿流液，体温38.5℃",
    )

    escalation = Escalation.objects.get()
    attempt = CallAttempt.objects.get()
    assert (escalation.attempt, escalation.category, escalation.severity) == (
        attempt,
        "medical",
        "urgent",
    )
    assert escalation.description == "伤口红肿流液，体温38.5℃"
    assert f"Escalation #{escalation.pk} raised (Urgent), due 12:44." in text_of(response)


def test_an_escalation_without_a_description_is_refused(send):
    response = send(disposition="partial", escalation_category="medical")

    assert form_error(response, "escalation_description") == "Describe the problem."
    assert 'id="escalation" class="mb-3" open' in response.content.decode()
    assert (CallAttempt.objects.count(), Escalation.objects.count()) == (0, 0)


def test_the_services_errors_come_back_beside_the_fields(monkeypatch, send):
    def refuse(**kwargs):
        raise ValidationError(
            {"escalation": ["Unknown escalation category: x."], "answers": ["Bad path."]}
        )

    monkeypatch.setattr(outcomes, "record_outcome", refuse)

    response = send(disposition="complete", record_without_answers="on")

    assert form_error(response, "escalation_description") == "Unknown escalation category: x."
    assert '<div id="outcome-errors"' not in response.content.decode()
    assert "Bad path." in unescape(response.content.decode())
    assert CallAttempt.objects.count() == 0


def test_an_outcome_after_the_lease_was_lost_is_kept_and_flagged(other_agent, send):
    response = send(at(11, 10), headers=htmx(), disposition="complete", path=COMPLETE_PATH)

    attempt = CallAttempt.objects.get()
    assert attempt.after_lease_lost is True
    assert (attempt.started_at, attempt.ended_at) == (at(10, 40), at(11, 10))
    assert "Your hold on this call had run out: the outcome is kept and flagged for review." in (
        text_of(response)
    )


def test_the_ticket_of_another_agent_is_refused(client, other_agent, send):
    client.force_login(other_agent)

    response = send(disposition="complete")

    assert response.status_code == 403
    assert CallAttempt.objects.count() == 0


def test_a_ticket_for_another_call_is_refused(client, agent, plan, held, ticket):
    other = listed_entry(plan, agent, name="李梅", phone="+8613998765432")

    response = submit(client, other, ticket, disposition="complete")

    assert response.status_code == 403
    assert CallAttempt.objects.count() == 0


def test_the_agent_can_put_the_customer_on_do_not_call(held, send):
    response = send(
        headers=htmx(),
        path=["greet", "!how_number", "!dnc"],
        disposition="refused",
        do_not_call="on",
    )

    assert response.status_code == 200
    assert "The customer is on the do-not-call list: no more calls are planned." in text_of(
        response
    )
    customer = held.task.case.customer
    customer.refresh_from_db()
    assert customer.do_not_call is True


def test_the_outcome_form_offers_do_not_call_unticked(client, held, ticket):
    with when(at(10, 41)):
        page = client.get(reverse("agent:call", args=[held.pk])).content.decode()
    box = re.search(r'<input[^>]*name="do_not_call"[^>]*>', page)[0]
    assert 'type="checkbox"' in box and "checked" not in box


def test_reloading_the_call_page_after_recording_goes_back_to_the_console(client, held, send):
    send(disposition="complete", path=COMPLETE_PATH)

    with when(at(10, 46)):
        response = client.get(reverse("agent:call", args=[held.pk]))

    assert response.status_code == 302 and response.url == reverse("agent:home")
    with when(at(10, 46)):
        console = client.get(response.url)
    assert "This call&#x27;s outcome is recorded." in console.content.decode()


@pytest.mark.parametrize("with_htmx", [True, False])
def test_the_form_sent_again_after_recording_is_told_so_and_writes_nothing(
    client, held, send, with_htmx
):
    """Back to the call's form after recording it (or its other tab), another outcome sent:
    the first stands, and the agent is told so on the console, not shown a key error."""
    send(disposition="busy")
    again = send(at(10, 47), headers=htmx() if with_htmx else None, disposition="no_answer")

    if with_htmx:
        assert again.status_code == 200 and again["HX-Redirect"] == reverse("agent:home")
    else:
        assert again.status_code == 302 and again.url == reverse("agent:home")
    assert list(CallAttempt.objects.values_list("disposition", flat=True)) == ["busy"]
    with when(at(10, 47)):
        console = text_of(client.get(reverse("agent:home")))
    assert "This call was already recorded: what was sent again has not been saved." in console


def test_back_to_the_call_or_the_list_asks_the_server_again(client, held, ticket):
    """Neither page is kept by the browser (nor by htmx's history) to be shown again as it
    was: Back after recording lands on the console, told the call is recorded."""
    with when(at(10, 41)):
        pages = [
            client.get(reverse("agent:call", args=[held.pk])),
            client.get(reverse("agent:home")),
        ]
    for page in pages:
        assert page.status_code == 200
        assert "no-store" in page["Cache-Control"]
        assert '"historyCacheSize": 0, "refreshOnHistoryMiss": true' in page.content.decode()
