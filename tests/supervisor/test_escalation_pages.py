"""The escalation list (filters, overdue highlighted and counted), its detail page and
the workflow buttons."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from followups.models import Disposition, EscalationSeverity, EscalationStatus, TaskStatus
from tests.clock import SHANGHAI, on
from tests.factories import UserFactory
from tests.reports.factories import call, department, due_task, escalation

pytestmark = pytest.mark.django_db
NOW = "2026-11-11 14:00 +0800"
TODAY = dt.date(2026, 11, 11)


@pytest.fixture
def listed(db, supervisor):
    cardio, ortho = department("心内科"), department("骨科")
    other = UserFactory(username="supervisor-b", role="supervisor")
    case = due_task(due=TODAY, dept=cardio).case
    return {
        "urgent_late": escalation(
            case=case,
            severity=EscalationSeverity.URGENT,
            category="medical",
            dept=cardio,
            due_at=on(TODAY, 12),
        ),
        "high_acknowledged": escalation(
            case=case,
            severity=EscalationSeverity.HIGH,
            status=EscalationStatus.ACKNOWLEDGED,
            dept=ortho,
            owner=other,
            due_at=on(TODAY, 18),
        ),
        "resolved_late": escalation(
            case=case, status=EscalationStatus.RESOLVED, dept=cardio, due_at=on(TODAY, 9)
        ),
        "billing": escalation(case=case, category="billing", dept=ortho, due_at=on(TODAY, 20)),
        "other": other,
        "cardio": cardio,
    }


def shown(client, **params) -> set[int]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("supervisor:escalations"), params)
    assert response.status_code == 200
    return {escalation.pk for escalation in response.context["page"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"urgent_late", "high_acknowledged", "resolved_late", "billing"}),
        ({"category": "billing"}, {"billing"}),
        ({"severity": "urgent"}, {"urgent_late"}),
        ({"status": "acknowledged"}, {"high_acknowledged"}),
        ({"department": "cardio"}, {"urgent_late", "resolved_late"}),
        ({"owner": "other"}, {"high_acknowledged"}),
        # Overdue: unresolved and past due at 14:00; the resolved one is not overdue.
        ({"overdue": "true"}, {"urgent_late"}),
        ({"overdue": "false"}, {"high_acknowledged", "resolved_late", "billing"}),
    ],
)
def test_each_filter_returns_the_right_escalations(client, supervisor, listed, params, expected):
    client.force_login(supervisor)
    objects = {"cardio": listed["cardio"].pk, "other": listed["other"].pk}
    query = {key: objects.get(value, value) for key, value in params.items()}
    assert shown(client, **query) == {listed[name].pk for name in expected}


def test_overdue_ones_are_counted_and_highlighted(client, supervisor, listed):
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("supervisor:escalations"))
    # Unresolved: urgent_late, high_acknowledged, billing = 3; overdue: urgent_late.
    assert response.context["counts"] == {"unresolved": 3, "overdue": 1, "urgent_open": 1}
    html = response.content.decode()
    assert f'data-escalation="{listed["urgent_late"].pk}" class="table-danger overdue"' in html
    assert html.count('class="table-danger overdue"') == 1
    # Unresolved first, by due time; the resolved one last.
    order = [escalation.pk for escalation in response.context["page"]]
    names = ["urgent_late", "high_acknowledged", "billing", "resolved_late"]
    assert order == [listed[name].pk for name in names]


def test_the_workflow_buttons_take_it_from_open_to_verified(client, supervisor, listed):
    escalation = listed["urgent_late"]
    client.force_login(supervisor)
    step = lambda name, data=None: client.post(  # noqa: E731
        reverse("supervisor:escalation_step", args=[escalation.pk, name]), data or {}
    )
    with time_machine.travel(NOW, tick=False):
        step("acknowledge")
        step("owner", {"owner": listed["other"].pk})
        step("resolve", {"resolution": "已电话指导", "verification_call_on": "2026-11-12"})
        escalation.refresh_from_db()
        assert (escalation.status, escalation.owner) == (
            EscalationStatus.RESOLVED,
            listed["other"],
        )
        verification = escalation.case.tasks.get(due_date=dt.date(2026, 11, 12))
        assert verification.status == TaskStatus.PENDING
        step("verify")
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.VERIFIED
    assert escalation.verified_at == dt.datetime(2026, 11, 11, 14, tzinfo=SHANGHAI)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("supervisor:escalation_detail", args=[escalation.pk]))
    steps = [event.detail["step"] for event in page.context["history"]]
    assert steps == ["acknowledged", "owner", "resolved", "verified"]
    html = page.content.decode()
    # The history names the call's day, not a bare task number.
    assert "verification call planned for 2026-11-12" in html
    assert f"task {verification.pk}" not in html


def test_a_step_out_of_order_is_refused_with_a_message(client, supervisor, listed):
    escalation = listed["billing"]
    client.force_login(supervisor)
    response = client.post(
        reverse("supervisor:escalation_step", args=[escalation.pk, "verify"]), follow=True
    )
    assert "that step is not possible now" in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN


def test_an_unknown_step_is_not_found(client, supervisor, listed):
    client.force_login(supervisor)
    url = reverse("supervisor:escalation_step", args=[listed["billing"].pk, "delete"])
    assert client.post(url).status_code == 404


def resolved_with_a_call(client, listed, day="2026-11-12"):
    escalation = listed["urgent_late"]
    with time_machine.travel(NOW, tick=False):
        client.post(
            reverse("supervisor:escalation_step", args=[escalation.pk, "resolve"]),
            {"resolution": "已电话指导", "verification_call_on": day},
        )
    return escalation


def detail_html(client, escalation) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("supervisor:escalation_detail", args=[escalation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_planned_verification_call_shows_with_its_day_and_state(client, supervisor, listed):
    client.force_login(supervisor)
    escalation = resolved_with_a_call(client, listed)
    html = detail_html(client, escalation)
    cell = html.split('id="verification-call">', 1)[1].split("</dd>", 1)[0]
    assert "2026-11-12" in cell and "not made yet" in cell
    customer = escalation.case.customer_id
    assert f'href="/people/{customer}/#case-{escalation.case_id}"' in cell
    # While the call is ahead, the verify button says it does not wait for it.
    assert 'id="verify-ahead"' in html
    assert "Verify now, without waiting for the call" in html
    assert "Verified: the customer confirms it is solved" not in html


def test_once_the_verification_call_reached_the_customer_the_button_says_so(
    client, supervisor, listed, a1
):
    client.force_login(supervisor)
    escalation = resolved_with_a_call(client, listed, day="2026-11-11")
    task = escalation.case.tasks.get(due_date=TODAY, status_reason__startswith="verify")
    made = call(task, by=a1, disposition=Disposition.COMPLETE, started=on(TODAY, 13, 30))
    task.status, task.reached = TaskStatus.DONE, True
    task.save(update_fields=["status", "reached"])
    html = detail_html(client, escalation)
    call_cell = html.split('id="verification-call">', 1)[1].split("</dd>", 1)[0]
    assert "the customer was reached" in call_cell
    assert reverse("supervisor:call_detail", args=[made.pk]) in call_cell
    assert 'id="verify-ahead"' not in html
    assert "Verified: the customer confirms it is solved" in html


def test_the_customer_and_case_link_the_persons_page(client, supervisor, listed):
    client.force_login(supervisor)
    escalation = listed["billing"]
    html = detail_html(client, escalation)
    cell = html.split('id="escalation-customer">', 1)[1].split("</dd>", 1)[0]
    assert f'href="/people/{escalation.case.customer_id}/"' in cell
    assert f'href="/people/{escalation.case.customer_id}/#case-{escalation.case_id}"' in cell


STATUS_BADGE = r'<span class="badge escalation-status ([^"]*)"[^>]*>([^<]*)</span>'


def test_each_status_has_its_own_colour_on_the_list(client, supervisor, listed):
    verified = escalation(
        case=listed["billing"].case, status=EscalationStatus.VERIFIED, due_at=on(TODAY, 20)
    )
    client.force_login(supervisor)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("supervisor:escalations")).content.decode()

    def badge(item):
        row = html[html.index(f'data-escalation="{item.pk}"') :].split("</tr>")[0]
        return re.search(STATUS_BADGE, row).groups()

    assert badge(listed["billing"]) == ("text-bg-warning", "Open")
    assert badge(listed["high_acknowledged"]) == ("text-bg-info", "Acknowledged")
    assert badge(listed["resolved_late"]) == ("text-bg-success", "Resolved")
    assert badge(verified) == ("text-bg-secondary", "Verified")


def test_the_detail_page_colours_the_status_and_says_overdue_beside_it(client, supervisor, listed):
    client.force_login(supervisor)

    late = detail_html(client, listed["urgent_late"])
    resolved = detail_html(client, listed["resolved_late"])

    heading = late.split("</h1>")[0]
    assert re.search(STATUS_BADGE, heading).groups() == ("text-bg-warning", "Open")
    assert 'id="escalation-status"' in heading
    assert '<span class="badge text-bg-danger">overdue</span>' in heading
    heading = resolved.split("</h1>")[0]
    assert re.search(STATUS_BADGE, heading).groups() == ("text-bg-success", "Resolved")
    assert "overdue" not in heading
