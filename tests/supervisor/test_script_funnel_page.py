"""The script funnel page: objections named as such, texts without raw {placeholders}."""

import copy

import pytest
from django.urls import reverse

from followups.models import Disposition
from followups.reports.scripts import readable
from tests.clock import on
from tests.reports.conftest import MON
from tests.reports.factories import GRAPH_V1, call, due_task, script_version

pytestmark = pytest.mark.django_db


def test_placeholders_read_as_the_variables_names():
    assert readable("{customer.honorific}您好，我是{agent.name}") == (
        "〔customer's honorific〕您好，我是〔agent's name〕"
    )
    # Not a known variable: left as written.
    assert readable("{foo.bar}") == "{foo.bar}"


def test_the_objection_table_is_headed_as_objections(client, supervisor, a1):
    graph = copy.deepcopy(GRAPH_V1)
    node = graph["nodes"][0]
    node["text"] = "{customer.honorific}您好"
    version = script_version(1, graph=graph)
    call(
        due_task(due=MON),
        by=a1,
        disposition=Disposition.CALLBACK,
        started=on(MON, 10, 40),
        version=version,
        path=[(node["id"], "", False), ("busy", "", True)],
    )
    client.force_login(supervisor)
    response = client.get(
        reverse("supervisor:report", args=["scripts"]),
        {"date_from": MON.isoformat(), "date_to": MON.isoformat(), "a": version.pk},
    )
    report = response.context["report"]
    assert [column.label for column in report.objections.columns][:2] == [
        "Objection code",
        "Objection",
    ]
    assert ["busy", "现在没空"] == report.objections.rows[0][:2]
    assert report.nodes.rows[0][1] == "〔customer's honorific〕您好"
    assert "{customer.honorific}" not in response.content.decode()
