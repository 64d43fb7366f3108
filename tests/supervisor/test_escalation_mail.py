"""The urgent-escalation e-mail is the worker's job (followups.tasks), enqueued once the
escalation has committed (followups.enqueue): the agent's request neither waits for the
mail server nor fails when the broker cannot be reached."""

import datetime as dt
import logging

import pytest

from followups import tasks
from followups.models import Escalation, EscalationSeverity
from followups.services.escalations import raise_escalation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 10, 44, tzinfo=dt.UTC)


@pytest.fixture
def bosses(db):
    UserFactory(username="boss1", role="supervisor", email="boss1@example.org")
    UserFactory(username="boss2", role="supervisor", email="boss2@example.org")


def urgent(made_call) -> Escalation:
    return raise_escalation(
        case=made_call.task.case,
        attempt=made_call,
        category="medical",
        severity=EscalationSeverity.URGENT,
        description="伤口红肿发热",
        now=NOW,
    )


def test_the_mail_is_a_task_enqueued_on_commit(
    made_call, bosses, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    real_delay = tasks.notify_urgent_escalation_task.delay
    monkeypatch.setattr(
        tasks.notify_urgent_escalation_task,
        "delay",
        lambda *args: enqueued.append(args) or real_delay(*args),
    )
    with django_capture_on_commit_callbacks() as on_commit:
        escalation = urgent(made_call)
    # Nothing is sent while the transaction is open, nor from the request itself.
    assert (enqueued, mailoutbox, len(on_commit)) == ([], [], 1)

    on_commit[0]()

    assert enqueued == [(escalation.pk,)]
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == ["boss1@example.org", "boss2@example.org"]


def test_the_task_mails_by_the_escalations_id(made_call, bosses, mailoutbox):
    escalation = urgent(made_call)  # outside a transaction: on_commit ran at once, eagerly
    mailoutbox.clear()
    assert tasks.notify_urgent_escalation_task.delay(escalation.pk).get() == 1
    assert f"#{escalation.pk}" in mailoutbox[0].subject
    assert tasks.notify_urgent_escalation_task.delay(escalation.pk + 1000).get() == 0


def test_a_broker_that_cannot_be_reached_does_not_fail_the_raise(
    made_call, bosses, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def unreachable(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.notify_urgent_escalation_task, "delay", unreachable)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        escalation = urgent(made_call)

    assert Escalation.objects.get() == escalation
    assert mailoutbox == []
    assert "broker down" in caplog.text


def test_no_mail_for_an_escalation_taken_in_hand_before_the_worker_got_to_it(
    made_call, bosses, mailoutbox, django_capture_on_commit_callbacks
):
    from followups.models import EscalationStatus

    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        escalation = urgent(made_call)
    Escalation.objects.filter(pk=escalation.pk).update(status=EscalationStatus.ACKNOWLEDGED)

    for callback in on_commit:
        callback()

    assert mailoutbox == []
