"""The call screen loses nothing, in Chromium at 1366×768: a reload in the middle of a call
brings back each follow-up's script where it was, the runner that was open and what was
typed in the outcome form; a session that ends during the call sends the agent to the
login, which says the call's draft is kept, and back to the call with all of it, which
then records; the draft is gone once recorded. A call covering three follow-ups shows
which is which on its cards, nothing cut, and the outcome form fits the screen with the
record button covering none of its fields."""

import json
import re

import pytest
import time_machine
from playwright.sync_api import expect

from followups.models import CallAttempt, PlanStep
from tests.clock import MONDAY, at
from tests.e2e.conftest import node, shots_in, step
from tests.factories import (
    PASSWORD,
    FollowUpTaskFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DRAFTS = "Object.keys(sessionStorage).filter(key => key.startsWith('huifang.call-draft.'))"


@pytest.fixture
def shot(page):
    return shots_in(page, "console-drafts")


@pytest.fixture
def three_follow_ups(person_with_two_cases):
    """张三 on agent1's list: his discharge follow-up (day 3) leads; two follow-ups of his
    missed appointment (day 0 and day 7 of its plan, due the same day) ride along."""
    entry, first = person_with_two_cases["entry"], person_with_two_cases["other"]
    missed = first.step
    week_on = PlanStep.objects.create(plan=missed.plan, offset_days=7, script=missed.script)
    second = FollowUpTaskFactory(case=first.case, step=week_on, due_date=MONDAY)
    return entry, entry.task, first, second


def open_runner(page, task) -> None:
    page.wait_for_function(
        "task => document.querySelector('#script-runner').dataset.task === task"
        " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        arg=str(task.pk),
    )


def take_and_walk(page, log_in, lead, other, third) -> dict:
    """agent1 signs in and takes the call (N), answers the lead's greeting and identity
    check, opens the other follow-up and answers its first step, and fills in part of the
    outcome form (the third follow-up kept open)."""
    log_in("agent1", PASSWORD)
    page.keyboard.press("n")
    page.locator("#script-runner").wait_for()
    step(page, "1")
    step(page, "1")
    lead_path = page.locator("#call-path").input_value()
    page.click(f"#call-task-{other.pk}")
    open_runner(page, other)
    step(page, "1")
    page.fill("#id_notes", "客户说下周二上午方便，需要复诊提醒")
    page.select_option("#id_intent_class", "B")
    page.select_option(f"#part-{third.pk}", "apart")
    return {
        "lead_path": lead_path,
        "other_path": page.locator("#call-path").input_value(),
        "node": node(page),
    }


def test_a_reload_in_the_middle_of_a_call_loses_nothing(
    three_follow_ups, in_english, page, live_server, log_in, shot
):
    entry, lead, other, third = three_follow_ups
    with time_machine.travel(at(10, 35), tick=True):
        before = take_and_walk(page, log_in, lead, other, third)
        assert before["node"] is not None and before["other_path"] != "[]"
        shot("01-before-reload")

        page.reload()
        page.locator("#script-runner").wait_for()
        open_runner(page, other)
        expect(page.locator("#draft-restored")).to_be_visible()
        # The runner that was open, at its step; the lead's path kept beside it.
        expect(page.locator(f"#call-task-{other.pk}")).to_have_class(re.compile(r"\bcurrent\b"))
        assert node(page) == before["node"]
        assert page.locator("#call-path").input_value() == before["other_path"]
        assert (
            page.locator(f"#call-paths [name=path_{lead.pk}]").input_value() == before["lead_path"]
        )
        expect(page.locator("#path-so-far li")).to_have_count(len(json.loads(before["other_path"])))
        # What was typed and chosen in the outcome form.
        expect(page.locator("#id_notes")).to_have_value("客户说下周二上午方便，需要复诊提醒")
        expect(page.locator("#id_intent_class")).to_have_value("B")
        expect(page.locator(f"#part-{third.pk}")).to_have_value("apart")
        shot("02-after-reload")

        page.select_option("#id_disposition", "complete")
        page.click("#record-outcome")
        page.locator("#after-call").wait_for()
        # Recorded: nothing of the call is kept in the tab.
        assert page.evaluate(DRAFTS) == []

    attempts = {attempt.task_id: attempt for attempt in CallAttempt.objects.all()}
    assert attempts[entry.task_id].notes == "客户说下周二上午方便，需要复诊提醒"
    assert [a.node_id for a in attempts[other.pk].answers.all()][:3] == [
        "greet",
        "identity",
        "s_purpose",
    ]


def test_a_session_that_ends_during_a_call_keeps_the_draft_through_the_login(
    three_follow_ups, in_english, page, live_server, log_in, shot
):
    entry, lead, other, third = three_follow_ups
    with time_machine.travel(at(10, 35), tick=True):
        before = take_and_walk(page, log_in, lead, other, third)
        page.select_option("#id_disposition", "complete")

        # The session ends (idle, or signed out elsewhere); the agent presses record.
        page.context.clear_cookies()
        in_english()
        page.click("#record-outcome")
        page.wait_for_url(re.compile(r"/accounts/login/\?next="))
        assert f"next=/agent/call/{entry.pk}/" in page.url
        kept = page.locator("#draft-kept")
        expect(kept).to_be_visible()
        assert "What you entered on the call" in kept.inner_text()
        shot("03-login-after-session-ended")
        assert not CallAttempt.objects.exists()

        page.fill("input[name=username]", "agent1")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(re.compile(rf"/agent/call/{entry.pk}/$"))
        page.locator("#script-runner").wait_for()
        open_runner(page, other)
        assert node(page) == before["node"]
        expect(page.locator("#id_notes")).to_have_value("客户说下周二上午方便，需要复诊提醒")
        expect(page.locator("#id_disposition")).to_have_value("complete")
        expect(page.locator(f"#part-{third.pk}")).to_have_value("apart")
        shot("04-call-after-login")

        page.click("#record-outcome")
        page.locator("#after-call").wait_for()
        assert page.evaluate(DRAFTS) == []

    attempt = CallAttempt.objects.get(task=entry.task)
    assert (attempt.disposition, attempt.notes) == (
        "complete",
        "客户说下周二上午方便，需要复诊提醒",
    )
    assert [a.node_id for a in attempt.answers.all()] == ["greet", "identity"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_three_follow_ups_are_told_apart_and_the_form_fits_the_screen(
    three_follow_ups, language, in_english, page, live_server, log_in, shot
):
    entry, lead, first, second = three_follow_ups
    if language == "zh-hans":
        page.context.clear_cookies()
    with time_machine.travel(at(10, 35), tick=True):
        log_in("agent1", PASSWORD)
        page.keyboard.press("n")
        page.locator("#script-runner").wait_for()
        page.select_option("#id_intent_class", "A")
        shot(f"05-three-follow-ups-{language}")

        # Each card says which follow-up it is on its first line; nothing is cut.
        titles = page.locator(".call-task-title").all_inner_texts()
        assert len(set(titles)) == 3, titles
        for task in (lead, first, second):
            title = page.locator(f"#call-task-{task.pk} .call-task-title").inner_text()
            assert task.due_date.strftime("%m-%d") in title
            assert f" {task.step.offset_days} " in title
        cut = page.evaluate(
            """() => [...document.querySelectorAll('.call-task-title, .call-task-facts,'
                + ' .call-task-title > span')]
                .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
        )
        assert cut == []
        if language != "zh-hans":
            return  # English labels are longer: its form may scroll under the sticky button

        # The chosen intent reads whole in its select.
        assert page.evaluate(
            """() => {
                const select = document.querySelector('#id_intent_class');
                const style = getComputedStyle(select);
                const context = document.createElement('canvas').getContext('2d');
                context.font = style.font;
                const text = select.options[select.selectedIndex].text;
                const room = select.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight);
                return context.measureText(text).width <= room;
            }"""
        )
        # The record button covers none of the form's fields, all in sight.
        button = page.locator(".outcome-submit").bounding_box()
        assert button["y"] + button["height"] <= 768
        fields = page.evaluate(
            """() => [...document.querySelectorAll('#outcome-form .form-control,'
                + ' #outcome-form .form-select, #outcome-form .form-check-input,'
                + ' #escalation > summary')]
                .filter(e => e.checkVisibility())
                .map(e => [e.id || e.tagName, e.getBoundingClientRect().bottom])"""
        )
        assert len(fields) >= 10, fields
        assert [name for name, bottom in fields if bottom > button["y"]] == []
