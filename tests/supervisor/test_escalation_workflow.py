"""An escalation from open to verified, with owners, resolution and the closed loop."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from followups.models import (
    AuditAction,
    AuditEvent,
    CaseStatus,
    EscalationSeverity,
    EscalationStatus,
    TaskStatus,
)
from followups.reports import escalations as escalation_reads
from followups.services import escalation_workflow as workflow
from tests.clock import SHANGHAI, on
from tests.factories import UserFactory
from tests.reports.factories import escalation

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 11, 14, 0, tzinfo=SHANGHAI)


def steps() -> list:
    return [
        (event.action, event.detail)
        for event in AuditEvent.objects.filter(action=AuditAction.ESCALATION).order_by("pk")
    ]


def test_acknowledging_takes_it_on(urgent, supervisor):
    workflow.acknowledge(escalation=urgent, by=supervisor, now=NOW)
    urgent.refresh_from_db()
    assert (urgent.status, urgent.acknowledged_at, urgent.owner) == (
        EscalationStatus.ACKNOWLEDGED,
        NOW,
        supervisor,
    )
    assert steps() == [(AuditAction.ESCALATION, {"step": "acknowledged"})]


def test_acknowledging_twice_is_refused(urgent, supervisor):
    workflow.acknowledge(escalation=urgent, by=supervisor, now=NOW)
    with pytest.raises(ValidationError):
        workflow.acknowledge(escalation=urgent, by=supervisor, now=NOW)
    assert len(steps()) == 1


def test_an_owner_is_assigned(urgent, supervisor):
    other = UserFactory(username="supervisor-b", role="supervisor")
    workflow.assign_owner(escalation=urgent, owner=other, by=supervisor)
    urgent.refresh_from_db()
    assert urgent.owner == other
    assert steps() == [(AuditAction.ESCALATION, {"step": "owner", "owner": other.pk})]


def test_the_owner_must_be_a_supervisor(urgent, supervisor, a1):
    with pytest.raises(ValidationError):
        workflow.assign_owner(escalation=urgent, owner=a1, by=supervisor)
    urgent.refresh_from_db()
    assert urgent.owner is None


def test_resolving_with_a_verification_call_closes_the_loop(urgent, supervisor):
    case = urgent.case
    case.status = CaseStatus.CLOSED
    case.save()
    workflow.resolve(
        escalation=urgent,
        by=supervisor,
        resolution="已请值班医生电话指导换药",
        now=NOW,
        verification_call_on=dt.date(2026, 11, 13),
    )
    urgent.refresh_from_db()
    assert (urgent.status, urgent.resolved_at, urgent.resolution) == (
        EscalationStatus.RESOLVED,
        NOW,
        "已请值班医生电话指导换药",
    )
    # Resolved straight from open: acknowledged then too, by the one who resolved it.
    assert (urgent.acknowledged_at, urgent.owner) == (NOW, supervisor)
    task = case.tasks.get(status=TaskStatus.PENDING)
    assert task.due_date == dt.date(2026, 11, 13)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert steps() == [(AuditAction.ESCALATION, {"step": "resolved", "verification_task": task.pk})]


def test_resolving_without_a_call_plans_none(urgent, supervisor):
    workflow.resolve(escalation=urgent, by=supervisor, resolution="已处理", now=NOW)
    assert not urgent.case.tasks.filter(status=TaskStatus.PENDING).exists()
    assert steps() == [(AuditAction.ESCALATION, {"step": "resolved", "verification_task": None})]


# At 07:00 in Shanghai it is still yesterday in UTC (timezone.now()'s zone): yesterday is
# in the past all the same, by the centre's day.
EARLY = dt.datetime(2026, 11, 10, 23, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("resolution", "call_on", "now"),
    [
        ("  ", None, NOW),
        ("已处理", dt.date(2026, 11, 10), NOW),
        ("已处理", dt.date(2026, 11, 10), EARLY),
    ],
)
def test_a_resolution_needs_text_and_no_call_in_the_past(
    urgent, supervisor, resolution, call_on, now
):
    with pytest.raises(ValidationError):
        workflow.resolve(
            escalation=urgent,
            by=supervisor,
            resolution=resolution,
            now=now,
            verification_call_on=call_on,
        )
    urgent.refresh_from_db()
    assert urgent.status == EscalationStatus.OPEN


def test_verifying_needs_a_resolution_first(urgent, supervisor):
    with pytest.raises(ValidationError):
        workflow.verify(escalation=urgent, by=supervisor, now=NOW)
    workflow.resolve(escalation=urgent, by=supervisor, resolution="已处理", now=NOW)
    later = NOW + dt.timedelta(days=2)
    workflow.verify(escalation=urgent, by=supervisor, now=later)
    urgent.refresh_from_db()
    assert (urgent.status, urgent.verified_at) == (EscalationStatus.VERIFIED, later)
    assert [detail["step"] for _, detail in steps()] == ["resolved", "verified"]


def test_overdue_are_the_unresolved_past_their_due_time(made_call, supervisor):
    case = made_call.task.case
    late = escalation(case=case, due_at=on(dt.date(2026, 11, 11), 13))
    late_acknowledged = escalation(
        case=case, due_at=on(dt.date(2026, 11, 10), 9), status=EscalationStatus.ACKNOWLEDGED
    )
    escalation(case=case, due_at=on(dt.date(2026, 11, 11), 15))  # due later today
    escalation(case=case, due_at=on(dt.date(2026, 11, 9), 9), status=EscalationStatus.RESOLVED)
    assert set(escalation_reads.overdue(now=NOW)) == {late, late_acknowledged}


def test_the_alert_shows_urgent_ones_until_acknowledged(urgent, supervisor, made_call):
    escalation(case=made_call.task.case, severity=EscalationSeverity.HIGH, due_at=NOW)
    assert list(escalation_reads.unacknowledged_urgent()) == [urgent]
    workflow.acknowledge(escalation=urgent, by=supervisor, now=NOW)
    assert list(escalation_reads.unacknowledged_urgent()) == []


# --- move: a change asked for as a whole (the API's PATCH) ------------------------------------


def test_move_assigns_the_owner_then_takes_the_steps_to_the_status(urgent, supervisor):
    other = UserFactory(username="supervisor-b", role="supervisor")
    moved = workflow.move(
        escalation=urgent,
        by=supervisor,
        now=NOW,
        owner=other,
        status=EscalationStatus.RESOLVED,
        resolution="已回电处理",
    )
    assert (moved.status, moved.owner, moved.resolution) == (
        EscalationStatus.RESOLVED,
        other,
        "已回电处理",
    )
    assert [detail["step"] for _, detail in steps()] == ["owner", "resolved"]


def test_move_to_the_status_it_has_changes_nothing(urgent, supervisor):
    moved = workflow.move(
        escalation=urgent, by=supervisor, now=NOW, status=EscalationStatus.OPEN, owner=None
    )
    assert (moved.status, moved.owner) == (EscalationStatus.OPEN, None)
    assert steps() == []


def test_move_never_goes_back_to_open_and_keeps_nothing_of_the_change(urgent, supervisor):
    workflow.acknowledge(escalation=urgent, by=supervisor, now=NOW)
    other = UserFactory(username="supervisor-b", role="supervisor")
    with pytest.raises(ValidationError) as refused:
        workflow.move(
            escalation=urgent, by=supervisor, now=NOW, owner=other, status=EscalationStatus.OPEN
        )
    assert "status" in refused.value.message_dict
    urgent.refresh_from_db()
    # One transaction: the owner asked for with the refused status is not kept either.
    assert (urgent.status, urgent.owner) == (EscalationStatus.ACKNOWLEDGED, supervisor)
    assert [detail["step"] for _, detail in steps()] == ["acknowledged"]


@pytest.mark.parametrize(
    ("status", "step"),
    [(EscalationStatus.ACKNOWLEDGED, "acknowledged"), (EscalationStatus.VERIFIED, None)],
)
def test_move_takes_only_the_steps_the_workflow_allows(urgent, supervisor, status, step):
    if step is None:  # verified straight from open: the workflow refuses it
        with pytest.raises(ValidationError):
            workflow.move(escalation=urgent, by=supervisor, now=NOW, status=status)
        assert steps() == []
    else:
        assert workflow.move(escalation=urgent, by=supervisor, now=NOW, status=status).status == (
            status
        )
        assert [detail["step"] for _, detail in steps()] == [step]
