"""Each supervisor page runs a fixed number of queries, however much data there is."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.models import (
    CallList,
    CallReview,
    Disposition,
    EscalationSeverity,
    QueueEntry,
    Satisfaction,
)
from tests.clock import on
from tests.reports.conftest import MON, TUE, WED
from tests.reports.factories import agent, call, department, due_task, escalation, script_version

pytestmark = pytest.mark.django_db
D = Disposition
NOW = "2026-11-11 16:00 +0800"


def add_copies(count: int, *, start: int, version, reviewer) -> None:
    """``count`` copies of one shape of data: a department, an agent, tasks with every
    kind of outcome (the complete call settling a second case of the person), ratings with
    notes, escalations, reviews and today's list entries (one per person)."""
    call_list, _ = CallList.objects.get_or_create(day=WED)
    for n in range(start, start + count):
        dept, by = department(f"科室{n}"), agent(f"agent{n}")
        path = [("greet", "", 0), ("identity", "yes", 0), ("how_number", "", 1)]
        for disposition in D.values:
            task = due_task(due=MON, dept=dept, doctor=f"医生{n}", nurse=f"护士{n}")
            first = call(
                task,
                by=by,
                disposition=disposition,
                started=on(MON, 10, 40),
                satisfaction=Satisfaction.POOR if disposition == D.COMPLETE else "",
                notes="等太久" if disposition == D.COMPLETE else "",
                version=version,
                path=path,
            )
            call(task, by=by, disposition=D.NO_ANSWER, started=on(TUE, 20), version=version)
            if disposition == D.COMPLETE:
                second = due_task(due=TUE, customer=task.case.customer)
                call(
                    second,
                    by=by,
                    disposition=disposition,
                    started=first.started_at,
                    same_call_as=first,
                )
            CallReview.objects.create(attempt=first, reviewer=reviewer, score=70)
            escalation(
                case=task.case,
                attempt=first,
                dept=dept,
                severity=EscalationSeverity.URGENT,
                due_at=on(TUE, 12),
            )
            QueueEntry.objects.create(
                call_list=call_list, task=due_task(due=WED, dept=dept), assigned_agent=by
            )
        due_task(due=WED, dept=dept, phone="")


def pages(first_call: int, first_escalation: int) -> list[str]:
    return [
        reverse("supervisor:home"),
        reverse("supervisor:urgent_alerts"),
        reverse("supervisor:calls"),
        reverse("supervisor:calls") + "?has_escalation=true&disposition=complete",
        reverse("supervisor:call_detail", args=[first_call]),
        reverse("supervisor:queue"),
        reverse("supervisor:escalations"),
        reverse("supervisor:escalations") + "?overdue=true",
        reverse("supervisor:escalation_detail", args=[first_escalation]),
        *[
            reverse("supervisor:report", args=[name])
            for name in [
                "reach",
                "discharge-follow-up",
                "funnel",
                "aapor",
                "satisfaction",
                "scripts",
                "agents",
            ]
        ],
    ]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_page_costs_the_same_queries_with_four_times_the_data(
    client, supervisor, django_assert_max_num_queries
):
    from followups.models import CallAttempt, Escalation

    version = script_version(1)
    with time_machine.travel(NOW, tick=False):
        add_copies(1, start=0, version=version, reviewer=supervisor)
        client.force_login(supervisor)
        urls = pages(CallAttempt.objects.earliest("pk").pk, Escalation.objects.earliest("pk").pk)
        small = {url: count_queries(client, url) for url in urls}
        add_copies(3, start=1, version=version, reviewer=supervisor)
        for url in urls:
            with django_assert_max_num_queries(small[url]):
                response = client.get(url)
            assert response.status_code == 200
    # Four times the data: 44 tasks with calls, 84 attempts (80 calls), 40 escalations, 4
    # agents.
    assert CallAttempt.objects.count() == 84
    assert CallAttempt.objects.filter(same_call_as__isnull=True).count() == 80
    assert Escalation.objects.count() == 40
