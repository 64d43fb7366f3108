"""People in the browser: the agent on a call to 王小明 finds him from the top bar by the
last four digits of his number, opens his page and shows the number (hers to see, and
audited); the supervisor, who sees only the masked number, fixes the wrong number his
missed-appointment follow-up was held for (it goes back on the lists) and opens a new case;
the admin finds the reveal and the number fix in the audit trail and exports it."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from followups.models import (
    AuditAction,
    AuditEvent,
    CallAttempt,
    CaseKind,
    CaseStatus,
    Disposition,
    Escalation,
    FollowUpTask,
    QueueEntryStatus,
    TaskStatus,
)
from followups.services import audit
from tests.clock import MONDAY, at
from tests.factories import (
    PASSWORD,
    CallAttemptFactory,
    CaseFactory,
    FollowUpTaskFactory,
    PatientFactory,
    UserFactory,
    default_plan,
    on_list,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CALLS_BEFORE = 14  # more than the page lists before "show all"


@pytest.fixture
def wang(agent1):
    """王小明 of cardiology: a discharge case whose day-3 follow-up agent1 is on the phone
    for (a live claim), many calls before it and an escalation; a missed-appointment case
    whose follow-up is held for a wrong number; a closed case of last year."""
    supervisor = UserFactory(username="supervisor", first_name="陈主管", role="supervisor")
    UserFactory(username="admin", first_name="刘管理", role="admin", is_staff=True)
    plan = default_plan([3, 30], name="出院随访")
    patient = PatientFactory(
        customer__name="王小明",
        customer__phone="+8613812345678",
        customer__gender="M",
        medical_record_number="ZY2026-001",
        department__name="心内科",
        diagnosis="冠心病",
        admitted_on=dt.date(2026, 11, 10),
        discharged_on=dt.date(2026, 11, 20),
    )
    customer = patient.customer
    discharge = CaseFactory(
        customer=customer, patient=patient, plan=plan, anchor_date=dt.date(2026, 11, 20)
    )
    first = FollowUpTaskFactory(case=discharge, step=plan.steps.get(offset_days=3), due_date=MONDAY)
    FollowUpTaskFactory(
        case=discharge, step=plan.steps.get(offset_days=30), due_date=dt.date(2026, 12, 20)
    )
    for n in range(CALLS_BEFORE):
        CallAttemptFactory(
            task=first,
            agent=agent1,
            disposition=Disposition.NO_ANSWER if n % 3 else Disposition.BUSY,
            started_at=at(10, 40 + n % 15, MONDAY - dt.timedelta(days=n + 1)),
        )
    complained = CallAttemptFactory(
        task=first,
        agent=agent1,
        disposition=Disposition.COMPLETE,
        started_at=at(15, 20, MONDAY - dt.timedelta(days=1)),
        notes="患者反映出院带药说明不清楚",
    )
    Escalation.objects.create(
        case=discharge,
        attempt=complained,
        category="complaint",
        department=patient.department,
        owner=supervisor,
        description="出院带药说明不清楚",
        due_at=at(17, 0),
    )
    missed = CaseFactory(
        customer=customer, patient=patient, kind=CaseKind.MISSED_APPOINTMENT, product="心内科复诊"
    )
    FollowUpTaskFactory(
        case=missed, due_date=MONDAY, status=TaskStatus.SUSPENDED, needs_number_fix=True
    )
    closed = CaseFactory(customer=customer, anchor_date=dt.date(2025, 6, 1))
    closed.status, closed.closed_reason = CaseStatus.CLOSED, "随访完成"
    closed.closed_at = at(9, 0, dt.date(2025, 7, 1))
    closed.save()
    entry = on_list(first, MONDAY, assigned_agent=agent1)
    return {"customer": customer, "entry": entry, "missed": missed}


def on_the_phone(entry, agent) -> None:
    """`agent` holds the call: the claim the console makes when she takes it."""
    now = timezone.now()
    entry.status, entry.claimed_by = QueueEntryStatus.CLAIMED, agent
    entry.claimed_at, entry.lease_expires_at = now, now + dt.timedelta(minutes=10)
    entry.save()


def search_from_the_top_bar(page, query: str) -> None:
    page.fill("#people-search input[name=q]", query)
    page.press("#people-search input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")


def test_search_reveal_fix_the_number_open_a_case_and_read_the_audit_trail(
    wang, agent1, in_english, page, live_server, log_in, screenshot
):
    customer, entry = wang["customer"], wang["entry"]
    person_url = f"{live_server.url}{reverse('people:detail', args=[customer.pk])}"
    with time_machine.travel(at(10, 35), tick=True):
        on_the_phone(entry, agent1)
        log_in("agent1", PASSWORD)
        search_from_the_top_bar(page, "5678")
        results = page.locator("#people-results")
        expect(results).to_contain_text("王小明")
        expect(results).to_contain_text("138****5678")
        assert "13812345678" not in page.content()
        results.get_by_role("link", name="王小明").click()
        assert page.url == person_url
        expect(page.locator("#phone")).to_contain_text("138****5678")

        # The agent on the call shows the number; the reveal is audited.
        page.click("#reveal-button")
        expect(page.locator("#phone-number")).to_have_text("138 1234 5678")
        assert AuditEvent.objects.filter(
            action=AuditAction.REVEAL_PHONE, actor=agent1, target_id=str(entry.pk)
        ).exists()
        # An agent reads the calls and cases, never the edits or the reviewers' parts.
        expect(page.locator("#edit-contact")).to_have_count(0)
        expect(page.locator("#new-case")).to_have_count(0)
        expect(page.locator("#person-audit")).to_have_count(0)

    page.context.clear_cookies()
    in_english()
    with time_machine.travel(at(11, 0), tick=True):
        log_in("supervisor", PASSWORD)
        search_from_the_top_bar(page, "王小明")
        page.locator("#people-results").get_by_role("link", name="王小明").click()
        assert page.url == person_url
        # Not on the call: the number stays masked, with no way to show it.
        expect(page.locator("#phone")).to_contain_text("138****5678")
        expect(page.locator("#reveal-button")).to_have_count(0)
        expect(page.locator("#number-held")).to_be_visible()
        # The long history is capped, with the way to all of it.
        calls = CALLS_BEFORE + 1
        expect(page.locator("#person-calls tbody tr")).to_have_count(10)
        page.click("#person-calls-all")
        expect(page.locator("#person-calls tbody tr")).to_have_count(calls)
        expect(page.locator("#person-escalations")).to_contain_text("Complaint")

        # The number was wrong: the new one puts the held follow-up back on the lists.
        page.click("#edit-contact")
        page.fill("#id_phone", "137 0000 7777")
        page.click("#person-form button[type=submit]")
        assert page.url == person_url
        expect(page.locator(".alert-info")).to_contain_text(
            "1 follow-up held for a wrong number is back on the lists."
        )
        expect(page.locator("#phone")).to_contain_text("137****7777")
        expect(page.locator("#number-held")).to_have_count(0)
        held = FollowUpTask.objects.get(case=wang["missed"])
        assert (held.status, held.needs_number_fix) == (TaskStatus.PENDING, False)

        # A new case: its follow-ups are planned at once.
        page.click("#new-case")
        page.select_option("#id_kind", CaseKind.CONSULTATION)
        page.fill("#id_anchor_date", "2026-11-23")
        page.fill("#id_product", "心内科门诊复查")
        page.click("#person-form button[type=submit]")
        assert page.url == person_url
        case = customer.cases.latest("pk")
        expect(page.locator(".alert-success")).to_contain_text(f"Case #{case.pk} opened.")
        expect(page.locator(f"#case-{case.pk}")).to_contain_text("心内科门诊复查")
        assert case.kind == CaseKind.CONSULTATION and case.status == CaseStatus.OPEN

    page.context.clear_cookies()
    in_english()
    with time_machine.travel(at(11, 30), tick=True):
        log_in("admin", PASSWORD)
        page.goto(f"{live_server.url}{reverse('config:audit')}")
        page.select_option("#id_action", AuditAction.REVEAL_PHONE)
        page.click("#audit-filters button[type=submit]")
        events = page.locator("#audit-events tbody tr")
        expect(events).to_have_count(1)
        expect(events.first).to_contain_text("Revealed a phone number")
        expect(events.first).to_contain_text("王静")
        expect(events.first).to_contain_text("王小明")

        page.select_option("#id_action", AuditAction.CHANGE_PERSON)
        page.click("#audit-filters button[type=submit]")
        expect(events).to_have_count(1)
        expect(events.first).to_contain_text("Changed a person's details")
        expect(events.first).to_contain_text("陈主管")
        expect(events.first).to_contain_text("phone")
        assert "7777" not in page.locator("#audit-events").inner_text()

        with page.expect_download() as download:
            page.click("#audit-export")
        exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(exported)))
        assert len(rows) == 2 and "Changed a person's details" in rows[1]
        export = AuditEvent.objects.get(action=AuditAction.EXPORT)
        assert export.actor.username == "admin" and export.detail["rows"] == 1
    assert CallAttempt.objects.filter(task__case__customer=customer).count() == CALLS_BEFORE + 1


def test_the_people_pages_in_chinese(wang, agent1, page, live_server, log_in, screenshot):
    """Screenshots of the search, the person's page, its forms and the audit trail as the
    centre reads them (Chinese, then the person's page in English by the language switch);
    the full number shows on none of them."""
    customer = wang["customer"]
    audit.record(actor=agent1, action=AuditAction.REVEAL_PHONE, target=wang["entry"])
    with time_machine.travel(at(11, 0), tick=True):
        log_in("supervisor", PASSWORD)
        search_from_the_top_bar(page, "5678")
        expect(page.locator("#people-results")).to_contain_text("138****5678")
        screenshot("people-01-search")
        page.goto(f"{live_server.url}{reverse('people:detail', args=[customer.pk])}")
        expect(page.locator("#person-name")).to_contain_text("王小明")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        screenshot("people-02-person")
        assert "13812345678" not in page.content().replace(" ", "")
        page.click("#edit-contact")
        expect(page.locator("#id_phone")).to_have_value("")
        screenshot("people-05-edit-contact")
        page.go_back()
        page.click("#new-case")
        expect(page.locator("#id_anchor_date")).to_have_value("2026-11-20")
        screenshot("people-06-new-case")
        page.go_back()

        # The language switch of the top bar turns the page to English.
        page.select_option("select[name=language]", "en")
        page.wait_for_load_state("networkidle")
        expect(page.locator("#person-calls-all")).to_have_text("Show all 15 calls")
        expect(page.locator("#number-held")).to_contain_text("1 follow-up is held")
        screenshot("people-04-person-english")

        page.context.clear_cookies()
        log_in("admin", PASSWORD)
        page.goto(f"{live_server.url}{reverse('config:audit')}")
        expect(page.locator("#audit-events")).to_contain_text("王小明")
        screenshot("people-03-audit")
