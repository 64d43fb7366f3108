"""An urgent escalation reaches a supervisor's open page without a reload."""

import pytest
from django.utils import timezone

from followups.models import EscalationCategory, EscalationSeverity
from followups.services.escalations import raise_escalation
from tests.factories import UserFactory
from tests.reports.factories import department, due_task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

POLL_SECONDS = 10


def test_the_urgent_alert_appears_on_the_open_page_within_the_polling_interval(
    page, live_server, log_in, screenshot
):
    UserFactory(username="supervisor-e2e", role="supervisor")
    case = due_task(due=timezone.localdate(), dept=department("心内科")).case
    log_in("supervisor-e2e", "pass-for-tests")
    assert page.url == f"{live_server.url}/supervisor/"
    page.wait_for_selector("#urgent-alerts", state="attached")
    assert page.locator("#urgent-alert").count() == 0
    # A mark on the window: it survives only if the page is never reloaded.
    page.evaluate("window.stillTheSamePage = true")

    escalation = raise_escalation(
        case=case,
        attempt=None,
        category=EscalationCategory.MEDICAL,
        severity=EscalationSeverity.URGENT,
        description="患者诉伤口红肿流液，体温38.5℃",
        now=timezone.now(),
    )

    alert = page.locator("#urgent-alert")
    alert.wait_for(state="visible", timeout=(POLL_SECONDS + 3) * 1000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert f'data-escalation="{escalation.pk}"' in alert.inner_html()
    assert "38.5" in alert.inner_text()
    path = screenshot("urgent-alert")
    assert path.stat().st_size > 10_000

    # Acknowledging from the alert takes it away for everyone, again without a reload.
    alert.locator(".urgent-acknowledge").click()
    page.locator("#urgent-alert").wait_for(state="detached", timeout=5000)
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged"
    assert page.evaluate("window.stillTheSamePage") is True
