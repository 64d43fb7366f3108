"""One call, one person, two follow-ups in the browser: 张三's discharge follow-up and his
missed appointment are due the same day. The agent answers the first script, switches to
the second (which starts past the identity check the first one passed), answers it and
records the call once: both follow-ups are settled, each with its own path."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from followups.models import CallAttempt, QueueEntryStatus, TaskStatus
from tests.calls import statuses
from tests.clock import at
from tests.e2e.conftest import node, step
from tests.factories import (
    PASSWORD,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_settles_two_follow_ups_of_one_person_in_one_call(
    person_with_two_cases, in_english, page, live_server, log_in, screenshot
):
    entry, lead, other = (person_with_two_cases[name] for name in ("entry", "lead", "other"))
    discharge_version, missed_version = person_with_two_cases["versions"]
    with time_machine.travel(at(10, 35), tick=True):
        log_in("agent1", PASSWORD)
        row = page.locator(f"#my-list tr[data-entry='{entry.pk}']")
        assert "2 follow-ups" in row.inner_text()
        assert page.locator("#my-list tbody tr").count() == 1

        page.keyboard.press("n")
        page.locator("#script-runner").wait_for()
        assert "This call covers 2 follow-ups" in page.locator("#call-tasks").inner_text()
        assert page.locator(".call-task").count() == 2
        expect(page.locator(f"#call-task-{lead.pk}")).to_have_class(re.compile(r"\bcurrent\b"))
        assert page.locator("#script-runner").get_attribute("data-task") == str(lead.pk)
        full_page = screenshot("person-01-call-two-follow-ups")
        # As the agent sees it at 1366×768: the runner and the record button in sight.
        page.screenshot(path=str(full_page.with_name("person-01-call-two-follow-ups-screen.png")))
        box = page.locator("#record-outcome").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, box

        # The discharge script: greeting, identity yes, … satisfied, a typed note, the end.
        for key in ["1"] * 7:
            step(page, key)
        assert node(page) == "q_note"
        page.fill("#free-answer", "一切都好")
        step(page, "Enter")
        page.locator("#script-ended").wait_for()
        expect(page.locator("#id_disposition")).to_have_value("complete")
        expect(page.locator("#id_satisfaction")).to_have_value("satisfied")

        # Switch: the missed appointment's runner starts past its identity check.
        page.click(f"#call-task-{other.pk}")
        page.wait_for_function(
            "task => document.querySelector('#script-runner').dataset.task === task",
            arg=str(other.pk),
        )
        expect(page.locator(f"#call-task-{other.pk}")).to_have_class(re.compile(r"\bcurrent\b"))
        assert node(page) == "s_purpose"
        assert "心内科复诊" in page.locator("#script-text").inner_text()
        assert "Script done" in page.locator(f"#call-task-{lead.pk}").inner_text()
        screenshot("person-02-switched")

        # Purpose, "busy that day", rebook "B", booking channels, no reminder, satisfied.
        for key in ["1", "1", "2", "1", "2", "1"]:
            step(page, key)
        page.locator("#script-ended").wait_for()
        # Its ending is its own choice; the call's fields stay the lead's.
        expect(page.locator(f"#part-{other.pk}")).to_have_value("complete")
        expect(page.locator("#id_intent_class")).to_have_value("")
        full_page = screenshot("person-03-both-answered")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(full_page.with_name("person-03-both-answered-screen.png")))

        page.keyboard.press("Control+Enter")
        page.locator("#after-call").wait_for()
        assert "2 follow-ups settled on this call." in page.locator("#after-call").inner_text()
        screenshot("person-04-recorded")

    first, second = CallAttempt.objects.order_by("pk")
    assert (first.task_id, first.script_version, first.disposition) == (
        lead.pk,
        discharge_version,
        "complete",
    )
    assert (second.task_id, second.script_version, second.disposition) == (
        other.pk,
        missed_version,
        "complete",
    )
    assert (second.satisfaction, second.intent_class) == ("satisfied", "B")
    assert [a.node_id for a in first.answers.all()][-2:] == ["q_note", "close_ok"]
    assert [(a.node_id, a.value) for a in second.answers.all()][:4] == [
        ("greet", ""),
        ("identity", "yes"),
        ("s_purpose", ""),
        ("q_reason", "busy"),
    ]
    done = (QueueEntryStatus.DONE, TaskStatus.DONE, TaskStatus.DONE)
    assert statuses(entry, lead, other) == done
