"""The outcome list: each filter returns the right calls; numbers are masked."""

import datetime as dt

import pytest
from django.urls import reverse

from followups.models import CaseKind, Disposition
from tests.clock import on
from tests.reports.conftest import MON, TUE, WED
from tests.reports.factories import agent, call, department, due_task, escalation, script_version

pytestmark = pytest.mark.django_db
D = Disposition


@pytest.fixture
def calls(db):
    cardio, ortho = department("心内科"), department("骨科")
    a1, a2 = agent("a1", "李娜"), agent("a2", "王强")
    v1, v2 = script_version(1, status="retired"), script_version(2)
    made = {
        "mon_cardio": call(
            due_task(due=MON, dept=cardio, phone="+8613911112222"),
            by=a1,
            disposition=D.COMPLETE,
            started=on(MON, 10, 40),
            satisfaction="satisfied",
            version=v1,
        ),
        "tue_ortho": call(
            due_task(due=TUE, dept=ortho),
            by=a2,
            disposition=D.NO_ANSWER,
            started=on(TUE, 15, 10),
            version=v2,
        ),
        "wed_missed": call(
            due_task(due=WED, kind=CaseKind.MISSED_APPOINTMENT),
            by=a2,
            disposition=D.COMPLETE,
            started=on(WED, 10, 50),
            satisfaction="poor",
            version=v2,
        ),
    }
    escalation(case=made["wed_missed"].task.case, attempt=made["wed_missed"], due_at=on(WED, 12))
    return {**made, "cardio": cardio, "a2": a2, "v1": v1}


def listed(client, **params) -> set[int]:
    response = client.get(reverse("supervisor:calls"), params)
    assert response.status_code == 200
    return {call.pk for call in response.context["page"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"mon_cardio", "tue_ortho", "wed_missed"}),
        ({"date_from": "2026-11-10"}, {"tue_ortho", "wed_missed"}),
        ({"date_to": "2026-11-10"}, {"mon_cardio", "tue_ortho"}),
        ({"date_from": "2026-11-10", "date_to": "2026-11-10"}, {"tue_ortho"}),
        ({"agent": "a2"}, {"tue_ortho", "wed_missed"}),
        ({"department": "cardio"}, {"mon_cardio"}),
        ({"case_kind": "missed_appointment"}, {"wed_missed"}),
        ({"disposition": "complete"}, {"mon_cardio", "wed_missed"}),
        ({"satisfaction": "poor"}, {"wed_missed"}),
        ({"script_version": "v1"}, {"mon_cardio"}),
        ({"has_escalation": "true"}, {"wed_missed"}),
        ({"has_escalation": "false"}, {"mon_cardio", "tue_ortho"}),
        ({"agent": "a2", "disposition": "complete"}, {"wed_missed"}),
    ],
)
def test_each_filter_returns_the_right_calls(client, supervisor, calls, params, expected):
    client.force_login(supervisor)
    objects = {"a2": calls["a2"].pk, "cardio": calls["cardio"].pk, "v1": calls["v1"].pk}
    query = {key: objects.get(value, value) for key, value in params.items()}
    assert listed(client, **query) == {calls[name].pk for name in expected}


def test_the_list_masks_the_numbers(client, supervisor, calls):
    client.force_login(supervisor)
    html = client.get(reverse("supervisor:calls")).content.decode()
    assert "139****2222" in html
    assert "13911112222" not in html


def test_the_list_is_paginated_by_fifty(client, supervisor, a1):
    for minute in range(52):
        call(
            due_task(due=MON),
            by=a1,
            disposition=D.NO_ANSWER,
            started=on(MON, 10, 30) + dt.timedelta(minutes=minute),
        )
    client.force_login(supervisor)
    first = client.get(reverse("supervisor:calls"))
    second = client.get(reverse("supervisor:calls"), {"page": 2})
    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 2
    assert "Page 1 of 2" in first.content.decode()
