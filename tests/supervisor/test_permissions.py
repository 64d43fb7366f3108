"""Every review, escalation, report and export URL is for supervisors only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse, reverse_lazy

from followups.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPORTS = ["reach", "funnel", "aapor", "satisfaction", "scripts", "agents"]


def get_urls(call_pk: int, escalation_pk: int) -> list[str]:
    return [
        reverse("supervisor:home"),
        reverse("supervisor:urgent_alerts"),
        reverse("supervisor:calls"),
        reverse("supervisor:call_detail", args=[call_pk]),
        reverse("supervisor:queue"),
        reverse("supervisor:escalations"),
        reverse("supervisor:escalation_detail", args=[escalation_pk]),
        *[reverse("supervisor:report", args=[name]) for name in REPORTS],
        *export_urls(),
    ]


def export_urls() -> list[str]:
    return [
        reverse("supervisor:export", args=["reach", "by_day", "csv"]),
        reverse("supervisor:export", args=["funnel", "unreached", "xlsx"]),
        reverse("supervisor:export", args=["aapor", "by_group", "csv"]),
        reverse("supervisor:export", args=["satisfaction", "complaints", "xlsx"]),
        reverse("supervisor:export", args=["scripts", "nodes", "csv"]),
        reverse("supervisor:export", args=["agents", "agents", "csv"]),
        reverse("supervisor:export", args=["calls", "calls", "csv"]),
        reverse("supervisor:export", args=["escalations", "escalations", "xlsx"]),
    ]


def post_urls(call, escalation) -> list[str]:
    return [
        reverse("supervisor:review_call", args=[call.pk]),
        reverse("supervisor:send_case_back", args=[call.task.case_id]),
        reverse("supervisor:queue"),
        *[
            reverse("supervisor:escalation_step", args=[escalation.pk, step])
            for step in ["acknowledge", "owner", "resolve", "verify"]
        ],
    ]


def test_an_agent_gets_403_on_every_supervisor_page_and_export(client, agent, made_call, urgent):
    client.force_login(agent)
    for url in get_urls(made_call.pk, urgent.pk):
        assert client.get(url).status_code == 403, url
    assert not AuditEvent.objects.exists()


def test_an_agent_gets_403_on_every_supervisor_action(client, agent, made_call, urgent):
    client.force_login(agent)
    for url in post_urls(made_call, urgent):
        response = client.post(url, {"score": 90, "when": "today", "resolution": "ok"})
        assert response.status_code == 403, url
    urgent.refresh_from_db()
    assert urgent.status == "open"
    assert not made_call.reviews.exists()
    assert made_call.task.case.tasks.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, made_call, urgent):
    for url in get_urls(made_call.pk, urgent.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_a_supervisor_opens_every_page_and_export(client, supervisor, made_call, urgent):
    client.force_login(supervisor)
    for url in get_urls(made_call.pk, urgent.pk):
        assert client.get(url).status_code == 200, url


def test_exports_need_the_export_right_too(client, made_call):
    reviewer = UserFactory(username="reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="review_outcomes"))
    client.force_login(reviewer)
    assert client.get(reverse("supervisor:report", args=["reach"])).status_code == 200
    for url in export_urls():
        assert client.get(url).status_code == 403, url
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("page", "export"),
    [
        (reverse_lazy("supervisor:calls"), "/supervisor/export/calls/calls"),
        (reverse_lazy("supervisor:escalations"), "/supervisor/export/escalations/escalations"),
        (reverse_lazy("supervisor:report", args=["reach"]), "/supervisor/export/reach/by_day"),
    ],
)
def test_pages_offer_their_exports_with_the_filters_only_to_who_may_export(
    client, supervisor, made_call, urgent, page, export
):
    client.force_login(supervisor)
    html = client.get(f"{page}?agent={made_call.agent_id}").content.decode()
    for fmt in ("csv", "xlsx"):
        assert f'href="{export}.{fmt}?agent={made_call.agent_id}' in html, (page, fmt)

    reviewer = UserFactory(username="reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="review_outcomes"))
    client.force_login(reviewer)
    assert f"{export}.csv" not in client.get(page).content.decode()
