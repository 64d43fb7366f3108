"""Tiny hand-made script graphs and a published demo script for the script tests."""

import copy
import datetime as dt

import pytest

from followups.demo import SCRIPTS
from followups.models import CaseKind
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus
from scripts.services.drafts import starter_graph

PUBLISHED_AT = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def minimal_graph() -> dict:
    """The starter graph of a new script with one medical question after the identity check
    and one objection: valid for sensitive patients."""
    graph = starter_graph()
    node_in(graph, "identity")["options"][0]["next"] = "q1"
    graph["nodes"].insert(
        2,
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
    )
    graph["objections"] = [
        {
            "id": "busy",
            "label": "没空",
            "text": "那我改天再打",
            "action": "end",
            "disposition": "callback",
        }
    ]
    return graph


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
