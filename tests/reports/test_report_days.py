"""The day figures record_outcome keeps (models/report_days.py) say what the calls say: after
any run of outcomes, the agent figures, the dashboard's agent, version and satisfaction
figures and the script funnel read from them equal the same reports counted from the
calls; and migration 0025's fill, run again over the calls, gives the very rows the
outcomes left."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from followups.models import CallAttempt, CallDay, ScriptStepDay
from followups.reports import agents, satisfaction, scripts
from followups.reports.scope import ReportScope
from followups.services.outcome_input import TaskPart
from scripts.models import CallScript, ScriptVersion
from tests.calls import handed, record
from tests.clock import MONDAY, TUESDAY, on
from tests.factories import CustomerFactory, UserFactory, default_plan, due_follow_up, listed

pytestmark = pytest.mark.django_db

FILL = importlib.import_module("followups.migrations.0025_report_days")
GRAPH = {
    "nodes": [{"id": "greet"}, {"id": "q_satisfaction"}, {"id": "close_ok"}],
    "objections": [{"id": "busy"}],
}
PATHS = {
    "none": [],
    "greeted": ["greet"],
    "objection": ["greet", "busy", "greet"],
    "through": ["greet", "q_satisfaction", "close_ok"],
}
# The moments a call may start: inside the windows of both days, and at the day's edge.
STARTS = [on(MONDAY, 10, 35), on(MONDAY, 16, 50), on(TUESDAY, 10, 31), on(TUESDAY, 17, 20)]


def answers(path: str) -> list[dict]:
    return [{"node_id": node, "value": "", "is_objection": node == "busy"} for node in PATHS[path]]


one_call = st.fixed_dictionaries(
    {
        "agent": st.integers(0, 1),
        "start": st.sampled_from(STARTS),
        "minutes": st.integers(1, 30),
        "disposition": st.sampled_from(
            ["complete", "partial", "refused", "no_answer", "busy", "family"]
        ),
        "satisfaction": st.sampled_from(["", "satisfied", "neutral", "dissatisfied", "poor"]),
        "path": st.sampled_from(list(PATHS)),
        # Other follow-ups of the person due on the same call; the first's script path, and
        # its own outcome when the person was spoken to ("": the call's). A call whose lead
        # was refused reaches the person on that follow-up, under its script version.
        "others": st.integers(0, 2),
        "other_path": st.sampled_from(list(PATHS)),
        "other_scripted": st.booleans(),
        "other_disposition": st.sampled_from(["", "complete", "partial", "refused"]),
        "scripted": st.booleans(),
    }
)


@pytest.fixture
def setting():
    version = ScriptVersion.objects.create(
        script=CallScript.objects.create(name="出院回访", code="discharge"),
        number=1,
        status="published",
        graph=GRAPH,
    )
    people = [UserFactory(username=f"agent-{n}", role="agent") for n in range(2)]
    return default_plan(), version, people


def _make(call: dict, plan, version, people) -> None:
    day = call["start"].date()
    customer = CustomerFactory()
    entry = listed(plan, customer, day=day)
    others = [due_follow_up(plan, customer, due_date=day) for _ in range(call["others"])]
    agent = people[call["agent"]]
    assert handed(agent, call["start"]).pk == entry.pk
    reached = call["disposition"] in {"complete", "partial"}
    script = version if call["scripted"] else None
    parts = {}
    if others:
        part = {}
        if call["other_scripted"]:
            part.update(script_version=version, answers=answers(call["other_path"]))
        if call["disposition"] in {"complete", "partial", "refused"}:
            part["disposition"] = call["other_disposition"]
        parts[others[0].pk] = TaskPart(**part)
    ended = call["start"] + dt.timedelta(minutes=call["minutes"])
    record(
        entry,
        agent,
        key=f"{entry.pk}",
        disposition=call["disposition"],
        started_at=call["start"],
        ended_at=ended,
        now=ended,
        satisfaction=call["satisfaction"] if reached else "",
        script_version=script,
        answers=answers(call["path"]) if script else [],
        parts=parts,
    )


def _figures(scope: ReportScope, version) -> dict:
    funnel = scripts.version_funnel(version=version, scope=scope)
    figures = agents.agent_figures(scope=scope)
    return {
        "agent figures": (figures.table.rows, figures.outside.rows, figures.allowed_share),
        "agents": agents.agent_summary(scope=scope).rows,
        "versions": scripts.version_summary(scope=scope).rows,
        "ratings": satisfaction.satisfaction_totals(scope=scope),
        "funnel": (
            funnel.calls,
            funnel.calls_with_path,
            funnel.reached,
            funnel.ended,
            funnel.objections,
        ),
    }


def _stored_rows() -> tuple[list, list]:
    def rows(model):
        fields = [field.attname for field in model._meta.concrete_fields if field.name != "id"]
        return sorted(model.objects.values_list(*fields), key=repr)

    return rows(CallDay), rows(ScriptStepDay)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(calls=st.lists(one_call, min_size=1, max_size=4))
# Always tried: a call refused on its lead follow-up, without script, that reaches the person
# on another follow-up under the script: reached on the call's first attempt's row.
@example(
    calls=[
        {
            "agent": 0,
            "start": STARTS[0],
            "minutes": 5,
            "disposition": "refused",
            "satisfaction": "",
            "path": "none",
            "others": 1,
            "other_path": "through",
            "other_scripted": True,
            "other_disposition": "complete",
            "scripted": False,
        }
    ]
)
def test_the_day_figures_equal_the_calls_after_any_run_of_outcomes(setting, calls, monkeypatch):
    plan, version, people = setting
    for call in calls:
        _make(call, plan, version, people)
    assert CallAttempt.objects.exists()

    for scope in [
        ReportScope(start=MONDAY, end=TUESDAY),
        ReportScope(start=TUESDAY, end=TUESDAY),
        ReportScope(start=MONDAY - dt.timedelta(days=30), end=MONDAY),
    ]:
        assert scope.counted_by_day
        stored = _figures(scope, version)
        with monkeypatch.context() as patched:
            patched.setattr(ReportScope, "counted_by_day", property(lambda scope: False))
            from_calls = _figures(scope, version)
        assert stored == from_calls, scope

    # The migration's fill, over the same calls, makes the same rows (on PostgreSQL its
    # statements; the Python fill of the embedded database on every database).
    kept = _stored_rows()
    fills = [lambda: FILL._fill_in_python(apps)]
    if connection.vendor == "postgresql":
        fills.append(lambda: FILL.fill(apps, type("Editor", (), {"connection": connection})))
    for fill in fills:
        CallDay.objects.all().delete()
        ScriptStepDay.objects.all().delete()
        fill()
        assert _stored_rows() == kept


@override_settings(TIME_ZONE="Pacific/Kiritimati")  # UTC+14: its mornings are UTC's day before
def test_a_call_counts_under_the_centres_day_not_the_utc_one(setting):
    plan, version, people = setting
    zone = ZoneInfo("Pacific/Kiritimati")
    start = dt.datetime.combine(TUESDAY, dt.time(10, 35), tzinfo=zone)
    assert start.astimezone(dt.UTC).date() == MONDAY
    customer = CustomerFactory(timezone="Pacific/Kiritimati")  # called in its own hours
    entry = listed(plan, customer, day=TUESDAY)
    assert handed(people[0], start).pk == entry.pk
    ended = start + dt.timedelta(minutes=5)
    record(
        entry,
        people[0],
        started_at=start,
        ended_at=ended,
        now=ended,
        satisfaction="satisfied",
        script_version=version,
        answers=answers("through"),
    )
    assert list(CallDay.objects.values_list("day", "calls", "reached_calls")) == [(TUESDAY, 1, 1)]
    assert set(ScriptStepDay.objects.values_list("day", flat=True)) == {TUESDAY}
    tuesday = ReportScope(start=TUESDAY, end=TUESDAY)
    assert satisfaction.satisfaction_totals(scope=tuesday)["satisfied"] == 1
