"""Browser tests: Debian's Chromium driven by Playwright against the live test server."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from followups.demo import DISCHARGE_GRAPH, MISSED_APPOINTMENT_GRAPH
from tests.clock import MONDAY, at
from tests.conftest import _missing
from tests.factories import (
    PASSWORD,
    CallingPolicyFactory,
    CaseFactory,
    DepartmentFactory,
    FollowUpTaskFactory,
    PatientFactory,
    UserFactory,
    listed,
    plan_with_script,
    published_version,
)

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls the
# tests make there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "huifang-demo"


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


def shots_in(page, folder: str = "", *, full_page: bool = False):
    """take(name) saves the page as var/screenshots/<folder>/<name>.png and gives its path."""
    where = SCREENSHOTS / folder
    where.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, full_page: bool = full_page) -> Path:
        path = where / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def screenshot(page):
    return shots_in(page, full_page=True)


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
def demo_data(monkeypatch):
    """The demo's data (manage.py seed_demo), its people logging in with DEMO_PASSWORD."""
    monkeypatch.setenv("HUIFANG_DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def agent1(db):
    return UserFactory(username="agent1", first_name="王静", role="agent")


def on_the_list(agent, people) -> tuple:
    """`people` ((name, phone, gender) …) on `agent`'s list in that order, patients of 心内科
    (attending doctor 周建国) with a follow-up of the discharge plan, whose script (the
    demo's) has version 2 published. Returns that version and the entries by name."""
    plan = plan_with_script("出院回访", "discharge", case_kind="discharge")
    plan_step = plan.steps.get()
    version = published_version(plan_step.script, DISCHARGE_GRAPH, number=2, published_at=at(8))
    department = DepartmentFactory(name="心内科")
    entries = {}
    for priority, (name, phone, gender) in enumerate(people, start=1):
        patient = PatientFactory(
            department=department,
            customer__name=name,
            customer__phone=phone,
            customer__gender=gender,
            attending_doctor="周建国",
        )
        entries[name] = listed(
            plan, patient=patient, agent=agent, priority=priority, step=plan_step
        )
    return version, entries


def take_next_call(page, log_in) -> None:
    """agent1 logs in and takes the next call (key n): the call screen with its script."""
    log_in("agent1", PASSWORD)
    page.keyboard.press("n")
    page.locator("#script-runner").wait_for()


def step(page, key: str) -> None:
    """Press an answer key and wait for the script runner to come back, settled: no htmx
    request, swap or settle still under way (a key pressed during one went to the step
    being replaced: a CI run once lost the typed-answer hint so)."""
    before = page.locator("#call-path").input_value()
    page.keyboard.press(key)
    page.wait_for_function(
        "before => document.querySelector('#call-path').value !== before"
        " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        arg=before,
    )


# --- A person with several follow-ups due on one call (test_person_call, test_console_drafts)


def scripted_step(name: str, code: str, kind: str, graph: dict, offset: int):
    """The step of a new plan (on the default calling policy for discharges) and its
    script's published version."""
    policy = CallingPolicyFactory(is_default=kind == "discharge")
    step = plan_with_script(name, code, case_kind=kind, offset=offset, policy=policy).steps.get()
    return step, published_version(step.script, graph, published_at=at(8))


@pytest.fixture
def person_with_two_cases(agent1):
    """张三 on agent1's list, led by his discharge follow-up; his missed appointment rides
    along."""
    discharge_step, discharge_version = scripted_step(
        "出院回访", "discharge", "discharge", DISCHARGE_GRAPH, 3
    )
    missed_step, missed_version = scripted_step(
        "失约回访", "missed", "missed_appointment", MISSED_APPOINTMENT_GRAPH, 0
    )
    patient = PatientFactory(
        department=DepartmentFactory(name="心内科"),
        customer__name="张三",
        customer__phone="+8613812345678",
        customer__gender="M",
        attending_doctor="周建国",
    )
    entry = listed(
        discharge_step.plan, patient=patient, agent=agent1, priority=1, step=discharge_step
    )
    missed_case = CaseFactory(
        plan=missed_step.plan,
        customer=patient.customer,
        patient=patient,
        kind="missed_appointment",
        product="心内科复诊",
    )
    other = FollowUpTaskFactory(case=missed_case, step=missed_step, due_date=MONDAY)
    return {
        "entry": entry,
        "lead": entry.task,
        "other": other,
        "versions": (discharge_version, missed_version),
    }


def node(page) -> str | None:
    return page.locator("#script-text").get_attribute("data-node")
