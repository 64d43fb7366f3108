"""A call replayed for review; reviews and send-backs made from its page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from followups.models import AuditAction, AuditEvent, CallReview, Disposition, TaskStatus
from tests.clock import on
from tests.reports.conftest import MON, TUE
from tests.reports.factories import call, due_task, script_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def replayed(a1, cardio):
    version = script_version(1)
    task = due_task(due=MON, dept=cardio, phone="+8613812345678", status=TaskStatus.DONE)
    first = call(task, by=a1, disposition=Disposition.NO_ANSWER, started=on(MON, 10, 40))
    second = call(
        task,
        by=a1,
        disposition=Disposition.COMPLETE,
        started=on(TUE, 15, 5),
        seconds=245,
        version=version,
        notes="伤口愈合良好",
        path=[
            ("greet", "", False),
            ("identity", "yes", False),
            ("how_number", "", True),
            ("q_recovery", "good", False),
            ("close_ok", "", False),
        ],
    )
    return first, second


def test_it_replays_the_path_with_the_node_texts_and_answers(client, supervisor, replayed):
    _, second = replayed
    client.force_login(supervisor)
    response = client.get(reverse("supervisor:call_detail", args=[second.pk]))
    path = response.context["path"]
    assert [(step["answer"].node_id, step["text"], step["choice"]) for step in path] == [
        ("greet", "您好，我是回访专员", ""),
        ("identity", "请问您是本人吗？", "是本人"),
        ("how_number", "住院时留的", ""),
        ("q_recovery", "恢复得怎么样？", "恢复得不错"),
        ("close_ok", "谢谢，再见", ""),
    ]
    html = response.content.decode()
    assert "伤口愈合良好" in html
    assert "245 s" in html
    assert "138****5678" in html and "13812345678" not in html
    # The task's other call is listed with this one.
    assert list(response.context["other_calls"]) == list(replayed)


def test_a_supervisor_reviews_the_call_from_its_page(client, supervisor, replayed):
    _, second = replayed
    client.force_login(supervisor)
    response = client.post(
        reverse("supervisor:review_call", args=[second.pk]), {"score": 92, "comment": "流程规范"}
    )
    assert response.status_code == 302
    review = CallReview.objects.get()
    assert (review.attempt, review.reviewer, review.score, review.comment) == (
        second,
        supervisor,
        92,
        "流程规范",
    )
    assert AuditEvent.objects.get().action == AuditAction.REVIEW_CALL


def test_a_score_above_100_is_refused_on_the_page(client, supervisor, replayed):
    client.force_login(supervisor)
    client.post(reverse("supervisor:review_call", args=[replayed[1].pk]), {"score": 120})
    assert not CallReview.objects.exists()


def test_a_supervisor_sends_the_case_back_for_tomorrow(client, supervisor, replayed):
    _, second = replayed
    client.force_login(supervisor)
    with time_machine.travel("2026-11-11 16:00 +0800", tick=False):
        response = client.post(
            reverse("supervisor:send_case_back", args=[second.task.case_id]),
            {"when": "tomorrow", "call": second.pk},
        )
    assert response.url == reverse("supervisor:call_detail", args=[second.pk])
    new = second.task.case.tasks.get(status=TaskStatus.PENDING)
    assert new.due_date == dt.date(2026, 11, 12)
    assert AuditEvent.objects.get().action == AuditAction.REOPEN_CASE


def test_a_refused_score_keeps_the_comment_and_says_why_beside_the_score(
    client, supervisor, replayed
):
    client.force_login(supervisor)
    response = client.post(
        reverse("supervisor:review_call", args=[replayed[1].pk]),
        {"score": 150, "comment": "开场白不完整，身份核实规范"},
    )
    assert response.status_code == 200
    assert not CallReview.objects.exists()
    form = response.content.decode().split('id="review-form"', 1)[1].split("</form>", 1)[0]
    # What was typed is still there, the score marked and its error beside it.
    assert "开场白不完整，身份核实规范</textarea>" in form
    assert 'value="150"' in form and "is-invalid" in form
    assert '<div class="invalid-feedback">The score is from 0 to 100.</div>' in form


def test_the_customer_and_the_case_link_the_persons_page(client, supervisor, replayed):
    _, second = replayed
    client.force_login(supervisor)
    html = client.get(reverse("supervisor:call_detail", args=[second.pk])).content.decode()
    case = second.task.case
    customer = html.split('id="call-customer">', 1)[1].split("</dd>", 1)[0]
    assert f'href="/people/{case.customer_id}/"' in customer
    case_cell = html.split('id="call-case">', 1)[1].split("</dd>", 1)[0]
    assert f'href="/people/{case.customer_id}/#case-{case.pk}"' in case_cell
