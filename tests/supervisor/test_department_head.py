"""The department head (科主任): the calls, reviews, escalations and reports of their own
departments, read only; nothing of other departments, no dashboard, queue, export, agent
console or configuration."""

import pytest
from django.urls import reverse

from followups.models import EscalationSeverity
from followups.services.reviews import review_call
from tests.clock import on
from tests.factories import UserFactory
from tests.reports.conftest import MON
from tests.reports.factories import department, escalation
from tests.supervisor.conftest import completed_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def ortho(db):
    return department("骨科")


@pytest.fixture
def head(cardio):
    user = UserFactory(username="head1", first_name="周主任", role="department_head")
    cardio.heads.add(user)
    return user


@pytest.fixture
def calls(cardio, ortho, a1):
    return {
        "own": completed_call(cardio, a1, "+8613812345678"),
        "other": completed_call(ortho, a1, "+8613900001111"),
    }


@pytest.fixture
def escalations(calls, cardio, ortho):
    def raised(name, dept):
        return escalation(
            attempt=calls[name],
            dept=dept,
            severity=EscalationSeverity.NORMAL,
            category="medical",
            description="伤口红肿",
            due_at=on(MON, 18),
        )

    return {"own": raised("own", cardio), "other": raised("other", ortho)}


def test_they_land_on_their_departments_calls(client, head):
    client.force_login(head)
    assert client.get("/").url == reverse("supervisor:calls")


def test_the_outcome_list_shows_their_departments_calls_only(client, head, calls):
    client.force_login(head)
    response = client.get(reverse("supervisor:calls"))
    assert response.status_code == 200
    assert [found.pk for found in response.context["page"]] == [calls["own"].pk]
    assert "You see the calls, reviews, escalations and reports of your departments only." in (
        response.content.decode()
    )


def test_a_call_of_their_department_opens_with_its_reviews_and_no_review_form(
    client, head, calls, supervisor
):
    review_call(attempt=calls["own"], reviewer=supervisor, score=90, comment="规范")
    client.force_login(head)
    response = client.get(reverse("supervisor:call_detail", args=[calls["own"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "规范" in page
    assert 'id="review-form"' not in page and 'id="send-back-form"' not in page
    assert "138****5678" in page and "13812345678" not in page


def test_another_departments_call_is_not_found(client, head, calls):
    client.force_login(head)
    response = client.get(reverse("supervisor:call_detail", args=[calls["other"].pk]))
    assert response.status_code == 404


def test_escalations_are_their_departments_only(client, head, escalations):
    client.force_login(head)
    response = client.get(reverse("supervisor:escalations"))
    assert [found.pk for found in response.context["page"]] == [escalations["own"].pk]
    assert response.context["counts"]["unresolved"] == 1
    own = client.get(reverse("supervisor:escalation_detail", args=[escalations["own"].pk]))
    assert own.status_code == 200
    assert 'id="resolve-form"' not in own.content.decode()
    other = client.get(reverse("supervisor:escalation_detail", args=[escalations["other"].pk]))
    assert other.status_code == 404


def test_reports_count_their_departments_only(client, head, calls, supervisor, cardio):
    client.force_login(head)
    query = {"date_from": MON.isoformat(), "date_to": MON.isoformat()}
    response = client.get(reverse("supervisor:report", args=["funnel"]), query)
    assert response.status_code == 200
    assert response.context["scope"].departments == frozenset({cardio.pk})
    assert response.context["report"].due == 1
    client.force_login(supervisor)
    everyone = client.get(reverse("supervisor:report", args=["funnel"]), query)
    assert everyone.context["report"].due == 2


@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("supervisor:review_call", "post", ["own_call"]),
        ("supervisor:send_case_back", "post", ["own_case"]),
        ("supervisor:escalation_step", "post", ["own_escalation", "acknowledge"]),
        ("supervisor:home", "get", []),
        ("supervisor:queue", "get", []),
        ("supervisor:urgent_alerts", "get", []),
        ("supervisor:export", "get", ["calls", "calls", "csv"]),
        ("agent:home", "get", []),
        ("config:home", "get", []),
    ],
)
def test_every_write_and_every_other_page_is_refused(
    client, head, escalations, calls, name, method, args
):
    objects = {
        "own_call": calls["own"].pk,
        "own_case": calls["own"].task.case_id,
        "own_escalation": escalations["own"].pk,
    }
    client.force_login(head)
    url = reverse(name, args=[objects.get(arg, arg) for arg in args])
    assert getattr(client, method)(url, {"score": 50}).status_code == 403
    escalations["own"].refresh_from_db()
    assert escalations["own"].status == "open"
    assert calls["own"].reviews.count() == 0


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("supervisor:report", ["reach"]),
        ("supervisor:report", ["scripts"]),
        ("supervisor:calls", []),
        ("supervisor:escalations", []),
    ],
)
def test_the_department_filter_offers_their_departments_only(
    client, head, escalations, cardio, ortho, supervisor, name, args
):
    client.force_login(head)
    response = client.get(reverse(name, args=args))
    form = (
        response.context["form"] if "form" in response.context else response.context["filter"].form
    )
    offered = list(form.fields["department"].queryset)
    assert offered == [cardio]
    assert f'<option value="{ortho.pk}"' not in response.content.decode()
    client.force_login(supervisor)
    everyone = client.get(reverse(name, args=args))
    form = (
        everyone.context["form"] if "form" in everyone.context else everyone.context["filter"].form
    )
    assert set(form.fields["department"].queryset) == {cardio, ortho}


def test_another_department_asked_for_by_url_is_refused_not_shown_as_zeros(
    client, head, calls, ortho
):
    client.force_login(head)
    response = client.get(reverse("supervisor:report", args=["funnel"]), {"department": ortho.pk})
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    errors = response.content.decode().split('id="period-errors">', 1)[1].split("</div>", 1)[0]
    assert "Department: Select a valid choice." in errors
    assert response.context["scope"].department_id is None


def test_their_call_and_escalation_pages_link_no_persons_page(client, head, escalations, calls):
    client.force_login(head)
    call_page = client.get(reverse("supervisor:call_detail", args=[calls["own"].pk]))
    assert call_page.context["people_link"] is False
    assert 'href="/people/' not in call_page.content.decode()
    page = client.get(reverse("supervisor:escalation_detail", args=[escalations["own"].pk]))
    assert page.context["people_link"] is False
    assert 'href="/people/' not in page.content.decode()
