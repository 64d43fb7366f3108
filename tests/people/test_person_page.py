"""/people/<id>/: what a person's page shows to whom, in a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import (
    AuditAction,
    AuditEvent,
    CallReview,
    FollowUpTask,
    QueueEntryStatus,
    TaskStatus,
)
from followups.services import audit
from tests.clock import at
from tests.factories import (
    CallAttemptFactory,
    CaseFactory,
    FollowUpPlanFactory,
    FollowUpTaskFactory,
)

pytestmark = pytest.mark.django_db


def page(client, user, person):
    client.force_login(user)
    return client.get(reverse("people:detail", args=[person.pk]))


def test_it_shows_identity_cases_steps_follow_ups_and_calls(client, supervisor, wang):
    text = page(client, supervisor, wang).content.decode()
    assert "王小明" in text and "ZY2026-001" in text and "心内科" in text
    assert "138****5678" in text and "13812345678" not in text
    assert "出院随访" in text  # the plan
    assert "2026-11-23" in text and "2026-12-20" in text  # its two follow-ups
    call = wang.cases.get().tasks.get(due_date=dt.date(2026, 11, 23)).attempts_made.get()
    assert reverse("supervisor:call_detail", args=[call.pk]) in text


def test_it_says_when_to_call_from_the_calls_and_the_stated_preference(client, supervisor, wang):
    wang.preferred_slot = "afternoon"
    wang.save()
    text = page(client, supervisor, wang).content.decode()
    best = text.split('id="best-time">', 1)[1].split("</dd>", 1)[0]
    # One morning call unanswered, afternoons preferred: afternoons.
    assert best.startswith("Afternoons")


def test_the_page_is_403_for_an_agent_who_cannot_find_the_person(client, other_agent, wang):
    assert page(client, other_agent, wang).status_code == 403


def test_an_agent_reads_the_person_on_their_list_without_the_reviewers_parts(client, agent, wang):
    response = page(client, agent, wang)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Audit trail" not in text and "Quality reviews" not in text
    assert reverse("people:contact", args=[wang.pk]) not in text
    assert "/supervisor/calls/" not in text


def test_the_agent_holding_the_call_gets_the_reveal_button_of_the_console(client, agent, wang):
    entry = wang.queue_entries.get()
    entry.status, entry.claimed_by = QueueEntryStatus.CLAIMED, agent
    entry.claimed_at, entry.lease_expires_at = (
        timezone.now(),
        timezone.now() + dt.timedelta(minutes=10),
    )
    entry.save()
    text = page(client, agent, wang).content.decode()
    assert reverse("agent:reveal", args=[entry.pk]) in text
    response = client.post(reverse("agent:reveal", args=[entry.pk]))
    assert "13812345678" in response.content.decode().replace(" ", "")
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL_PHONE, actor=agent).count() == 1


def test_a_supervisor_sees_no_reveal_but_the_audit_trail_of_the_person(
    client, supervisor, wang, stranger
):
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=wang)
    audit.record(actor=supervisor, action=AuditAction.DO_NOT_CALL, target=stranger)
    text = page(client, supervisor, wang).content.decode()
    assert 'id="reveal-button"' not in text
    assert text.count("Put a customer on the do-not-call list") == 1


def test_the_page_reads_in_a_fixed_number_of_queries(
    client, supervisor, wang, django_assert_max_num_queries
):
    def more_history():
        case = CaseFactory(customer=wang)
        for n in range(5):
            task = FollowUpTaskFactory(case=case, due_date=dt.date(2026, 11, 1 + n))
            call = CallAttemptFactory(task=task, agent=supervisor)
            CallReview.objects.create(attempt=call, reviewer=supervisor, score=80)
            audit.record(actor=supervisor, action=AuditAction.REVIEW_CALL, target=call)

    client.force_login(supervisor)
    url = reverse("people:detail", args=[wang.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    more_history()
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Reviewed a call") == 5


def test_a_follow_up_held_for_a_wrong_number_is_said_at_the_top(client, agent, supervisor, wang):
    FollowUpTask.objects.filter(case__customer=wang, due_date=dt.date(2026, 12, 20)).update(
        status=TaskStatus.SUSPENDED, needs_number_fix=True
    )
    held = "1 follow-up is held: the number on file is wrong or missing."
    for_agent = page(client, agent, wang).content.decode()
    assert held in for_agent and "A supervisor can enter the new number." in for_agent
    for_supervisor = page(client, supervisor, wang).content.decode()
    assert held in for_supervisor
    assert reverse("people:contact", args=[wang.pk]) in for_supervisor


def test_a_long_call_history_shows_the_newest_calls_and_a_link_to_all(client, supervisor, wang):
    task = FollowUpTask.objects.filter(case__customer=wang).earliest("due_date")
    for n in range(12):
        CallAttemptFactory(
            task=task, agent=supervisor, started_at=at(10, 0, dt.date(2026, 10, n + 1))
        )
    client.force_login(supervisor)
    url = reverse("people:detail", args=[wang.pk])
    cut = client.get(url).content.decode()
    assert "Show all 13 calls" in cut and "2026-10-01" not in cut
    assert "2026-10-01" in client.get(url, {"all": "1"}).content.decode()


def test_a_recurring_step_is_named_as_such_with_each_call_of_it(client, supervisor):
    case = CaseFactory()
    plan = FollowUpPlanFactory(offsets=[7])
    step = plan.steps.create(offset_days=30, repeat_every=1, repeat_unit="months")
    case.plan = plan
    case.save()
    for occurrence, due in enumerate([dt.date(2026, 12, 9), dt.date(2027, 1, 9)], start=1):
        FollowUpTaskFactory(case=case, step=step, occurrence=occurrence, due_date=due)
    text = page(client, supervisor, case.customer).content.decode()
    assert "day 7</span>" in text.replace(" </span>", "</span>")
    assert "day 30, then monthly" in text
    assert "day 30, then monthly · occurrence 1" in text
    assert "day 30, then monthly · occurrence 2" in text
