"""A supervisor improves a script in the browser: a new node, a variable, a connection, a
validation message that goes away, and the publication."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from followups.demo import SCRIPTS
from followups.models import AuditAction, AuditEvent
from scripts.models import CallScript, ScriptVersion
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-for-tests"


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.fixture
def discharge_script():
    supervisor = UserFactory(username="chen-min", first_name="陈敏", role="supervisor")
    spec = next(spec for spec in SCRIPTS if spec.code == "discharge")
    script = CallScript.objects.create(name=spec.name, code=spec.code, case_kind=spec.case_kind)
    ScriptVersion.objects.create(
        script=script, number=1, status="published", graph=spec.graph, published_by=supervisor
    )
    return script


def test_a_supervisor_adds_a_node_connects_it_and_publishes(
    discharge_script, page, live_server, log_in, screenshot
):
    log_in("chen-min", PASSWORD)
    page.goto(f"{live_server.url}/scripts/")
    page.get_by_role("button", name=chinese("New draft")).click()
    expect(page.locator("h1")).to_contain_text("v2")

    # A new statement after the medication question: not reachable yet, and a dead end.
    add = page.locator("#add-node-form")
    add.locator("select[name=kind]").select_option("statement")
    add.locator("select[name=after]").select_option("q_medication")
    add.locator("input[name=text]").fill("用药有疑问可以随时问")
    add.get_by_role("button", name=chinese("Add the node")).click()
    node = page.locator("#node-s_1")
    expect(node).to_contain_text(chinese("No path from the start comes to this node."))
    expect(node).to_contain_text(chinese("Choose what comes next: this is a dead end."))
    # What the supervisor sees on a 1366×768 screen: the new node and its problems (once
    # htmx has settled and put the focus back into the form it swapped).
    page.wait_for_timeout(300)
    page.evaluate("document.getElementById('node-s_1').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(SCREENSHOTS / "script-editor-new-node-screen.png"))
    screenshot("script-editor-new-node")

    # The variable picker puts the doctor's name where the cursor is.
    text = page.locator("#n-s_1-text")
    text.click()
    text.press("End")
    node.locator(".variable-toggle").click()
    node.locator("[data-insert='{patient.doctor}']").click()
    expect(page.locator("#n-s_1-text")).to_have_value("用药有疑问可以随时问{patient.doctor}")
    # Saved: the server now counts the node as medical (it names the doctor).
    expect(node.locator(".card-header")).to_contain_text(chinese("Medical"))

    page.locator("#n-s_1-next").select_option("s_reminder")
    expect(node).not_to_contain_text(chinese("Choose what comes next: this is a dead end."))
    page.locator("#n-q_medication-o1-next").select_option("s_1")
    expect(page.locator("#node-errors-s_1")).to_be_empty()
    expect(page.locator("#script-problems")).to_contain_text(
        chinese("No problems: this draft can be published.")
    )
    page.evaluate("document.getElementById('node-s_1').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(SCREENSHOTS / "script-editor-connected-screen.png"))
    screenshot("script-editor")

    page.locator("#id_change_note").fill("漏服药时提示咨询主治医生")
    page.locator("#publish-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/scripts/")
    expect(page.locator(".alert-success")).to_be_visible()

    v1, v2 = ScriptVersion.objects.order_by("number")
    assert (v1.status, v2.status) == ("retired", "published")
    assert v2.change_note == "漏服药时提示咨询主治医生"
    medication = next(item for item in v2.graph["nodes"] if item["id"] == "q_medication")
    assert medication["options"][1]["next"] == "s_1"
    new_node = next(item for item in v2.graph["nodes"] if item["id"] == "s_1")
    assert new_node == {
        "id": "s_1",
        "kind": "statement",
        "text": "用药有疑问可以随时问{patient.doctor}",
        "next": "s_reminder",
    }
    assert AuditEvent.objects.get().action == AuditAction.PUBLISH_SCRIPT
