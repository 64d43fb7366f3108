"""A supervisor reads the discharge follow-up indicator (出院患者随访比例) of the demo's
recent months: the share, its definition, the monthly trend drawn, the export links."""

import datetime as dt

import pytest

from followups import clock
from followups.models import Case, CaseKind
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_reads_the_indicator_with_its_trend(
    demo_data, page, live_server, log_in, screenshot
):
    today = clock.today()
    start = today - dt.timedelta(days=89)
    discharges = Case.objects.filter(
        kind=CaseKind.DISCHARGE, anchor_date__gte=start, anchor_date__lte=today
    )
    reached = discharges.filter(reached_at__isnull=False).count()
    log_in("supervisor", DEMO_PASSWORD)
    page.goto(
        f"{live_server.url}/supervisor/reports/discharge-follow-up/"
        f"?date_from={start}&date_to={today}"
    )
    totals = page.locator("#discharge-totals").inner_text()
    assert str(discharges.count()) in totals
    assert str(reached) in totals
    assert "出院患者随访比例" in page.locator("h1").inner_text()
    # Chart.js draws the trend into its canvas: it is sized, not the 0×0 of a failed script.
    page.wait_for_function("document.getElementById('chart-month').width > 0")
    screenshot("discharge-follow-up")
    assert page.locator("#table-by_month a[href*='by_month.xlsx?date_from=']").count() == 1
