"""The outcome and escalation lists searched by a person's name, phone or case number; a
search by phone is audited (ids only, never the number); what is searched for stays out of
the URLs, the pages' and the exports'."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from followups.models import AuditAction, AuditEvent, Disposition, EscalationSeverity
from tests.clock import on
from tests.factories import CustomerFactory, UserFactory
from tests.reports.conftest import MON
from tests.reports.factories import agent, call, department, due_task, escalation

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_people(db):
    cardio = department("心内科")
    a1 = agent("a1", "李娜")
    zhang = CustomerFactory(name="张伟", phone="+8613812345678")
    wang = CustomerFactory(name="王芳", phone="+8613900001111")
    made = {}
    for person in (zhang, wang):
        task = due_task(due=MON, dept=cardio, customer=person)
        made[person.name] = call(
            task, by=a1, disposition=Disposition.COMPLETE, started=on(MON, 10, 40)
        )
        escalation(
            case=task.case,
            attempt=made[person.name],
            dept=cardio,
            severity=EscalationSeverity.NORMAL,
            category="medical",
            description=f"{person.name}的问题",
            due_at=on(MON, 18),
        )
    return made


def filtered(client, name, **fields):
    """The list page after its filter form is posted: at the address the post leads to."""
    landed = client.post(reverse(name), {"q": "", **fields})
    assert landed.status_code == 302
    return client.get(landed.url)


def listed_calls(client, query):
    response = filtered(client, "supervisor:calls", q=query)
    return [call.task.case.customer.name for call in response.context["page"]]


def listed_escalations(client, query):
    response = filtered(client, "supervisor:escalations", q=query)
    return [item.case.customer.name for item in response.context["page"]]


def test_the_outcome_list_finds_a_person_by_name_phone_or_case(client, supervisor, two_people):
    client.force_login(supervisor)
    case_number = two_people["王芳"].task.case_id
    assert listed_calls(client, "张") == ["张伟"]
    assert listed_calls(client, "138 1234 5678") == ["张伟"]
    assert listed_calls(client, "1111") == ["王芳"]
    assert listed_calls(client, f"#{case_number}") == ["王芳"]
    assert listed_calls(client, "赵") == []


def test_the_escalation_list_finds_a_person_by_name_phone_or_case(client, supervisor, two_people):
    client.force_login(supervisor)
    case_number = two_people["张伟"].task.case_id
    assert listed_escalations(client, "王芳") == ["王芳"]
    assert listed_escalations(client, "+86 138 1234 5678") == ["张伟"]
    assert listed_escalations(client, str(case_number)) == ["张伟"]


def test_the_search_box_is_on_both_pages(client, supervisor, two_people):
    client.force_login(supervisor)
    for name in ("supervisor:calls", "supervisor:escalations"):
        html = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'name="q"' in html and "Name, phone or case number" in html


def test_a_phone_search_is_audited_without_the_number(client, supervisor, two_people):
    client.force_login(supervisor)
    listed_calls(client, "13812345678")
    listed_escalations(client, "张伟")  # a name: not a number looked up
    event = AuditEvent.objects.get(action=AuditAction.READ_LIST)
    assert event.actor == supervisor
    assert event.detail["resource"] == "call_outcomes"
    assert event.detail["ids"] == [two_people["张伟"].pk]
    assert event.detail["parameters"] == ["phone"]
    assert "13812345678" not in str(event.detail)


def test_the_search_stays_out_of_the_address_the_other_filters_stay_in(
    client, supervisor, two_people
):
    client.force_login(supervisor)
    landed = client.post(
        reverse("supervisor:calls"), {"q": "13812345678", "disposition": "complete"}
    )
    assert sorted(parse_qs(urlsplit(landed.url).query)) == ["disposition", "s"]
    assert "5678" not in landed.url
    page = client.get(landed.url)
    assert [call.task.case.customer.name for call in page.context["page"]] == ["张伟"]
    html = page.content.decode()
    assert 'value="13812345678"' in html  # the box still shows it
    assert "q=" not in html  # no link (pager, export) carries it


def test_an_export_of_a_searched_list_holds_its_rows_and_audits_no_number(
    client, supervisor, two_people
):
    client.force_login(supervisor)
    landed = client.post(reverse("supervisor:calls"), {"q": "13812345678"})
    query = landed.url.split("?", 1)[1]
    url = reverse("supervisor:export", args=["calls", "calls", "csv"])
    text = client.get(f"{url}?{query}").content.decode("utf-8-sig")
    assert "138****5678" in text and "王" not in text  # his call only (named 张先生)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["filters"] == {"q": "phone"}
    assert "13812345678" not in str(event.detail)


def test_an_old_link_with_the_search_in_it_is_moved(client, supervisor, two_people):
    client.force_login(supervisor)
    moved = client.get(reverse("supervisor:escalations"), {"q": "王芳", "status": ""})
    assert moved.status_code == 302 and "q" not in parse_qs(urlsplit(moved.url).query)
    page = client.get(moved.url)
    assert [item.case.customer.name for item in page.context["page"]] == ["王芳"]


def test_a_search_no_longer_kept_never_widens_the_list_or_its_export(
    client, supervisor, two_people
):
    """An old tab's search gone from the session (after signing in again, say): the list
    says so instead of quietly showing everyone, and its export downloads nothing."""
    client.force_login(supervisor)
    landed = client.post(reverse("supervisor:calls"), {"q": "张伟"})
    query = landed.url.split("?", 1)[1]
    client.force_login(UserFactory(username="sup-2", role="supervisor"))

    page = client.get(landed.url, follow=True)
    assert "This search is no longer kept: search again." in page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("supervisor:calls")
    url = reverse("supervisor:export", args=["calls", "calls", "csv"])
    export = client.get(f"{url}?{query}")
    assert export.status_code == 302 and export.url == reverse("supervisor:calls")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
