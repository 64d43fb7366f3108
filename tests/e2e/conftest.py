"""Browser tests: Debian's Chromium driven by Playwright against the live test server."""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import _missing
from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls the
# tests make there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        _missing("Chromium", f"{CHROMIUM} not found (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in(page, live_server):
    def log_in_as(username: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_load_state("networkidle")

    return log_in_as


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(request):
    """Every browser test also checks that the pages it went through broke none of the
    Content-Security-Policy's rules (Chromium reports each refusal on the console)."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused = []

    def seen(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{page.url} {message.location}: {message.text}")

    page.on("console", seen)
    yield
    assert refused == []


@pytest.fixture
def in_english(page, live_server):
    """Pages in English, as the assertions read them: the language cookie for the live
    server; call it again to set the cookie anew after clearing the cookies."""
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]

    def set_cookie() -> None:
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "domain": host, "path": "/"}]
        )

    set_cookie()
    return set_cookie


@pytest.fixture
def agent1(db):
    return UserFactory(username="agent1", first_name="王静", role="agent")


def step(page, key: str) -> None:
    """Press an answer key and wait for the script runner to come back."""
    before = page.locator("#call-path").input_value()
    page.keyboard.press(key)
    page.wait_for_function(
        "before => document.querySelector('#call-path').value !== before", arg=before
    )
