"""`manage.py seed_demo`: demo data that people can log in to, added once, sound enough to
build on (valid numbers, the default plan and windows, script graphs that always end)."""

import datetime as dt
import io
import re
from collections import Counter

import phonenumbers
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from followups import models as m
from followups.demo import seed_demo
from scripts.models import ScriptVersion
from tests.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "huifang-demo"
NODE_KINDS = {"greeting", "identity_check", "question", "statement", "closing"}
ANSWER_TYPES = {"single", "multiple", "rating", "text", "number", "date"}
SINGLE_NEXT_ANSWER_TYPES = {"text", "number", "date"}
# Each outcome field, with the answer values it understands.
OUTCOME_FIELDS = {
    "satisfaction": {"satisfied", "neutral", "dissatisfied", "poor"},
    "intent_class": {"A", "B", "C", "D"},
    "callback_wanted": {"yes", "no"},
    "red_flag": {"yes", "no"},
}
DISPOSITIONS = set(m.Disposition.values)
VARIABLES = set(
    "customer.honorific customer.name agent.name hospital.name"
    " patient.department patient.doctor patient.discharged_on case.product".split()
)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [User, *apps.get_app_config("followups").get_models()]
    models += apps.get_app_config("scripts").get_models()
    return {model._meta.label: model.objects.count() for model in models}


def logs_in(client, username: str, password: str) -> bool:
    """Log in through the login page, as a person does (django-axes watches that page)."""
    client.logout()
    response = client.post(
        reverse("login"), {"username": username, "password": password}, secure=True
    )
    return response.status_code == 302 and client.session.get("_auth_user_id") is not None


def test_it_takes_the_password_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("HUIFANG_DEMO_PASSWORD", "another-secret")

    output = seed()

    assert "another-secret" in output
    assert not logs_in(client, "agent1", PASSWORD)
    assert logs_in(client, "agent1", "another-secret")


def test_two_fresh_databases_get_the_same_data():
    seeded = []
    for _ in range(2):
        with transaction.atomic():
            seed_demo(today=dt.date(2026, 11, 25), password=PASSWORD)
            seeded.append(what_was_seeded())
            transaction.set_rollback(True)

    assert seeded[0] == seeded[1]
    assert len(seeded[0]["attempts"]) > 100


def what_was_seeded() -> dict[str, list]:
    """The demo data without its database ids and "now" timestamps, in an order that does
    not depend on the database."""
    return {
        "patients": sorted_rows(
            m.Patient.objects.values_list(
                "medical_record_number",
                "customer__name",
                "customer__gender",
                "customer__phone",
                "customer__do_not_call",
                "department__name",
                "attending_doctor",
                "diagnosis",
                "admitted_on",
                "discharged_on",
                "sensitive",
                "died_on",
            )
        ),
        "cases": sorted_rows(
            m.Case.objects.values_list(
                "customer__phone", "kind", "anchor_date", "product", "intent_class", "status"
            )
        ),
        "attempts": sorted_rows(
            m.CallAttempt.objects.values_list(
                "started_at",
                "ended_at",
                "agent__username",
                "dialled_number",
                "disposition",
                "satisfaction",
                "notes",
            )
        ),
        "escalations": sorted_rows(
            m.Escalation.objects.values_list(
                "due_at", "category", "severity", "status", "description"
            )
        ),
    }


def sorted_rows(rows) -> list[tuple]:
    return sorted(rows, key=str)


class TestTheSeededDemo:
    """These tests share one run of the command (the first), rolled back after the class:
    each seed takes seconds."""

    @pytest.fixture(scope="class", autouse=True)
    def demo_output(self, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            yield seed()
            transaction.set_rollback(True)

    def test_the_first_run_prints_what_it_added_and_how_to_log_in(self, demo_output):
        assert "Demo data added" in demo_output
        assert re.search(r"\b300\s+patients\b", demo_output)
        assert "huifang-demo" in demo_output
        for line in [
            "agent1      王静  agent",
            "supervisor  陈敏  supervisor",
            "admin       张伟  admin",
            "head1       黄志明  department_head",
        ]:
            assert line in demo_output

    def test_second_run_adds_nothing(self, demo_output):
        before = row_counts()

        second = seed()

        assert row_counts() == before
        assert "Demo data already present: nothing added." in second
        assert "already present" not in demo_output
        assert before["followups.Patient"] > 0

    def test_it_creates_the_demo_users_who_can_log_in(self, client):
        expected = {
            "agent1": "agent",
            "agent2": "agent",
            "supervisor": "supervisor",
            "admin": "admin",
            "head1": "department_head",
        }
        for username, group in expected.items():
            user = User.objects.get(username=username)
            assert list(user.groups.values_list("name", flat=True)) == [group]
            assert user.first_name, "the pages greet users by name"
            assert not user.is_superuser
            assert logs_in(client, username, PASSWORD), username
        assert User.objects.get(username="admin").is_staff

    def test_seeded_phones_are_valid_e164(self):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT phone, phone_secondary FROM {m.Customer._meta.db_table}"  # noqa: S608
            )
            stored = [number for row in cursor.fetchall() for number in row if number]
        assert len(stored) > 300
        assert len(set(stored)) == len(stored)
        for number in stored:
            assert re.fullmatch(r"\+861[3-9]\d{9}", number), number
            parsed = phonenumbers.parse(number)
            assert phonenumbers.is_valid_number(parsed), number
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number

    def test_it_seeds_about_300_patients_with_the_usual_exceptions(self):
        patients = m.Patient.objects.select_related("customer")
        total = patients.count()
        assert 280 <= total <= 320
        assert 0.03 * total <= patients.filter(sensitive=True).count() <= 0.07 * total
        assert 0.02 * total <= patients.filter(customer__phone="").count() <= 0.06 * total
        assert 2 <= patients.filter(died_on__isnull=False).count() <= 3
        assert m.Customer.objects.filter(do_not_call=True).count() >= 2
        numbers = list(patients.values_list("medical_record_number", flat=True))
        assert len(set(numbers)) == len(numbers)
        for patient in patients:
            assert 2 <= (patient.discharged_on - patient.admitted_on).days <= 15
            assert patient.customer.gender in {m.Gender.MALE, m.Gender.FEMALE}
            assert patient.customer.honorific.startswith(patient.customer.surname)
        every_patient_has_one_discharge_case = (
            m.Case.objects.filter(kind=m.CaseKind.DISCHARGE, patient__isnull=False)
            .values("patient")
            .annotate(n=Count("pk"))
            .filter(n=1)
            .count()
        )
        assert every_patient_has_one_discharge_case == total
        other_kinds = set(
            m.Case.objects.filter(patient__isnull=True).values_list("kind", flat=True).distinct()
        )
        assert other_kinds == {"missed_appointment", "policy", "after_sales"}

    def test_it_publishes_the_four_scripts_and_plans_on_the_default_policy(self):
        published = ScriptVersion.objects.filter(status="published", published_at__isnull=False)
        assert sorted(published.values_list("script__name", "number")) == [
            ("保单回访", 1),
            ("出院回访", 1),
            ("售后满意度回访", 1),
            ("未到诊回访", 1),
        ]
        policy = m.CallingPolicy.objects.get(is_default=True)
        assert policy.name == "默认呼叫时段"
        assert policy.timezone == "Asia/Shanghai"
        assert [(w.starts_at, w.ends_at) for w in policy.windows.order_by("starts_at")] == [
            (dt.time(10, 30), dt.time(11, 30)),
            (dt.time(15, 0), dt.time(17, 30)),
        ]
        assert (policy.quiet_before, policy.quiet_after) == (dt.time(8), dt.time(21))
        discharge = m.FollowUpPlan.objects.get(name="出院回访计划")
        assert discharge.calling_policy == policy
        steps = discharge.steps.order_by("offset_days")
        assert [step.offset_days for step in steps] == [3, 7, 30]
        assert {step.script.name for step in steps} == {"出院回访"}
        insurance = m.FollowUpPlan.objects.get(name="保单回访计划").steps.all()
        assert sorted((s.offset_days, s.deadline_days) for s in insurance) == [
            (1, 15),
            (5, 15),
            (12, 15),
        ]

    def test_cardiology_discharges_follow_the_monthly_chronic_plan_by_its_rule(self):
        chronic = m.FollowUpPlan.objects.get(name="心内科慢病随访计划")
        monthly = chronic.steps.get(offset_days=30)
        assert (monthly.repeat_every, monthly.repeat_unit) == (1, "months")
        cases = m.Case.objects.filter(kind=m.CaseKind.DISCHARGE)
        heart = cases.filter(patient__department__code="cardiology")
        assert heart.count() >= 20
        assert set(heart.values_list("plan__name", "plan_chosen_by")) == {
            ("心内科慢病随访计划", "rule")
        }
        others = cases.exclude(patient__department__code="cardiology")
        assert set(others.values_list("plan__name", flat=True)) == {"出院回访计划"}
        # Chronic patients discharged over a month ago have their later monthly calls made
        # ahead: occurrence 2 (day 60) at least, never more than two waiting.
        repeats = m.FollowUpTask.objects.filter(step=monthly, occurrence__gte=2)
        assert repeats.exists()
        most_waiting = (
            m.FollowUpTask.objects.filter(step=monthly, status=m.TaskStatus.PENDING)
            .values("case")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("n", flat=True)
            .first()
        )
        assert most_waiting <= 2
        every_case_kind_has_its_rule = set(
            m.PlanRule.objects.values_list("department__code", "case_kind")
        )
        assert every_case_kind_has_its_rule == {
            (None, "discharge"),
            ("cardiology", "discharge"),
            (None, "missed_appointment"),
            (None, "policy"),
            (None, "after_sales"),
        }

    def test_the_department_head_reads_cardiology_only(self, client):
        head = User.objects.get(username="head1")
        assert list(head.headed_departments.values_list("code", flat=True)) == ["cardiology"]
        assert logs_in(client, "head1", PASSWORD)
        page = client.get(reverse("supervisor:calls"))
        assert page.status_code == 200
        departments = {call.task.case.patient.department.code for call in page.context["page"]}
        assert departments == {"cardiology"}
        assert client.get(reverse("supervisor:home")).status_code == 403

    def test_the_call_history_follows_the_calling_windows(self):
        attempts = m.CallAttempt.objects.select_related("task__step", "script_version", "agent")
        assert attempts.exists()
        today = timezone.localdate()
        for attempt in attempts:
            local = attempt.started_at.astimezone(SHANGHAI)
            assert local.date() < today
            assert attempt.agent.username in {"agent1", "agent2"}
            # The call's key names its lead follow-up and that follow-up's attempt number;
            # the other follow-ups the same call settled add their own id to it.
            key = re.fullmatch(r"demo-(\d+)-[1-9][0-9]?(?:#(\d+))?", attempt.idempotency_key)
            assert key, attempt.idempotency_key
            assert int(key[2] or key[1]) == attempt.task_id
            assert (key[2] is None) == (attempt.same_call_as_id is None)
            assert dt.time(10, 30) <= local.time() < dt.time(11, 30) or (
                dt.time(15) <= local.time() < dt.time(17, 30)
            ), attempt.started_at
            assert 120 <= attempt.handle_seconds <= 360
            assert attempt.script_version.status == "published"
            if attempt.task.step is not None:
                assert attempt.script_version.script_id == attempt.task.step.script_id
        dispositions = Counter(attempts.values_list("disposition", flat=True))
        reached = (dispositions["complete"] + dispositions["partial"]) / sum(dispositions.values())
        assert 0.6 <= reached <= 0.8
        for task in m.FollowUpTask.objects.filter(attempts__gt=0).annotate(
            made=Count("attempts_made")
        ):
            assert task.attempts == task.made
            assert sum(task.outcome_counts.values()) == task.made
        assert m.Escalation.objects.exists()

    def test_the_history_was_recorded_by_the_follow_up_rules(self):
        """Every call of the history went through the claim and record_outcome: each attempt
        keeps the follow-up the rules gave it, on the list entry it was claimed from, and
        the tasks, entries and cases are where those rules left them."""
        attempts = m.CallAttempt.objects.all()
        assert attempts.count() > 100
        assert not attempts.filter(follow_up={}).exists()
        assert not attempts.filter(queue_entry__isnull=True).exists()
        assert not attempts.filter(after_lease_lost=True).exists()
        for attempt in attempts.select_related("queue_entry__call_list"):
            assert attempt.follow_up["action"] in {
                "done",
                "retry",
                "callback",
                "suspend",
                "unreachable",
                "window_missed",
                "close_case",
            }, attempt.follow_up
            local_day = attempt.started_at.astimezone(SHANGHAI).date()
            assert attempt.queue_entry.call_list.day == local_day
        for task in m.FollowUpTask.objects.annotate(made=Count("attempts_made")):
            assert task.attempts == task.made
            assert sum(task.outcome_counts.values()) == task.made
        # An entry counts the calls made on it: a call settling several follow-ups once.
        for entry in m.QueueEntry.objects.annotate(
            calls=Count("attempts", filter=Q(attempts__same_call_as__isnull=True))
        ):
            assert entry.calls_made == entry.calls, entry.pk
        # What the rules do after such calls shows: a wrong number holds the person's
        # calls, a refusal or a death closes the case, asking for no calls lists the
        # person, a callback is booked, a red flag is escalated at once.
        follow_ups = Counter(attempts.values_list("disposition", "follow_up__action"))
        assert follow_ups[("wrong_number", "suspend")] > 0
        assert follow_ups[("refused", "close_case")] > 0
        assert follow_ups[("callback", "callback")] > 0
        assert follow_ups[("no_answer", "retry")] > 0
        assert m.Case.objects.filter(closed_reason="deceased").count() == 3
        assert m.Case.objects.filter(closed_reason="refused").exists()
        assert m.AuditEvent.objects.filter(action="do_not_call").exists()
        assert m.Customer.objects.filter(do_not_call=True).count() > 4
        assert m.Escalation.objects.filter(severity="urgent", status="resolved").exists()
        # The dashboard's "deaths reported" (30 days) has something to show.
        month_ago = timezone.now() - dt.timedelta(days=30)
        assert attempts.filter(disposition="deceased", started_at__gte=month_ago).exists()
        for patient in m.Patient.objects.filter(died_on__isnull=False):
            death_call = attempts.get(task__case__patient=patient, disposition="deceased")
            assert patient.died_on < death_call.started_at.astimezone(SHANGHAI).date()

    def test_seeded_scripts_are_sound_graphs(self):
        versions = ScriptVersion.objects.filter(status="published")
        assert versions.count() == 4
        for version in versions:
            assert_sound_graph(version.graph)


# --- The graph check ----------------------------------------------------------------------------


def assert_sound_graph(graph: dict) -> None:
    assert graph["schema"] == 1
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert len(nodes) == len(graph["nodes"]), "node ids are unique"
    assert graph["start"] in nodes
    targets = {node_id: targets_of(node) for node_id, node in nodes.items()}
    for node_id, node_targets in targets.items():
        assert set(node_targets) <= set(nodes), f"{node_id} leads nowhere: {node_targets}"
    for node in nodes.values():
        assert_sound_node(node)
    for objection in graph["objections"]:
        assert_sound_objection(objection, nodes)
    assert {o["id"] for o in graph["objections"]} == {
        "busy",
        "how_number",
        "scam",
        "complained",
        "dnc",
    }

    assert reachable(graph["start"], targets) == set(nodes), "every node is reachable"
    assert_every_path_ends_in_a_closing(graph["start"], targets, nodes)
    # Whoever answers hears nothing medical before the identity check: with identity checks
    # removed, and objection jumps possible from anywhere, no medical node is reachable.
    jumps = [o["target"] for o in graph["objections"] if o["action"] == "jump"]
    before_identity = {
        node_id: ([] if nodes[node_id]["kind"] == "identity_check" else node_targets) + jumps
        for node_id, node_targets in targets.items()
    }
    medical_too_early = {
        node_id
        for node_id in reachable(graph["start"], before_identity)
        if nodes[node_id].get("medical")
    }
    assert not medical_too_early, f"medical before the identity check: {medical_too_early}"


def targets_of(node: dict) -> list[str]:
    if node["kind"] == "closing":
        return []
    if "options" in node:
        return [option["next"] for option in node["options"]]
    return [node["next"]]


def assert_sound_node(node: dict) -> None:
    kind = node["kind"]
    assert kind in NODE_KINDS, node["id"]
    assert node["text"].strip()
    assert variables_in(node["text"]) <= VARIABLES, node["id"]
    if kind == "closing":
        assert node["disposition"] in DISPOSITIONS
        assert "next" not in node and "options" not in node
    elif kind == "identity_check":
        assert [option["value"] for option in node["options"]] == ["yes", "family", "no"]
    elif kind == "question":
        answer_type = node["answer_type"]
        assert answer_type in ANSWER_TYPES
        if answer_type in SINGLE_NEXT_ANSWER_TYPES:
            assert "next" in node and "options" not in node, node["id"]
        else:
            values = [option["value"] for option in node["options"]]
            assert len(set(values)) == len(values) >= 2, node["id"]
            assert all(option["label"] for option in node["options"])
        if answer_type == "rating":
            assert values == ["satisfied", "neutral", "dissatisfied", "poor"]
    else:
        assert "next" in node and "options" not in node, node["id"]
    if "outcome_field" in node:
        values = {option["value"] for option in node.get("options", [])}
        assert values <= OUTCOME_FIELDS[node["outcome_field"]], node["id"]
    if any(name.startswith("patient.") for name in variables_in(node["text"])):
        assert node.get("medical") is True, f"{node['id']} tells a patient's data"


def assert_sound_objection(objection: dict, nodes: dict) -> None:
    assert objection["label"] and objection["text"]
    assert variables_in(objection["text"]) <= VARIABLES
    action = objection["action"]
    assert action in {"end", "return", "jump"}
    if action == "end":
        assert objection["disposition"] in DISPOSITIONS
    if action == "jump":
        assert objection["target"] in nodes


def variables_in(text: str) -> set[str]:
    return set(re.findall(r"\{([^}]*)\}", text))


def reachable(start: str, targets: dict[str, list[str]]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node_id = todo.pop()
        if node_id not in seen:
            seen.add(node_id)
            todo.extend(targets[node_id])
    return seen


def assert_every_path_ends_in_a_closing(start: str, targets: dict, nodes: dict) -> None:
    """No loops, and the only dead ends are closings: so every path ends in one."""
    done: set[str] = set()

    def visit(node_id: str, path: tuple[str, ...]) -> None:
        assert node_id not in path, f"loop: {' → '.join((*path, node_id))}"
        if node_id in done:
            return
        if not targets[node_id]:
            assert nodes[node_id]["kind"] == "closing", f"{node_id} is a dead end"
        for target in targets[node_id]:
            visit(target, (*path, node_id))
        done.add(node_id)

    visit(start, ())
