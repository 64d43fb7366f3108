"""The report pages offer the last 30, 90 and 365 days at one click, as the dashboard does:
each link ends today, keeps the page's other filters and shows that period."""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from tests.reports.factories import due_task

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 11)


def period_links(html: str) -> dict[str, str]:
    """The period buttons: their text → their link."""
    found = re.findall(
        r'<a class="btn btn-outline-secondary[^"]*" href="\?([^"]*)"[^>]*>([^<]+)</a>', html
    )
    return {text.strip(): unescape(query) for query, text in found}


def test_a_report_page_offers_the_last_30_90_and_365_days_with_its_filters_kept(client, supervisor):
    due_task(due=TODAY - dt.timedelta(days=200))  # inside the year only
    client.force_login(supervisor)
    url = reverse("supervisor:report", args=["reach"])
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        page = client.get(url, {"case_kind": "discharge"}, HTTP_ACCEPT_LANGUAGE="en")
        links = period_links(page.content.decode())
        assert list(links) == ["Last 30 days", "Last 90 days", "Last 365 days"]
        year = links["Last 365 days"]
        assert "date_from=2025-11-12" in year and "date_to=2026-11-11" in year
        assert "case_kind=discharge" in year
        assert page.context["report"].due == 0

        shown = client.get(f"{url}?{year}", HTTP_ACCEPT_LANGUAGE="en")
    assert shown.context["scope"].start == dt.date(2025, 11, 12)
    assert shown.context["report"].due == 1
    html = shown.content.decode()
    assert re.search(r'class="btn btn-outline-secondary active"[^>]*>Last 365 days', html)
