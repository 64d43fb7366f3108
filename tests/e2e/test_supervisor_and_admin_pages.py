"""The supervisor's queue and escalations and the admin's calling policy, as a person uses
them in Chromium at 1366×768 in Chinese: the queue says why each call waits where it does
and asks before moving calls; acknowledging from the urgent banner updates the escalation
list in place; the policy's weekdays are ticked and a window in quiet hours is refused;
the script graph fits its column and opens whole in a tab of its own."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from followups import clock
from followups.demo import SCRIPTS
from followups.models import (
    CallingPolicy,
    CallingWindow,
    CallList,
    EscalationSeverity,
    EscalationStatus,
    QueueEntry,
)
from scripts.models import CallScript, ScriptVersion
from tests.factories import UserFactory
from tests.reports.factories import agent, department, due_task, escalation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-for-tests"
SHOTS = Path("/tmp/shots/h6b")  # noqa: S108 (where the lead looks at this helper's shots)


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.fixture
def supervisor_e2e(db):
    return UserFactory(username="supervisor-e2e", first_name="陈敏", role="supervisor")


@pytest.fixture
def todays_queue(db):
    """Today's list: five calls waiting for 李娜, one for 王强, with their reasons."""
    today = clock.today()
    li, wang = agent("agent1", "李娜"), agent("agent2", "王强")
    UserFactory(username="admin", role="admin", is_superuser=True)
    call_list = CallList.objects.create(day=today)
    cardio = department("心内科")
    tasks = [due_task(due=today, dept=cardio) for _ in range(5)]
    tasks[0].kind = "callback"
    tasks[0].callback_at = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    tasks[1].deadline = today + dt.timedelta(days=2)
    tasks[2].due_date = today - dt.timedelta(days=3)
    for task in tasks:
        task.save()
    entries = [
        QueueEntry.objects.create(
            call_list=call_list,
            task=task,
            customer=task.case.customer,
            assigned_agent=li,
            priority=rank,
        )
        for rank, task in enumerate(tasks)
    ]
    other = due_task(due=today, dept=cardio)
    QueueEntry.objects.create(
        call_list=call_list,
        task=other,
        customer=other.case.customer,
        assigned_agent=wang,
        priority=9,
    )
    return li, wang, entries


def test_the_queue_says_why_and_asks_before_moving_calls(
    page, live_server, log_in, supervisor_e2e, todays_queue
):
    li, wang, entries = todays_queue
    log_in("supervisor-e2e", PASSWORD)
    page.goto(f"{live_server.url}/supervisor/queue/")
    why = page.locator("#queue-entries td.queue-why")
    expect(why.nth(0)).to_contain_text(chinese("Callback"))
    expect(why.nth(1)).to_contain_text(chinese("Deadline"))
    texts = [" ".join(text.split()) for text in why.all_inner_texts()]
    assert not any(re.fullmatch(r"\d+", text) for text in texts)
    # The picker names people, and only agents.
    options = page.locator("#reassign-form select[name=to_agent] option").all_inner_texts()
    assert options[1:] == ["李娜", "王强"]
    expect(page.locator("label:has(#choose-all)")).to_contain_text(chinese("All on this page"))
    shot(page, "queue")

    # Choose all of 李娜's five on the page but the one of 王强, give them to 王强: asked first.
    page.locator("#choose-all").check()
    page.locator(
        f"input[name=entries][value='{QueueEntry.objects.get(assigned_agent=wang).pk}']"
    ).uncheck()
    page.locator("#reassign-form select[name=to_agent]").select_option(str(wang.pk))
    questions = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name=chinese("Reassign the chosen calls")).click()
    page.wait_for_timeout(300)
    assert len(questions) == 1 and "5" in questions[0]
    assert "李娜" in questions[0] and "王强" in questions[0]
    assert QueueEntry.objects.filter(assigned_agent=li).count() == 5  # nothing moved

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name=chinese("Reassign the chosen calls")).click()
    page.wait_for_load_state("networkidle")
    assert QueueEntry.objects.filter(assigned_agent=li).count() == 0
    assert QueueEntry.objects.filter(assigned_agent=wang).count() == 6


def test_acknowledging_from_the_banner_updates_the_escalation_list_in_place(
    page, live_server, log_in, supervisor_e2e
):
    cardio = department("心内科")
    case = due_task(due=clock.today(), dept=cardio).case
    urgent = escalation(
        case=case,
        severity=EscalationSeverity.URGENT,
        category="medical",
        dept=cardio,
        description="患者诉伤口红肿流液，体温38.5℃",
        due_at=timezone.now() + dt.timedelta(hours=2),
    )
    log_in("supervisor-e2e", PASSWORD)
    page.goto(f"{live_server.url}/supervisor/escalations/")
    page.evaluate("window.stillTheSamePage = true")
    counts = page.locator("#escalation-counts .display-6")
    expect(counts.nth(2)).to_have_text("1")
    row = page.locator(f"#escalation-list tr[data-escalation='{urgent.pk}']")
    expect(row).to_contain_text("待受理")  # "Open" as the escalation workflow names it

    page.locator("#urgent-alert").get_by_role("button", name=chinese("Acknowledge")).click()
    page.locator("#urgent-alert").wait_for(state="detached", timeout=5000)
    expect(counts.nth(2)).to_have_text("0", timeout=5000)
    expect(page.locator(f"#escalation-list tr[data-escalation='{urgent.pk}']")).to_contain_text(
        chinese("Acknowledged")
    )
    assert page.evaluate("window.stillTheSamePage") is True
    urgent.refresh_from_db()
    assert urgent.status == EscalationStatus.ACKNOWLEDGED


def test_the_policy_has_a_weekday_picker_and_refuses_a_window_in_quiet_hours(
    page, live_server, log_in
):
    UserFactory(username="admin-e2e", first_name="管理员", role="admin")
    policy = CallingPolicy.objects.create(name="默认呼叫规则", weekdays="01234")
    CallingWindow.objects.create(policy=policy, starts_at=dt.time(9), ends_at=dt.time(11))
    log_in("admin-e2e", PASSWORD)
    page.goto(f"{live_server.url}/config/policies/{policy.pk}/")
    boxes = page.locator("input[name=weekdays]")
    expect(boxes).to_have_count(7)
    ticked = [boxes.nth(i).is_checked() for i in range(7)]
    assert ticked == [True, True, True, True, True, False, False]
    expect(page.locator("label[for=id_weekdays_5]")).to_have_text(chinese("Saturday"))

    page.locator("#id_weekdays_5").check()
    page.locator("#id_windows-1-starts_at").fill("21:30")
    page.locator("#id_windows-1-ends_at").fill("22:30")
    page.get_by_role("button", name=chinese("Save")).click()
    page.wait_for_load_state("networkidle")
    error = page.locator(".invalid-feedback").first
    expect(error).to_be_visible()
    assert "21:00" in error.inner_text() and "08:00" in error.inner_text()
    page.locator("#id_windows-1-starts_at").scroll_into_view_if_needed()
    shot(page, "policy-weekdays-and-error")
    policy.refresh_from_db()
    assert policy.weekdays == "01234"  # nothing saved
    assert policy.windows.count() == 1

    page.locator("#id_windows-1-starts_at").fill("19:00")
    page.locator("#id_windows-1-ends_at").fill("20:30")
    page.get_by_role("button", name=chinese("Save")).click()
    page.wait_for_load_state("networkidle")
    policy.refresh_from_db()
    assert policy.weekdays == "012345"
    saturday = page.locator("#preview-table tr", has_text=chinese("Calling day (weekend)"))
    expect(saturday.first).to_contain_text("19:00–20:30")


def test_the_script_graph_fits_its_column_and_opens_whole(page, live_server, log_in):
    supervisor = UserFactory(username="chen-min", first_name="陈敏", role="supervisor")
    spec = next(spec for spec in SCRIPTS if spec.code == "discharge")
    script = CallScript.objects.create(name=spec.name, code=spec.code, case_kind=spec.case_kind)
    ScriptVersion.objects.create(
        script=script, number=1, status="published", graph=spec.graph, published_by=supervisor
    )
    draft = ScriptVersion.objects.create(script=script, number=2, graph=spec.graph)
    log_in("chen-min", PASSWORD)
    page.goto(f"{live_server.url}/scripts/versions/{draft.pk}/edit/")
    box = page.locator("#script-graph .graph-box")
    svg = box.locator("svg")
    expect(svg).to_be_visible()
    # Nothing of the graph is beyond the right edge of its card.
    assert svg.bounding_box()["x"] + svg.bounding_box()["width"] <= (
        box.bounding_box()["x"] + box.bounding_box()["width"] + 1
    )
    page.locator("#script-graph").scroll_into_view_if_needed()
    shot(page, "script-editor-graph")

    with page.context.expect_page() as opened:
        page.locator("#graph-full-size").click()
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(f"/scripts/versions/{draft.pk}/graph.svg")
    assert full.locator("svg").count() == 1
