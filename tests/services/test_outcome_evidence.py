"""The call record as evidence: each attempt keeps what the agent was shown at each step
(the text rendered with the person's data, not the template), how the call stood with the
calling rules in force then, and those rules."""

import pytest

from followups.models import CallAttempt
from scripts.models import CallScript, ScriptVersion
from scripts.services.drafts import starter_graph
from tests.calls import handed, record
from tests.clock import at
from tests.factories import CustomerFactory, PatientFactory, listed

pytestmark = pytest.mark.django_db


def evidence_graph() -> dict:
    """The starter graph of a new script (scripts' own), its greeting saying the person's
    name, with one medical question naming the patient's department after the identity
    check's yes, and one objection."""
    graph = starter_graph()
    nodes = {node["id"]: node for node in graph["nodes"]}
    nodes["greet"]["text"] = "{customer.name}您好，这里是回访中心。"
    nodes["identity"]["options"][0]["next"] = "wound"
    graph["nodes"].insert(
        2,
        {
            "id": "wound",
            "kind": "question",
            "medical": True,
            "text": "您在{patient.department}的伤口恢复得怎样？",
            "answer_type": "text",
            "next": "close_ok",
        },
    )
    graph["objections"] = [
        {"id": "busy", "label": "没空", "text": "那我稍后再打。", "action": "end"}
    ]
    return graph


@pytest.fixture
def version(db):
    script = CallScript.objects.create(name="出院回访", code="discharge")
    return ScriptVersion.objects.create(
        script=script, number=1, status="published", graph=evidence_graph()
    )


def answered(agent, version, path):
    """The agent's next call, at 10:40, recorded with the answers of `path` ((node, value,
    is_objection) …): what the attempt keeps as shown at each step."""
    record(
        handed(agent, at(10, 40)),
        agent,
        script_version=version,
        answers=[{"node_id": n, "value": v, "is_objection": o} for n, v, o in path],
    )
    return list(CallAttempt.objects.get().answers.values_list("node_id", "shown_text"))


def test_each_answer_keeps_the_text_shown_with_the_person_s_data(plan, me, version):
    patient = PatientFactory(customer=CustomerFactory(name="张三"), department__name="骨科")
    entry = listed(plan, patient.customer, patient=patient)

    shown = answered(
        me, version, [("greet", "", False), ("identity", "yes", False), ("wound", "好多了", False)]
    )

    assert shown == [
        ("greet", "张三您好，这里是回访中心。"),
        ("identity", "请问您是张三本人吗？"),
        ("wound", "您在骨科的伤口恢复得怎样？"),
    ]
    assert entry.pk == CallAttempt.objects.get().queue_entry_id


def test_a_sensitive_patient_s_medical_text_is_kept_only_once_identity_is_confirmed(
    plan, me, version
):
    patient = PatientFactory(customer=CustomerFactory(name="李四"), sensitive=True)
    listed(plan, patient.customer, patient=patient)

    shown = answered(
        me, version, [("greet", "", False), ("wound", "不便说", False), ("busy", "", True)]
    )

    # The medical question was never shown before the identity check: nothing kept for it.
    assert shown == [
        ("greet", "李四您好，这里是回访中心。"),
        ("wound", ""),
        ("busy", "那我稍后再打。"),
    ]


def test_the_call_keeps_the_rules_in_force_and_how_it_stood_with_them(plan, me):
    listed(plan)
    record(handed(me, at(10, 40)), me)

    attempt = CallAttempt.objects.get()

    assert attempt.rules_check == "window"
    assert attempt.rules_in_force == {
        "timezone": "Asia/Shanghai",
        "day": "2026-11-23",
        "open": True,
        "windows": ["10:30-11:30", "15:00-17:30"],
        "quiet": ["08:00", "21:00"],
    }
