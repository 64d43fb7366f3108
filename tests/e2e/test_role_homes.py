"""A person logs in as each role and lands on that role's home page, in Chinese."""

import pytest
from django.utils import translation

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.mark.parametrize(
    ("username", "heading", "nav_links"),
    [
        ("agent1", "My calls today", ["My calls today"]),
        ("supervisor", "Today in the center", ["Supervision"]),
        ("admin", "Configuration", ["Configuration", "Supervision", "My calls today"]),
    ],
)
def test_each_role_lands_on_its_home_page(
    demo_data, page, log_in, screenshot, username, heading, nav_links
):
    log_in(username, DEMO_PASSWORD)
    assert page.locator("h1").first.inner_text().startswith(chinese(heading))
    nav = page.locator("#mainnav .navbar-nav").inner_text()
    for link in nav_links:
        assert chinese(link) in nav
    if username != "admin":
        assert chinese("Configuration") not in nav
    path = screenshot(f"home-{username}")
    assert path.stat().st_size > 10_000
