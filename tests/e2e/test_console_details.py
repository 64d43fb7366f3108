"""The console as a call centre expects it, in Chinese at 1366×768: the closed window said
on arrival, the list saying where each person stands (a row opens its call), a digit on a
typed-answer step explained, the escalation's description never under the sticky record
button, the button disabled while saving, a call put back; on every page the icon, nav
links that read on the blue bar, and a one-line urgent banner."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from followups.models import (
    AuditAction,
    AuditEvent,
    CallAttempt,
    EscalationCategory,
    EscalationSeverity,
    QueueEntryStatus,
    TaskKind,
)
from followups.services.escalations import raise_escalation
from tests.clock import at
from tests.e2e.conftest import on_the_list, shots_in, step, take_next_call
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    PatientFactory,
    UserFactory,
    called,
    listed,
    plan_with_script,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shot(page):
    return shots_in(page, "console")


@pytest.fixture
def console_errors(page):
    """Errors on the console and responses that failed (a 404 icon …) while the test ran."""
    seen = []
    page.on("console", lambda message: message.type == "error" and seen.append(message.text))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and seen.append(f"{response.status} {response.url}")
        ),
    )
    return seen


def records_once(page, entry) -> None:
    """The outcome recorded with a click: the button is disabled while it saves, and the
    call on `entry` is recorded once."""
    seen_disabled = []

    def slow(route):
        seen_disabled.append(page.locator("#record-outcome").is_disabled())
        route.continue_()

    page.route("**/outcome/", slow)
    page.click("#record-outcome")
    page.locator("#after-call").wait_for()
    assert seen_disabled == [True]
    assert CallAttempt.objects.filter(queue_entry=entry).count() == 1


@pytest.fixture
def a_list(agent1):
    """Four people on agent1's list: 张三 and 李梅 waiting, 王芳 reached, 赵强 not reached (next
    try 15:00) and 孙丽 with a callback at 16:30."""
    people = [
        ("张三", "+8613812345678", "M"),
        ("李梅", "+8613998765432", "F"),
        ("王芳", "+8613700001111", "F"),
        ("赵强", "+8613600002222", "M"),
        ("孙丽", "+8613500003333", "F"),
    ]
    _, entries = on_the_list(agent1, people)
    for name, disposition, task in [
        ("王芳", "complete", {"status": "done"}),
        ("赵强", "no_answer", {"earliest_at": at(15, 0)}),
        ("孙丽", "callback", {"kind": TaskKind.CALLBACK, "callback_at": at(16, 30)}),
    ]:
        called(entries[name], disposition, agent=agent1, started_at=at(10, 31), **task)
    return entries


def test_the_closed_window_is_said_on_arrival(a_list, page, live_server, log_in, shot):
    with time_machine.travel(at(12, 5), tick=True):
        log_in("agent1", PASSWORD)
        notice = page.locator("#no-call")
        expect(notice).to_be_visible()
        assert notice.get_attribute("data-reason") == "outside_window"
        assert "15:00" in page.locator("#no-call-message").inner_text()
        shot("closed-window-on-arrival")


def test_the_list_says_where_each_person_stands_and_a_row_opens_its_call(
    a_list, page, live_server, log_in, shot, console_errors
):
    with time_machine.travel(at(10, 45), tick=True):
        log_in("agent1", PASSWORD)
        rows = page.locator("#my-list tbody tr")
        expect(rows).to_have_count(5)
        states = {
            name: page.locator(f"#my-list tr[data-entry='{entry.pk}']").get_attribute("data-state")
            for name, entry in a_list.items()
        }
        assert states == {
            "张三": "waiting",
            "李梅": "waiting",
            "王芳": "reached",
            "赵强": "retry",
            "孙丽": "callback",
        }
        assert "15:00" in page.locator(f"tr[data-entry='{a_list['赵强'].pk}']").inner_text()
        assert "16:30" in page.locator(f"tr[data-entry='{a_list['孙丽'].pk}']").inner_text()
        shot("home-list")

        # A click on 李梅's row opens her call, though 张三 is first on the list (her name
        # itself is a link to her page).
        page.locator(f"tr[data-entry='{a_list['李梅'].pk}'] td").nth(5).click()
        page.locator("#script-runner").wait_for()
        assert page.url == f"{live_server.url}{reverse('agent:call', args=[a_list['李梅'].pk])}"
        assert page.locator("#customer-name").inner_text().startswith("李梅")
    assert console_errors == []


def test_the_call_screen_explains_typed_answers_keeps_the_description_in_sight_and_saves_once(
    a_list, page, live_server, log_in, shot, console_errors
):
    with time_machine.travel(at(10, 45), tick=True):
        take_next_call(page, log_in)
        for key in ["1"] * 7:  # to the satisfaction question, answered "satisfied"
            step(page, key)
        assert page.locator("#free-answer").count() == 1

        # A digit on a step that takes typed text says what to do, and the box gets it.
        page.locator("#script-runner").focus()
        expect(page.locator("#runner-hint")).to_be_hidden()
        page.keyboard.press("3")
        expect(page.locator("#runner-hint")).to_be_visible()
        assert page.evaluate("document.activeElement.id") == "free-answer"
        assert page.locator("#free-answer").input_value() == ""

        # The escalation opened: its description is in sight, not under the record button.
        page.locator("#escalation summary").click()
        description = page.locator("#id_escalation_description")
        expect(description).to_be_visible()
        page.wait_for_timeout(300)
        box = description.bounding_box()
        button = page.locator("#record-outcome").bounding_box()
        assert box is not None and button is not None
        assert box["y"] + box["height"] <= button["y"], (box, button)
        assert box["y"] + box["height"] <= 768
        description.click()
        page.keyboard.type("术后伤口有点痒")
        shot("call-screen-escalation-open")

        # The callback picker's check (a request of a field inside the form) finds no
        # button to disable of its own: no error on the console.
        page.fill("#id_callback_at", "2026-11-24T15:30")
        page.locator("#callback-check [data-check=kept]").wait_for()
        page.fill("#id_callback_at", "")

        # While the outcome is being saved the button is disabled: one click, one call.
        page.fill("#id_escalation_description", "")
        page.select_option("#id_disposition", "complete")
        records_once(page, a_list["张三"])
    assert console_errors == []


def test_a_call_put_back_goes_behind_the_others(a_list, page, live_server, log_in, shot):
    with time_machine.travel(at(10, 45), tick=True):
        take_next_call(page, log_in)
        first = a_list["张三"]
        # "Put back / skip" is in the call's header; its reasons open in sight at 1366×768,
        # with no scrolling.
        page.click("#put-back-toggle")
        reasons = page.locator("#put-back-menu .put-back-reason")
        expect(reasons).to_have_count(4)
        for number in range(4):
            expect(reasons.nth(number)).to_be_visible()
            box = reasons.nth(number).bounding_box()
            assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 768, box
        assert page.evaluate("window.scrollY") == 0
        shot("call-screen-put-back")
        page.click("#put-back-menu [data-reason='prepare']")
        page.wait_for_url(f"{live_server.url}{reverse('agent:home')}")
        first.refresh_from_db()
        assert (first.status, first.claimed_by) == (QueueEntryStatus.WAITING, None)
        put_back = AuditEvent.objects.get(action=AuditAction.PUT_BACK)
        assert put_back.detail["reason"] == "prepare"
        page.keyboard.press("n")
        page.locator("#script-runner").wait_for()
        assert page.locator("#customer-name").inner_text().startswith("李梅")


def test_every_page_has_its_icon_and_readable_nav_links(page, live_server, log_in, agent1):
    log_in("agent1", PASSWORD)
    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] in (
        "image/x-icon",
        "image/vnd.microsoft.icon",
    )
    ratio = page.evaluate(
        """() => {
          const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const link = document.querySelector('.navbar .nav-link');
          const bar = document.querySelector('.navbar');
          const [a, b] = [lum(rgb(getComputedStyle(link).color)),
                          lum(rgb(getComputedStyle(bar).backgroundColor))];
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }"""
    )
    assert ratio >= 4.5, ratio


def test_the_urgent_banner_is_one_line_and_each_alert_can_be_dismissed(
    page, live_server, log_in, shot
):
    UserFactory(username="supervisor-e2e", role="supervisor")
    department = DepartmentFactory(name="心内科")
    plan = plan_with_script("出院回访", "discharge", case_kind="discharge")
    raised = []
    for text in ["伤口红肿流液，体温38.5℃", "用药后皮疹", "胸闷气短"]:
        entry = listed(plan, patient=PatientFactory(department=department), step=plan.steps.get())
        raised.append(
            raise_escalation(
                case=entry.task.case,
                attempt=None,
                category=EscalationCategory.MEDICAL,
                severity=EscalationSeverity.URGENT,
                description=text,
                now=timezone.now(),
            )
        )
    log_in("supervisor-e2e", PASSWORD)
    alert = page.locator("#urgent-alert")
    alert.wait_for()
    assert alert.bounding_box()["height"] <= 48
    expect(page.locator("#urgent-count")).to_contain_text("3")
    first = page.locator(f"#urgent-alert [data-escalation='{raised[0].pk}']")
    expect(first).to_be_visible()
    shot("urgent-banner")
    page.locator(f"[data-dismiss-urgent='{raised[0].pk}']").click()
    expect(first).to_have_count(0)
    expect(page.locator(f"#urgent-alert [data-escalation='{raised[1].pk}']")).to_be_visible()
    # The next poll brings the list back, without the alert dismissed in this tab.
    page.evaluate("htmx.trigger('#urgent-alerts', 'load')")
    page.wait_for_timeout(1000)
    expect(page.locator(f"#urgent-alert [data-escalation='{raised[0].pk}']")).to_have_count(0)


def test_a_reached_call_with_no_answer_asks_once_and_saves_with_the_button_disabled(
    a_list, page, live_server, log_in, shot, console_errors
):
    with time_machine.travel(at(10, 45), tick=True):
        take_next_call(page, log_in)
        page.select_option("#id_disposition", "complete")
        page.click("#record-outcome")
        page.locator("#confirm-no-answers").wait_for()
        expect(page.locator("#id_disposition.is-invalid")).to_have_count(1)
        assert CallAttempt.objects.filter(queue_entry=a_list["张三"]).count() == 0
        shot("call-screen-confirm-no-answers")

        page.check("#id_record_without_answers")
        records_once(page, a_list["张三"])
    assert console_errors == []


def test_between_windows_the_list_says_from_when_each_call_may_be_made(
    a_list, page, live_server, log_in, shot
):
    with time_machine.travel(at(12, 5), tick=True):
        log_in("agent1", PASSWORD)
        expect(page.locator("#no-call")).to_be_visible()
        for name in ("张三", "李梅"):
            row = page.locator(f"tr[data-entry='{a_list[name].pk}']")
            later = row.locator(".call-later button")
            expect(later).to_be_disabled()
            expect(later).to_contain_text("15:00")
            expect(row.locator("button.take-call:enabled")).to_have_count(0)
        shot("home-list-between-windows")
        # A click on the row opens nothing: the call may not be made yet.
        page.locator(f"tr[data-entry='{a_list['张三'].pk}'] td").nth(5).click()
        page.wait_for_timeout(300)
        assert page.url == f"{live_server.url}{reverse('agent:home')}"
        a_list["张三"].refresh_from_db()
        assert a_list["张三"].status == QueueEntryStatus.WAITING


def test_the_persons_name_opens_their_page(a_list, page, live_server, log_in):
    with time_machine.travel(at(10, 45), tick=True):
        log_in("agent1", PASSWORD)
        # On the list, a done row too.
        wang = a_list["王芳"]
        page.locator(f"tr[data-entry='{wang.pk}'] td.person a").click()
        page.wait_for_url(
            f"{live_server.url}{reverse('people:detail', args=[wang.task.case.customer_id])}"
        )
        expect(page.locator("#person-name")).to_contain_text("王芳")

        # On the call screen, in a new tab: the call stays open where it was.
        page.goto(f"{live_server.url}{reverse('agent:home')}")
        page.keyboard.press("n")
        page.locator("#script-runner").wait_for()
        with page.context.expect_page() as opened:
            page.locator("#customer-name a").click()
        person = opened.value
        person.wait_for_load_state()
        expect(person.locator("#person-name")).to_contain_text("张三")
        assert page.url == f"{live_server.url}{reverse('agent:call', args=[a_list['张三'].pk])}"


def test_a_call_not_yet_due_is_offered_once_its_time_has_come(a_list, page, live_server, log_in):
    li = a_list["李梅"]
    li.task.earliest_at = at(10, 45) + dt.timedelta(seconds=6)
    li.task.save()
    with time_machine.travel(at(10, 45), tick=True):
        log_in("agent1", PASSWORD)
        button = page.locator(f"tr[data-entry='{li.pk}'] .take-call")
        expect(button).to_be_disabled()
        expect(button).to_contain_text("10:45")
        expect(button).to_be_enabled(timeout=15_000)
        button.click()
        page.locator("#script-runner").wait_for()
        assert page.locator("#customer-name").inner_text().startswith("李梅")
