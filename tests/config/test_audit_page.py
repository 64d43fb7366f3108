"""/config/audit/: the audit trail for admins, filtered, paged and exported (audited)."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from followups.models import AuditAction, AuditEvent
from followups.selectors.audit_trail import describe_detail
from followups.services import audit
from tests.clock import MONDAY
from tests.factories import CustomerFactory, DepartmentFactory, FollowUpTaskFactory, on_list

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(english_pages):
    """Pages in English."""


def test_it_filters_by_who_action_and_person(client, admin_user, supervisor, agent):
    person, other = CustomerFactory(), CustomerFactory()
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=person)
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=other)
    audit.record(actor=agent, action=AuditAction.EXPORT, report="reach")
    client.force_login(admin_user)
    url = reverse("config:audit")
    assert "3 events" in client.get(url).content.decode()
    assert "1 event" in client.get(url, {"actor": agent.pk}).content.decode()
    assert "2 events" in client.get(url, {"action": "do_not_call"}).content.decode()
    by_person = client.get(url, {"person": person.pk}).content.decode()
    assert "1 event" in by_person and reverse("people:detail", args=[person.pk]) in by_person


def test_the_export_is_a_csv_and_is_audited(client, admin_user, supervisor):
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=CustomerFactory())
    client.force_login(admin_user)
    response = client.get(reverse("config:audit"), {"action": "do_not_call", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and "supervisor-a" in lines[1]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.detail["report"] == "audit" and export.detail["rows"] == 1


def test_agents_and_supervisors_get_403(client, agent, supervisor):
    for user in (agent, supervisor):
        client.force_login(user)
        assert client.get(reverse("config:audit")).status_code == 403


def test_each_event_names_the_person_its_object_is_about(client, admin_user, supervisor):
    entry = on_list(FollowUpTaskFactory(case__customer__name="王小明"), MONDAY)
    audit.record(actor=supervisor, action=AuditAction.REVEAL_PHONE, target=entry)
    client.force_login(admin_user)
    row = client.get(reverse("config:audit")).content.decode()
    assert reverse("people:detail", args=[entry.customer_id]) in row and "王小明" in row
    assert f"queue entry #{entry.pk}" in row


def _detail_cells(html: str) -> str:
    """The text of the page's detail cells, tags dropped."""
    cells = re.findall(r'<td class="small text-break audit-detail">(.*?)</td>', html, re.S)
    return " | ".join(re.sub(r"<[^>]+>", "", cell) for cell in cells)


def test_each_detail_reads_as_words_not_keys(client, admin_user, supervisor):
    department = DepartmentFactory(name="心内科")
    audit.record(
        actor=supervisor,
        action=AuditAction.IMPORT,
        target=department.hospital,
        dry_run=True,
        committed=False,
        rows=3,
        refused=1,
    )
    audit.record(
        actor=supervisor,
        action=AuditAction.EXPORT,
        report="reach",
        format="xlsx",
        filters={
            "date_from": "2026-10-01",
            "department": str(department.pk),
            "case_kind": "discharge",
        },
    )
    audit.record(
        actor=supervisor, action=AuditAction.ESCALATION, step="resolved", verification_task=None
    )
    audit.record(
        actor=supervisor, action=AuditAction.READ_LIST, ids=list(range(1, 13)), colour="blue"
    )
    client.force_login(admin_user)
    details = _detail_cells(client.get(reverse("config:audit")).content.decode())
    assert "Check only Yes" in details and "Saved No" in details and "Rows refused 1" in details
    assert "Report Follow-up rate" in details and "File format XLSX" in details
    assert "From 2026-10-01, Department 心内科, Case kind Discharge follow-up" in details
    assert "Step Resolved" in details and "Verification call (follow-up no.) —" in details
    assert "12 in all: #1, #2, #3, #4, #5 …" in details
    # A key not known still shows, by its name: nothing is hidden.
    assert "colour blue" in details
    for raw in ("dry_run", "verification_task", "None", "False", "{'", "discharge"):
        assert raw not in details


def test_details_are_in_the_users_language(client, admin_user, supervisor):
    audit.record(actor=supervisor, action=AuditAction.ESCALATION, step="resolved")
    audit.record(actor=supervisor, action=AuditAction.IMPORT, dry_run=True)
    client.force_login(admin_user)
    with translation.override("zh-hans"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        details = _detail_cells(client.get(reverse("config:audit")).content.decode())
    assert "已解决" in details and "是" in details
    assert "resolved" not in details and "True" not in details


def test_the_export_names_the_object_and_the_actor_as_the_page_does(client, admin_user, supervisor):
    supervisor.first_name = "陈敏"
    supervisor.save()
    audit.record(actor=supervisor, action=AuditAction.ESCALATION, step="acknowledged")
    client.force_login(admin_user)
    response = client.get(reverse("config:audit"), {"action": "escalation", "format": "csv"})
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:4] == ["When", "Who", "Username", "Action"]
    assert row[1:3] == ["陈敏", "supervisor-a"]
    assert row[-1] == "Step: Acknowledged"
    assert "followups." not in response.content.decode("utf-8-sig")


def test_the_export_says_the_object_in_words(client, admin_user, supervisor):
    entry = on_list(FollowUpTaskFactory(), MONDAY)
    audit.record(actor=supervisor, action=AuditAction.REVEAL_PHONE, target=entry)
    client.force_login(admin_user)
    response = client.get(reverse("config:audit"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][4:6] == ["queue entry", str(entry.pk)]


def test_the_actor_filter_lists_names_with_the_username(client, admin_user, supervisor):
    supervisor.first_name = "陈敏"
    supervisor.save()
    client.force_login(admin_user)
    page = client.get(reverse("config:audit")).content.decode()
    assert f'<option value="{supervisor.pk}">陈敏 (supervisor-a)</option>' in page


@pytest.mark.parametrize(
    ("typed", "kind"), [("13800138000", "a phone number"), ("张三", "a name or other text")]
)
def test_an_older_export_never_shows_what_was_searched_for(typed, kind):
    """Exports made while the search still stood in the URL recorded what was typed; the
    trail says what kind of search it was, never the text."""
    with translation.override("en"):
        said = describe_detail(
            {"report": "calls", "filters": {"q": typed, "disposition": "busy"}, "phone": typed}
        )
    assert typed not in said
    assert f"Searched for {kind}" in said


@pytest.mark.parametrize(
    "detail",
    [
        ["a", "list"],
        42,
        "text",
        {"fields": [{"a": 1}]},
        {"fields": [["a"]]},
        {"parameters": [{"x": 1}]},
        {"filters": [["q"]]},
        {"filters": {"q": ["13800138000"]}},
        {"rules": [[1, ["x"]]]},
        {"step": {"odd": True}, "owner": [1, "x"], "days": "x"},
    ],
)
def test_a_detail_of_an_unexpected_shape_is_shown_not_raised(detail):
    said = describe_detail(detail)
    assert isinstance(said, str)
    assert "13800138000" not in said
