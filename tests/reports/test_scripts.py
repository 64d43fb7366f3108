"""The script funnel: calls per node, where calls ended, objections; versions compared."""

import pytest

from followups.models import Disposition
from followups.reports.scripts import compare_versions, version_summary
from scripts.models import CallScript, ScriptVersion
from tests.clock import on
from tests.reports.conftest import MON
from tests.reports.factories import agent, call, department, due_task, script_version

pytestmark = pytest.mark.django_db
D = Disposition


@pytest.fixture
def versions(db):
    v1, v2 = script_version(1, status="retired"), script_version(2)
    a1 = agent("a1", "李娜")

    def made(version, disposition, path):
        return call(
            due_task(due=MON),
            by=a1,
            disposition=disposition,
            started=on(MON, 10, 40),
            version=version,
            path=path,
        )

    # v1: four calls.
    made(
        v1,
        D.COMPLETE,
        [("greet", "", 0), ("identity", "yes", 0), ("q_recovery", "good", 0), ("close_ok", "", 0)],
    )
    made(
        v1,
        D.COMPLETE,
        [
            ("greet", "", 0),
            ("identity", "yes", 0),
            ("how_number", "", 1),
            ("q_recovery", "poor", 0),
            ("close_ok", "", 0),
        ],
    )
    made(v1, D.CALLBACK, [("greet", "", 0), ("busy", "", 1)])
    made(v1, D.NO_ANSWER, [])
    # v2: two calls, one ends at the identity check.
    made(
        v2,
        D.COMPLETE,
        [("greet", "", 0), ("identity", "yes", 0), ("q_recovery", "good", 0), ("close_ok", "", 0)],
    )
    made(v2, D.WRONG_NUMBER, [("greet", "", 0), ("identity", "no", 0)])
    return v1, v2


def test_it_counts_the_calls_reaching_and_ending_at_each_node(versions, period):
    v1, _ = versions
    report = compare_versions(versions=[v1], scope=period)
    funnel = report.funnels[0]
    # 4 calls; 3 have a path. greet 3, identity 2, q_recovery 2, close_ok 2.
    assert (funnel.calls, funnel.calls_with_path) == (4, 3)
    assert funnel.reached == {"greet": 3, "identity": 2, "q_recovery": 2, "close_ok": 2}
    # Two ended at close_ok, one at the "busy" objection.
    assert funnel.ended == {"close_ok": 2, "busy": 1}
    assert funnel.objections == {"how_number": 1, "busy": 1}
    # Node rows in graph order: reached, share of the 4 calls, ended here.
    assert [row[0] for row in report.nodes.rows] == ["greet", "identity", "q_recovery", "close_ok"]
    assert report.nodes.rows[0] == ["greet", "您好，我是回访专员", 3, 0.75, 0]
    assert report.nodes.rows[3] == ["close_ok", "谢谢，再见", 2, 0.5, 2]
    # Objections: times raised, per 100 calls (1 of 4 = 25), calls ending there.
    assert report.objections.rows == [
        ["busy", "现在没空", 1, 25.0, 1],
        ["how_number", "怎么有我电话", 1, 25.0, 0],
    ]


def test_it_puts_two_versions_side_by_side(versions, period):
    v1, v2 = versions
    report = compare_versions(versions=[v1, v2], scope=period)
    identity = next(row for row in report.nodes.rows if row[0] == "identity")
    # v1: 2 of 4 calls, none ended there; v2: 2 of 2 calls, one ended there.
    assert identity[2:] == [2, 0.5, 0, 2, 1.0, 1]
    assert [column.key for column in report.nodes.columns][2:] == [
        "v1_reached",
        "v1_share",
        "v1_ended",
        "v2_reached",
        "v2_share",
        "v2_ended",
    ]


def test_it_summarises_each_version_in_use(versions, period):
    assert version_summary(scope=period).rows == [
        # v2: 1 reached of 2; v1: 2 reached of 4 (the callback and no answer are not).
        ["出院回访 v2", 2, 1, 0.5],
        ["出院回访 v1", 4, 2, 0.5],
    ]


def test_a_call_coming_back_to_a_node_counts_once_there(db, period):
    """The agent went back to the question after an objection, twice: the call reached
    q_recovery once, the objection was raised twice, and the path ended at close_ok."""
    version = script_version(1)
    call(
        due_task(due=MON),
        by=agent("a1", "李娜"),
        disposition=D.COMPLETE,
        started=on(MON, 10, 40),
        version=version,
        path=[
            ("greet", "", 0),
            ("q_recovery", "", 0),
            ("how_number", "", 1),
            ("q_recovery", "", 0),
            ("how_number", "", 1),
            ("q_recovery", "good", 0),
            ("close_ok", "", 0),
        ],
    )
    funnel = compare_versions(versions=[version], scope=period).funnels[0]
    assert (funnel.calls, funnel.calls_with_path) == (1, 1)
    assert funnel.reached == {"greet": 1, "q_recovery": 1, "close_ok": 1}
    assert funnel.objections == {"how_number": 2}
    assert funnel.ended == {"close_ok": 1}


def test_the_page_opens_on_the_published_version_most_called_in_the_view(client, supervisor):
    """A department's view opens on a script its calls used, not on the version called most
    elsewhere (all zeros there)."""
    cardio = department("心内科")
    policy = ScriptVersion.objects.create(
        script=CallScript.objects.create(name="保单回访", code="policy"),
        number=1,
        status="published",
        graph={"nodes": [{"id": "greet"}]},
    )
    discharge = script_version(1)
    a1 = agent("a1", "李娜")
    for version, dept in [(policy, None)] * 3 + [(discharge, cardio)] * 2:
        call(
            due_task(due=MON, dept=dept),
            by=a1,
            disposition=D.COMPLETE,
            started=on(MON, 10, 40),
            version=version,
            path=[("greet", "", 0)],
        )
    client.force_login(supervisor)
    page = f"/supervisor/reports/scripts/?date_from={MON}&date_to={MON}"

    whole = client.get(page).context["report"]
    cardiology = client.get(f"{page}&department={cardio.pk}").context["report"]

    assert (whole.chosen, whole.funnels[0].calls) == ([str(policy.pk)], 3)
    assert (cardiology.chosen, cardiology.funnels[0].calls) == ([str(discharge.pk)], 2)
