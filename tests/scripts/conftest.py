"""Tiny hand-made script graphs and a published demo script for the script tests."""

import copy
import datetime as dt

import pytest

from followups.demo import SCRIPTS
from followups.models import CaseKind
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus

PUBLISHED_AT = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def minimal_graph() -> dict:
    """Greeting, identity check, one question, three closings: valid for sensitive patients."""
    return {
        "schema": 1,
        "start": "greet",
        "nodes": [
            {
                "id": "greet",
                "kind": "greeting",
                "text": "{customer.honorific}您好",
                "next": "identity",
            },
            {
                "id": "identity",
                "kind": "identity_check",
                "text": "请问您是{customer.name}本人吗？",
                "options": [
                    {"value": "yes", "label": "是本人", "next": "q1"},
                    {"value": "family", "label": "家属接听", "next": "close_family"},
                    {"value": "no", "label": "不是", "next": "close_wrong"},
                ],
            },
            {
                "id": "q1",
                "kind": "question",
                "answer_type": "single",
                "medical": True,
                "text": "恢复得怎么样？",
                "options": [
                    {"value": "good", "label": "不错", "next": "close_ok"},
                    {"value": "poor", "label": "不好", "next": "close_ok"},
                ],
            },
            {"id": "close_ok", "kind": "closing", "text": "再见", "disposition": "complete"},
            {"id": "close_family", "kind": "closing", "text": "再见", "disposition": "family"},
            {
                "id": "close_wrong",
                "kind": "closing",
                "text": "打扰了",
                "disposition": "wrong_number",
            },
        ],
        "objections": [
            {
                "id": "busy",
                "label": "没空",
                "text": "那我改天再打",
                "action": "end",
                "disposition": "callback",
            }
        ],
    }


def node_in(graph: dict, node_id: str) -> dict:
    return next(item for item in graph["nodes"] if item["id"] == node_id)


def demo_graph(code: str = "discharge") -> dict:
    return copy.deepcopy(next(spec.graph for spec in SCRIPTS if spec.code == code))


@pytest.fixture
def script(db):
    return CallScript.objects.create(
        name="出院回访", code="discharge", case_kind=CaseKind.DISCHARGE
    )


@pytest.fixture
def published(script, supervisor):
    """Version 1 of the discharge script, published with the demo's graph."""
    return ScriptVersion.objects.create(
        script=script,
        number=1,
        status=ScriptVersionStatus.PUBLISHED,
        graph=demo_graph(),
        change_note="首个版本",
        created_by=supervisor,
        published_at=PUBLISHED_AT,
        published_by=supervisor,
    )


@pytest.fixture
def draft(published, supervisor):
    """Version 2, a draft copied from the published version 1."""
    return ScriptVersion.objects.create(
        script=published.script, number=2, graph=demo_graph(), created_by=supervisor
    )
