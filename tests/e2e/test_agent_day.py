"""An agent's morning in the browser: take the next call, see the number, follow the script
through a branch and an objection, book a callback, record it, and open the next call; the
supervisor sees the outcome; between windows the page says when the next one starts."""

import json

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from followups.models import AuditAction, AuditEvent, CallAttempt, QueueEntryStatus, TaskKind
from tests.clock import TUESDAY, at
from tests.e2e.conftest import on_the_list, step, take_next_call
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day_of_calls(agent1):
    """Two calls on agent1's list: 张三 (first) and 李梅 (second), a discharge script."""
    UserFactory(username="supervisor", first_name="陈主管", role="supervisor")
    version, entries = on_the_list(
        agent1, [("张三", "+8613812345678", "M"), ("李梅", "+8613998765432", "F")]
    )
    return {"agent": agent1, "version": version, "entries": list(entries.values())}


def runner_path(page) -> list[str]:
    return json.loads(page.locator("#call-path").input_value())


def test_an_agent_takes_a_call_books_a_callback_and_the_supervisor_sees_it(
    day_of_calls, in_english, page, live_server, log_in, screenshot
):
    first, second = day_of_calls["entries"]
    with time_machine.travel(at(10, 35), tick=True):
        log_in("agent1", PASSWORD)
        assert page.url == f"{live_server.url}{reverse('agent:home')}"
        assert page.locator("#my-list tbody tr").count() == 2
        assert "138****5678" in page.locator("#my-list").inner_text()
        screenshot("agent-01-home")
        page.evaluate("window.stillTheSamePage = true")

        # N claims the next call and opens its screen in place.
        page.keyboard.press("n")
        page.locator("#script-runner").wait_for()
        assert page.url == f"{live_server.url}{reverse('agent:call', args=[first.pk])}"
        assert page.locator("#customer-name").inner_text().startswith("张三")
        assert page.locator("#phone").inner_text().strip().startswith("138****5678")
        assert "周建国" in page.locator("#call-header").inner_text()
        screenshot("agent-02-call-opened")

        page.click("#reveal-button")
        page.locator("#phone-number").wait_for()
        assert page.locator("#phone-number").inner_text() == "138 1234 5678"
        assert AuditEvent.objects.filter(
            action=AuditAction.REVEAL_PHONE, actor=day_of_calls["agent"], target_id=str(first.pk)
        ).exists()
        screenshot("agent-03-number-revealed")

        # The script: greeting, identity yes, the purpose, "still some discomfort" branch.
        step(page, "1")
        assert page.locator("#script-text").get_attribute("data-node") == "identity"
        step(page, "1")
        assert "11月10日" in page.locator("#script-text").inner_text()
        step(page, "1")
        assert page.locator("#script-text").get_attribute("data-node") == "q_recovery"
        step(page, "2")
        assert page.locator("#script-text").get_attribute("data-node") == "q_symptom"
        screenshot("agent-04-branch")

        # Backspace goes back one step, 2 takes the branch again.
        step(page, "Backspace")
        assert page.locator("#script-text").get_attribute("data-node") == "q_recovery"
        step(page, "2")

        # "How did you get my number?": said, and back where the call was.
        page.click("[data-objection=how_number]")
        page.locator("#objection-said").wait_for()
        assert page.locator("#script-text").get_attribute("data-node") == "q_symptom"
        screenshot("agent-05-objection-returned")

        # "I have no time now": the call ends and the outcome is preselected as a callback.
        page.click("[data-objection=busy]")
        page.locator("#script-ended").wait_for()
        expect(page.locator("#id_disposition")).to_have_value("callback")
        assert runner_path(page) == [
            "greet",
            "identity:yes",
            "s_purpose",
            "q_recovery:fair",
            "!how_number",
            "!busy",
        ]

        # 22:00 is in quiet hours: the check says where it goes; 15:30 tomorrow is kept.
        page.fill("#id_callback_at", "2026-11-23T22:00")
        page.locator("#callback-check [data-check=moved]").wait_for()
        assert "2026-11-24 08:00" in page.locator("#callback-check").inner_text()
        screenshot("agent-06-callback-moved")
        page.fill("#id_callback_at", "2026-11-24T15:30")
        page.locator("#callback-check [data-check=kept]").wait_for()
        page.fill("#id_notes", "客户在开会，明天下午再打")
        screenshot("agent-07-outcome-ready")

        page.keyboard.press("Control+Enter")
        page.locator("#after-call").wait_for()
        assert "2026-11-24 15:30" in page.locator("#what-follows").inner_text()
        assert page.url == f"{live_server.url}{reverse('agent:home')}"
        assert page.evaluate("window.stillTheSamePage") is True
        assert page.evaluate("document.activeElement.id") == "next-call-button"
        screenshot("agent-08-recorded")

        attempt = CallAttempt.objects.get()
        assert attempt.disposition == "callback"
        assert attempt.callback_at == at(15, 30, TUESDAY)
        assert attempt.script_version == day_of_calls["version"]
        assert attempt.notes == "客户在开会，明天下午再打"
        assert [(a.node_id, a.value, a.is_objection) for a in attempt.answers.all()] == [
            ("greet", "", False),
            ("identity", "yes", False),
            ("s_purpose", "", False),
            ("q_recovery", "fair", False),
            ("how_number", "return", True),
            ("busy", "end", True),
        ]
        first.refresh_from_db()
        assert first.status == QueueEntryStatus.DONE
        assert first.task.kind == TaskKind.CALLBACK

        # One more key and the next call is open.
        page.keyboard.press("n")
        page.locator("#script-runner").wait_for()
        assert page.locator("#customer-name").inner_text().startswith("李梅")
        screenshot("agent-09-next-call")

    # The supervisor's outcome list shows the call.
    page.context.clear_cookies()
    in_english()
    with time_machine.travel(at(11, 0), tick=True):
        log_in("supervisor", PASSWORD)
        page.goto(f"{live_server.url}{reverse('supervisor:calls')}")
        row = page.locator(f"#outcomes tr[data-call='{attempt.pk}']")
        assert "Asked for a callback" in row.inner_text()
        assert "138****5678" in row.inner_text()
        screenshot("agent-10-supervisor-outcomes")


def test_between_windows_the_page_says_when_the_next_window_starts(
    day_of_calls, in_english, page, live_server, log_in, screenshot
):
    with time_machine.travel(at(12, 5), tick=True):
        log_in("agent1", PASSWORD)
        page.click("#next-call-button")
        page.locator("#no-call").wait_for()
        assert page.locator("#no-call").get_attribute("data-reason") == "outside_window"
        assert page.locator("#no-call-message").inner_text() == (
            "Not in calling hours now. The next calls may be made from 15:00."
        )
        assert page.url == f"{live_server.url}{reverse('agent:home')}"
        screenshot("agent-11-outside-window")


def test_a_red_flag_raises_an_escalation_and_a_mistake_is_shown_beside_its_field(
    day_of_calls, in_english, page, live_server, log_in, screenshot
):
    with time_machine.travel(at(15, 5), tick=True):
        take_next_call(page, log_in)
        for key in ["1", "1", "1", "3"]:  # greeting, identity yes, purpose, "worse"
            step(page, key)
        step(page, "2")  # new symptoms: yes, a doctor should see them
        # The answers' suggestions reach the form once the runner has settled.
        expect(page.locator("#escalation")).to_have_attribute("open", "")
        expect(page.locator("#id_escalation_category")).to_have_value("medical")
        expect(page.locator("#id_escalation_severity")).to_have_value("urgent")
        expect(page.locator("#id_escalation_description")).to_have_value("有，需要医生看看")
        step(page, "1")  # the urgent advice, then the closing
        expect(page.locator("#id_disposition")).to_have_value("partial")
        page.fill("#id_escalation_description", "出院后伤口红肿流液，体温38.5℃")

        # A callback without its time comes back beside the field, nothing else lost.
        page.select_option("#id_disposition", "callback")
        page.click("#record-outcome")
        page.locator("#id_callback_at.is-invalid").wait_for()
        assert (
            "Give the time the customer asked to be called back."
            in page.locator("#div_id_callback_at").inner_text()
        )
        assert page.locator("#id_escalation_description").input_value() == (
            "出院后伤口红肿流液，体温38.5℃"
        )
        assert page.locator("#script-ended").count() == 1
        assert CallAttempt.objects.count() == 0
        full_page = screenshot("agent-12-field-error")
        # The form is taller than the 768-px screen now; its button stays in sight.
        page.evaluate("window.scrollTo(0, 0)")
        box = page.locator("#record-outcome").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, box
        page.screenshot(path=str(full_page.with_name("agent-12-field-error-screen.png")))

        page.select_option("#id_disposition", "partial")
        page.click("#record-outcome")
        page.locator("#after-call").wait_for()
        attempt = CallAttempt.objects.get()
        escalation = attempt.escalations.get()
        assert (escalation.category, escalation.severity) == ("medical", "urgent")
        assert (
            f"Escalation #{escalation.pk} raised (Urgent)"
            in page.locator("#after-call").inner_text()
        )
        screenshot("agent-13-escalation-recorded")
