"""Report figures, scripts and call lists through the API."""

import datetime as dt

import pytest

from scripts.models import CallScript, ScriptVersion
from tests.api.monday import token_client_for
from tests.factories import (
    CallAttemptFactory,
    CallListFactory,
    FollowUpTaskFactory,
    QueueEntryFactory,
)

pytestmark = pytest.mark.django_db


def test_the_summary_counts_due_called_and_reached_per_local_day(supervisor, agent):
    first = FollowUpTaskFactory(due_date=dt.date(2026, 11, 13))
    second = FollowUpTaskFactory(due_date=dt.date(2026, 11, 13))
    FollowUpTaskFactory(due_date=dt.date(2026, 11, 13), status="cancelled")
    calls = [  # (task, the start in UTC, disposition)
        # 10:00 and 10:30 in Shanghai on the 13th: one task called twice, reached the second time.
        (first, "2026-11-13T02:00:00+00:00", "no_answer"),
        (first, "2026-11-13T02:30:00+00:00", "complete"),
        (second, "2026-11-13T03:00:00+00:00", "no_answer"),
        # 01:00 on the 14th in Shanghai, though still the 13th in UTC.
        (second, "2026-11-13T17:00:00+00:00", "partial"),
    ]
    for task, started, disposition in calls:
        CallAttemptFactory(
            task=task,
            agent=agent,
            started_at=dt.datetime.fromisoformat(started),
            disposition=disposition,
        )
    response = token_client_for(supervisor).get(
        "/api/v1/reports/summary/?from=2026-11-13&to=2026-11-15"
    )
    assert response.status_code == 200
    assert response.json() == [
        {"day": "2026-11-13", "due": 2, "called": 2, "reached": 1, "reach_rate": 0.5},
        {"day": "2026-11-14", "due": 0, "called": 1, "reached": 1, "reach_rate": 1.0},
        {"day": "2026-11-15", "due": 0, "called": 0, "reached": 0, "reach_rate": None},
    ]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {"from": ["This field may not be null."], "to": ["This field may not be null."]}),
        (
            "from=2026-11-13&to=yesterday",
            {"to": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ("from=2026-11-13&to=2026-11-01", {"to": ["The end is before the start."]}),
    ],
)
def test_the_summary_refuses_a_bad_period_with_field_errors(supervisor, query, errors):
    response = token_client_for(supervisor).get(
        f"/api/v1/reports/summary/?{query}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == errors


def test_scripts_come_with_their_versions_and_the_published_graph(agent):
    script = CallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    ScriptVersion.objects.create(
        script=script, number=1, status="published", graph={"start": "greet"}
    )
    ScriptVersion.objects.create(script=script, number=2, graph={"start": "draft"})
    response = token_client_for(agent).get(f"/api/v1/scripts/{script.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert [(v["number"], v["status"]) for v in body["versions"]] == [
        (2, "draft"),
        (1, "published"),
    ]
    assert body["published_graph"] == {"start": "greet"}


def test_a_call_list_shows_its_count_and_pages_its_entries(supervisor, agent):
    call_list = CallListFactory(day=dt.date(2026, 11, 13))
    mine = QueueEntryFactory(call_list=call_list, assigned_agent=agent, priority=2)
    QueueEntryFactory(call_list=call_list, priority=1)
    client = token_client_for(supervisor)
    assert client.get(f"/api/v1/call-lists/{call_list.pk}/").json()["entry_count"] == 2
    entries = client.get(f"/api/v1/call-lists/{call_list.pk}/entries/?assigned_agent={agent.pk}")
    assert entries.status_code == 200
    assert [e["id"] for e in entries.json()["results"]] == [mine.pk]


def test_a_supervisor_publishes_a_draft_and_the_old_version_retires(supervisor):
    from followups.demo import DISCHARGE_GRAPH

    script = CallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    old = ScriptVersion.objects.create(
        script=script, number=1, status="published", graph=DISCHARGE_GRAPH
    )
    draft = ScriptVersion.objects.create(script=script, number=2, graph=DISCHARGE_GRAPH)
    response = token_client_for(supervisor).post(
        f"/api/v1/scripts/versions/{draft.pk}/publish/",
        {"change_note": "加了用药提醒"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    old.refresh_from_db()
    draft.refresh_from_db()
    assert (old.status, draft.status, draft.change_note) == ("retired", "published", "加了用药提醒")


def test_publishing_without_a_change_note_is_refused(supervisor):
    script = CallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    draft = ScriptVersion.objects.create(script=script, number=1, graph={})
    response = token_client_for(supervisor).post(
        f"/api/v1/scripts/versions/{draft.pk}/publish/",
        {},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"change_note": ["Say in a few words what changed."]}
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_agent_cannot_publish(agent):
    script = CallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    draft = ScriptVersion.objects.create(script=script, number=1, graph={})
    response = token_client_for(agent).post(
        f"/api/v1/scripts/versions/{draft.pk}/publish/", {"change_note": "x"}, format="json"
    )
    assert response.status_code == 403
