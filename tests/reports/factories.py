"""Builders for report fixtures: tasks due on a day, calls at a given local moment."""

import datetime as dt
import uuid

from followups import models as m
from followups.models.calls import REACHED_DISPOSITIONS
from followups.services import report_days
from scripts.models import CallScript, ScriptVersion
from tests.factories import (
    CaseFactory,
    CustomerFactory,
    DepartmentFactory,
    FollowUpTaskFactory,
    PatientFactory,
    UserFactory,
)


def department(name: str) -> m.Department:
    return DepartmentFactory(name=name, code=f"d-{uuid.uuid4().hex[:8]}")


def agent(username: str, first_name: str = "") -> "m.User":
    return UserFactory(username=username, first_name=first_name or username, role="agent")


def due_task(
    *,
    due: dt.date,
    dept: m.Department | None = None,
    kind: str = m.CaseKind.DISCHARGE,
    phone: str | None = None,
    died_on: dt.date | None = None,
    status: str = m.TaskStatus.PENDING,
    doctor: str = "",
    nurse: str = "",
    timezone: str = "",
    customer: m.Customer | None = None,
) -> m.FollowUpTask:
    """A task due on ``due``; with ``dept`` the customer is a patient of that department."""
    if customer is None:
        fields = {"timezone": timezone}
        if phone is not None:
            fields["phone"] = phone
        customer = CustomerFactory(**fields)
    patient = None
    if dept is not None:
        staff = {"attending_doctor": doctor, "responsible_nurse": nurse}
        patient = PatientFactory(customer=customer, department=dept, died_on=died_on, **staff)
    case = CaseFactory(customer=customer, patient=patient, kind=kind)
    return FollowUpTaskFactory(case=case, due_date=due, status=status)


def call(
    task: m.FollowUpTask,
    *,
    by,
    disposition: str,
    started: dt.datetime,
    seconds: int = 180,
    satisfaction: str = "",
    notes: str = "",
    version: ScriptVersion | None = None,
    path: list[tuple[str, str, bool]] = (),
    callback_at: dt.datetime | None = None,
    same_call_as: m.CallAttempt | None = None,
) -> m.CallAttempt:
    """A recorded call; ``path`` is (node id, value, is an objection) in order. The task's
    counters and last call, the case's first reach and the day figures move as
    record_outcome moves them.
    With ``same_call_as``, another follow-up
    settled on that call (same agent and times, as record_outcome stores them)."""
    if same_call_as is not None:
        by, started = same_call_as.agent, same_call_as.started_at
        seconds = int((same_call_as.ended_at - started).total_seconds())
    attempt = m.CallAttempt.objects.create(
        task=task,
        agent=by,
        customer_id=task.case.customer_id,
        patient_id=task.case.patient_id,
        started_at=started,
        ended_at=started + dt.timedelta(seconds=seconds),
        dialled_number=task.case.customer.phone,
        disposition=disposition,
        satisfaction=satisfaction,
        notes=notes,
        script_version=version,
        callback_at=callback_at,
        idempotency_key=(
            f"{same_call_as.idempotency_key}#{task.pk}" if same_call_as else uuid.uuid4().hex
        ),
        same_call_as=same_call_as,
    )
    m.ScriptAnswer.objects.bulk_create(
        m.ScriptAnswer(attempt=attempt, position=n, node_id=node, value=value, is_objection=obj)
        for n, (node, value, obj) in enumerate(path, start=1)
    )
    report_days.count_calls([(attempt, [(node, obj) for node, _value, obj in path])])
    task.count_call(disposition=disposition, agent_id=by.pk, started_at=started)
    task.save(
        update_fields=[
            "attempts",
            "outcome_counts",
            "last_disposition",
            "last_agent",
            "last_call_at",
            "reached",
        ]
    )
    case = task.case
    if disposition in REACHED_DISPOSITIONS and (
        case.reached_at is None or started < case.reached_at
    ):
        case.reached_at = started
        case.save(update_fields=["reached_at"])
    return attempt


def escalation(
    *,
    case: m.Case | None = None,
    severity: str = m.EscalationSeverity.NORMAL,
    category: str = m.EscalationCategory.SERVICE,
    status: str = m.EscalationStatus.OPEN,
    due_at: dt.datetime,
    attempt: m.CallAttempt | None = None,
    dept: m.Department | None = None,
    owner=None,
    description: str = "客户反映候诊时间过长",
) -> m.Escalation:
    """An escalation of `case`, or of the case of the call `attempt` raised it on."""
    return m.Escalation.objects.create(
        case=case or attempt.task.case,
        attempt=attempt,
        category=category,
        severity=severity,
        status=status,
        due_at=due_at,
        department=dept,
        owner=owner,
        description=description,
    )


def choice(node_id: str, kind: str, text: str, options: dict[str, tuple[str, str]]) -> dict:
    """A node answered by one of its `options`: value → (label, next node)."""
    return {
        "id": node_id,
        "kind": kind,
        "text": text,
        "options": [
            {"value": value, "label": label, "next": to} for value, (label, to) in options.items()
        ],
    }


IDENTITY_OPTIONS = {"yes": ("是本人", "q_recovery"), "no": ("不是", "close_ok")}
RECOVERY_OPTIONS = {"good": ("恢复得不错", "close_ok"), "poor": ("不太好", "close_ok")}
GRAPH_V1 = {
    "schema": 1,
    "start": "greet",
    "nodes": [
        {"id": "greet", "kind": "greeting", "text": "您好，我是回访专员", "next": "identity"},
        choice("identity", "identity_check", "请问您是本人吗？", IDENTITY_OPTIONS),
        choice("q_recovery", "question", "恢复得怎么样？", RECOVERY_OPTIONS),
        {"id": "close_ok", "kind": "closing", "text": "谢谢，再见", "disposition": "complete"},
    ],
    "objections": [
        {"id": "busy", "label": "现在没空", "text": "那我们换个时间", "action": "end"},
        {"id": "how_number", "label": "怎么有我电话", "text": "住院时留的", "action": "return"},
    ],
}


def script_version(number: int = 1, graph: dict | None = None, status="published"):
    script, _ = CallScript.objects.get_or_create(code="discharge", defaults={"name": "出院回访"})
    return ScriptVersion.objects.create(
        script=script, number=number, status=status, graph=graph or GRAPH_V1
    )
