"""Every URL of the project, as anonymous, agent, supervisor and admin: the status each
role gets is the one in the table below.

The URLs are read from the URLconf, so a new page or endpoint makes this test fail until
its row is added to EXPECTED (and its path parameters to PARAMS); `ROLE_MATRIX_PRINT=1
pytest -s tests/security/test_role_matrix.py` prints the rows as found, to review and paste.
Django admin pages are checked by one rule: only staff get past its login.
"""

import datetime as dt
import os
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from followups.demo import DISCHARGE_GRAPH
from followups.models import Escalation, ImportJob, Team
from scripts.models import CallScript, ScriptVersion
from tests.factories import (
    CallAttemptFactory,
    CaseFactory,
    CustomerFactory,
    DepartmentFactory,
    FollowUpTaskFactory,
    PatientFactory,
    UserFactory,
    default_plan,
    on_list,
)

ROLES = ("anonymous", "agent", "supervisor", "admin")
# Status codes: 200 ok, 302 to the login page (anonymous on a page) or elsewhere,
# 403 refused, 404 not found in this role's view of the data, 405 wrong method (a POST-only
# URL that the role may use).
LOGIN = 302


def row(anonymous, agent, supervisor, admin):
    return dict(zip(ROLES, (anonymous, agent, supervisor, admin), strict=True))


# The department head (科主任) of the world's department, by URL: their department's calls,
# escalations and reports, and the API's description (200); every write and every other
# page or endpoint refused (403). ROLE_MATRIX_PRINT=1 prints their statuses too.
HEAD = "department_head"
DEPARTMENT_HEAD = {
    # What they may open or are sent on to
    "api-ping": 200,
    "api-root": 200,
    "favicon": 302,
    "home": 302,
    "login": 302,
    "logout": 405,
    "schema": 200,
    "set_language": 302,
    "supervisor:call_detail": 200,
    "supervisor:calls": 200,
    "supervisor:escalation_detail": 200,
    "supervisor:escalations": 200,
    "supervisor:report": 200,
    "swagger-ui": 200,
    # Everything else: refused
    **dict.fromkeys(
        [
            "agent:call",
            "agent:callback_check",
            "agent:callbacks",
            "agent:home",
            "agent:next",
            "agent:outcome",
            "agent:put_back",
            "agent:renew",
            "agent:reveal",
            "agent:script",
            "agent:take",
            "api-outcomes",
            "api-queue-next",
            "api-queue-renew",
            "api-queue-reveal-phone",
            "call-list-detail",
            "call-list-detail",
            "call-list-entries",
            "call-list-entries",
            "call-list-list",
            "call-list-list",
            "case-detail",
            "case-detail",
            "case-list",
            "case-list",
            "config:audit",
            "config:duty",
            "config:holidays",
            "config:home",
            "config:import_job",
            "config:import_job_confirm",
            "config:import_job_progress",
            "config:import_template",
            "config:imports",
            "config:plan",
            "config:plan_new",
            "config:policy",
            "config:policy_new",
            "config:policy_preview",
            "config:schedule",
            "config:team",
            "config:team_new",
            "config:teams",
            "config:user",
            "config:user_new",
            "config:users",
            "customer-detail",
            "customer-detail",
            "customer-list",
            "customer-list",
            "department-detail",
            "department-detail",
            "department-list",
            "department-list",
            "escalation-detail",
            "escalation-detail",
            "escalation-list",
            "escalation-list",
            "import-job-detail",
            "no_role",
            "patient-detail",
            "patient-detail",
            "patient-import",
            "patient-list",
            "patient-list",
            "people:case",
            "people:case_close",
            "people:case_intent",
            "people:case_new",
            "people:contact",
            "people:deceased",
            "people:detail",
            "people:new",
            "people:search",
            "people:stay",
            "report-summary",
            "script-detail",
            "script-detail",
            "script-list",
            "script-list",
            "script-publish",
            "scripts:compare",
            "scripts:create",
            "scripts:edit",
            "scripts:export",
            "scripts:import",
            "scripts:list",
            "scripts:new_draft",
            "scripts:node_add",
            "scripts:node_connect",
            "scripts:node_move",
            "scripts:node_remove",
            "scripts:node_start",
            "scripts:node_update",
            "scripts:objection_add",
            "scripts:objection_remove",
            "scripts:objection_update",
            "scripts:option_add",
            "scripts:option_connect",
            "scripts:option_remove",
            "scripts:option_update",
            "scripts:graph",
            "scripts:preview",
            "scripts:publish",
            "scripts:read",
            "scripts:retire",
            "scripts:version",
            "supervisor:escalation_step",
            "supervisor:export",
            "supervisor:home",
            "supervisor:queue",
            "supervisor:review_call",
            "supervisor:send_case_back",
            "supervisor:urgent_alerts",
            "task-detail",
            "task-detail",
            "task-list",
            "task-list",
        ],
        403,
    ),
}


EXPECTED = {
    # Accounts, language and home
    "home": row(LOGIN, 302, 302, 302),
    "login": row(200, 302, 302, 302),
    "logout": row(405, 405, 405, 405),
    "no_role": row(LOGIN, 403, 403, 403),
    "set_language": row(302, 302, 302, 302),
    "favicon": row(302, 302, 302, 302),
    # Agent pages
    "agent:home": row(LOGIN, 200, 403, 200),
    # the call screen is only for the agent holding the call (this entry is not claimed)
    "agent:call": row(LOGIN, 403, 403, 403),
    "agent:callbacks": row(LOGIN, 200, 403, 200),
    "agent:callback_check": row(403, 405, 403, 405),
    "agent:next": row(403, 405, 403, 405),
    "agent:outcome": row(403, 405, 403, 405),
    "agent:put_back": row(LOGIN, 405, 403, 405),
    "agent:renew": row(403, 405, 403, 405),
    "agent:reveal": row(403, 405, 403, 405),
    "agent:script": row(403, 405, 403, 405),
    "agent:take": row(LOGIN, 405, 403, 405),
    # Supervisor pages
    "supervisor:call_detail": row(LOGIN, 403, 200, 200),
    "supervisor:calls": row(LOGIN, 403, 200, 200),
    "supervisor:escalation_detail": row(LOGIN, 403, 200, 200),
    "supervisor:escalation_step": row(LOGIN, 403, 405, 405),
    "supervisor:escalations": row(LOGIN, 403, 200, 200),
    "supervisor:export": row(LOGIN, 403, 200, 200),
    "supervisor:home": row(LOGIN, 403, 200, 200),
    "supervisor:queue": row(LOGIN, 403, 200, 200),
    "supervisor:report": row(LOGIN, 403, 200, 200),
    "supervisor:review_call": row(LOGIN, 403, 405, 405),
    "supervisor:send_case_back": row(LOGIN, 403, 405, 405),
    "supervisor:urgent_alerts": row(LOGIN, 403, 200, 200),
    # Script editor (Part 3)
    "scripts:compare": row(LOGIN, 403, 302, 302),
    "scripts:create": row(LOGIN, 403, 200, 200),
    "scripts:edit": row(LOGIN, 403, 200, 200),
    "scripts:export": row(LOGIN, 403, 200, 200),
    "scripts:import": row(LOGIN, 403, 200, 200),
    "scripts:list": row(LOGIN, 200, 200, 200),
    "scripts:new_draft": row(LOGIN, 403, 405, 405),
    "scripts:node_add": row(LOGIN, 403, 405, 405),
    "scripts:node_connect": row(LOGIN, 403, 405, 405),
    "scripts:node_move": row(LOGIN, 403, 405, 405),
    "scripts:node_remove": row(LOGIN, 403, 405, 405),
    "scripts:node_start": row(LOGIN, 403, 405, 405),
    "scripts:node_update": row(LOGIN, 403, 405, 405),
    "scripts:objection_add": row(LOGIN, 403, 405, 405),
    "scripts:objection_remove": row(LOGIN, 403, 405, 405),
    "scripts:objection_update": row(LOGIN, 403, 405, 405),
    "scripts:option_add": row(LOGIN, 403, 405, 405),
    "scripts:option_connect": row(LOGIN, 403, 405, 405),
    "scripts:option_remove": row(LOGIN, 403, 405, 405),
    "scripts:option_update": row(LOGIN, 403, 405, 405),
    "scripts:preview": row(LOGIN, 403, 200, 200),
    "scripts:graph": row(LOGIN, 403, 200, 200),
    "scripts:publish": row(LOGIN, 403, 405, 405),
    "scripts:read": row(LOGIN, 404, 404, 404),
    "scripts:retire": row(LOGIN, 403, 405, 405),
    "scripts:version": row(LOGIN, 403, 302, 302),
    # Configuration pages (Part 6)
    "config:duty": row(LOGIN, 403, 403, 200),
    "config:holidays": row(LOGIN, 403, 403, 200),
    "config:home": row(LOGIN, 403, 403, 200),
    "config:import_job": row(LOGIN, 403, 403, 200),
    "config:import_job_confirm": row(LOGIN, 403, 403, 405),
    "config:import_job_progress": row(LOGIN, 403, 403, 200),
    "config:imports": row(LOGIN, 403, 403, 200),
    "config:import_template": row(LOGIN, 403, 403, 200),
    "config:plan": row(LOGIN, 403, 403, 200),
    "config:plan_new": row(LOGIN, 403, 403, 200),
    "config:policy": row(LOGIN, 403, 403, 200),
    "config:policy_new": row(LOGIN, 403, 403, 200),
    "config:policy_preview": row(LOGIN, 403, 403, 200),
    "config:schedule": row(LOGIN, 403, 403, 200),
    "config:team": row(LOGIN, 403, 403, 200),
    "config:team_new": row(LOGIN, 403, 403, 200),
    "config:teams": row(LOGIN, 403, 403, 200),
    "config:user": row(LOGIN, 403, 403, 200),
    "config:user_new": row(LOGIN, 403, 403, 200),
    "config:users": row(LOGIN, 403, 403, 200),
    "config:audit": row(LOGIN, 403, 403, 200),
    # People: the search, a person's page and the edits (Wave 2 — 5 of 7); the agent of
    # the world has the person on their list, so finds them
    "people:search": row(LOGIN, 200, 200, 200),
    "people:detail": row(LOGIN, 200, 200, 200),
    "people:new": row(LOGIN, 403, 200, 200),
    "people:contact": row(LOGIN, 403, 200, 200),
    "people:stay": row(LOGIN, 403, 200, 200),
    "people:deceased": row(LOGIN, 403, 405, 405),
    "people:case_new": row(LOGIN, 403, 200, 200),
    "people:case": row(LOGIN, 403, 200, 200),
    "people:case_intent": row(LOGIN, 403, 405, 405),
    "people:case_close": row(LOGIN, 403, 405, 405),
    # API: calls (Part 4)
    "api-outcomes": row(403, 405, 403, 405),
    "api-ping": row(403, 200, 200, 200),
    "api-root": row(403, 200, 200, 200),
    "api-queue-next": row(403, 405, 403, 405),
    "api-queue-renew": row(403, 405, 403, 405),
    "api-queue-reveal-phone": row(403, 405, 403, 405),
    # API: resources, schema and docs (Part 6)
    "call-list-detail": row(403, 403, 200, 200),
    "call-list-entries": row(403, 403, 200, 200),
    "call-list-list": row(403, 403, 200, 200),
    "case-detail": row(403, 200, 200, 200),
    "case-list": row(403, 200, 200, 200),
    "customer-detail": row(403, 200, 200, 200),
    "customer-list": row(403, 200, 200, 200),
    "department-detail": row(403, 200, 200, 200),
    "department-list": row(403, 200, 200, 200),
    "escalation-detail": row(403, 403, 200, 200),
    "escalation-list": row(403, 403, 200, 200),
    "patient-detail": row(403, 200, 200, 200),
    "import-job-detail": row(403, 403, 403, 200),
    "patient-import": row(403, 403, 403, 405),
    "patient-list": row(403, 200, 200, 200),
    "report-summary": row(403, 403, 400, 400),
    "schema": row(403, 200, 200, 200),
    "script-detail": row(403, 200, 200, 200),
    "script-list": row(403, 200, 200, 200),
    "script-publish": row(403, 403, 405, 405),
    "swagger-ui": row(403, 200, 200, 200),
    "task-detail": row(403, 200, 200, 200),
    "task-list": row(403, 200, 200, 200),
}


@pytest.fixture
def department_head(db):
    return UserFactory(username="head-a", role=HEAD)


@pytest.fixture
def world(agent, supervisor, admin_user, department_head):
    plan = default_plan([3])
    policy = plan.calling_policy
    department = DepartmentFactory()
    department.heads.add(department_head)
    patient = PatientFactory(department=department, customer=CustomerFactory())
    case = CaseFactory(customer=patient.customer, patient=patient, plan=plan, agent=agent)
    task = FollowUpTaskFactory(case=case, agent=agent)
    entry = on_list(task, dt.date.today(), assigned_agent=agent)
    attempt = CallAttemptFactory(task=task, agent=agent)
    escalation = Escalation.objects.create(
        case=case,
        attempt=attempt,
        category="medical",
        description="切口红肿",
        due_at=timezone.now() + dt.timedelta(hours=2),
    )
    script = CallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    version = ScriptVersion.objects.create(script=script, number=1, graph=DISCHARGE_GRAPH)
    team = Team.objects.create(name="回访一组")
    import_job = ImportJob.objects.create(
        hospital=department.hospital, file_name="出院名单.csv", created_by=supervisor
    )
    return {
        "policy": policy,
        "plan": plan,
        "department": department,
        "patient": patient,
        "case": case,
        "task": task,
        "entry": entry,
        "call_list": entry.call_list,
        "attempt": attempt,
        "escalation": escalation,
        "script": script,
        "version": version,
        "team": team,
        "user": agent,
        "import_job": import_job,
    }


class Value(str):
    """A path parameter given as is (not read from a fixture object)."""


# Which fixture object each URL's parameters come from (by URL name, then parameter).
PARAMS = {
    "department-detail": {"pk": "department"},
    "customer-detail": {"pk": ("patient", "customer_id")},
    "patient-detail": {"pk": "patient"},
    "case-detail": {"pk": "case"},
    "task-detail": {"pk": "task"},
    "call-list-detail": {"pk": "call_list"},
    "call-list-entries": {"pk": "call_list"},
    "escalation-detail": {"pk": "escalation"},
    "script-detail": {"pk": "script"},
    "script-publish": {"pk": "version"},
    "config:plan": {"pk": "plan"},
    "config:policy": {"pk": "policy"},
    "config:policy_preview": {"pk": "policy"},
    "config:holidays": {"pk": "policy"},
    "config:team": {"pk": "team"},
    "config:user": {"pk": "user"},
    "config:import_job": {"pk": "import_job"},
    "config:import_job_progress": {"pk": "import_job"},
    "config:import_job_confirm": {"pk": "import_job"},
    "config:import_template": {"fmt": Value("xlsx")},
    "import-job-detail": {"pk": "import_job"},
    "api-queue-renew": {"pk": "entry"},
    **{
        f"people:{name}": {"pk": ("patient", "customer_id"), "case_pk": "case"}
        for name in ["detail", "contact", "stay", "deceased", "case_new", "case"]
        + ["case_intent", "case_close"]
    },
    **{
        f"agent:{name}": {"pk": "entry"}
        for name in ["call", "reveal", "renew", "script", "callback_check", "outcome"]
        + ["put_back", "take"]
    },
    "api-queue-reveal-phone": {"pk": "entry"},
    "scripts:read": {"code": ("script", "code")},
    "scripts:new_draft": {"code": ("script", "code")},
    "scripts:compare": {"code": ("script", "code")},
    "supervisor:call_detail": {"pk": "attempt"},
    "supervisor:review_call": {"pk": "attempt"},
    "supervisor:send_case_back": {"pk": "case"},
    "supervisor:escalation_detail": {"pk": "escalation"},
    "supervisor:escalation_step": {"pk": "escalation", "step": Value("acknowledge")},
    "supervisor:report": {"name": Value("reach")},
    "supervisor:export": {"name": Value("calls"), "table": Value("calls"), "fmt": Value("csv")},
}
# The script editor's URLs all name a version, and some a node, option or objection of it.
for _name in [
    "version",
    "preview",
    "graph",
    "export",
    "publish",
    "retire",
    "edit",
    "node_add",
    "node_update",
    "node_remove",
    "node_move",
    "node_start",
    "node_connect",
    "option_add",
    "option_update",
    "option_connect",
    "option_remove",
    "objection_add",
    "objection_update",
    "objection_remove",
]:
    PARAMS[f"scripts:{_name}"] = {
        "pk": "version",
        "node_id": Value("greet"),
        "position": Value("0"),
        "objection_id": Value("busy"),
    }


def url_patterns(patterns=None, prefix="", namespace=None):
    """(name, route regex) of every URL pattern, namespaces included."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + _regex(pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield name, prefix + _regex(pattern)


def _regex(pattern) -> str:
    return pattern.pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")


def concrete_url(name: str, regex: str, world: dict) -> str:
    def fill(match: re.Match) -> str:
        parameter = match.group(1)
        if parameter == "format":
            return "json"
        source = PARAMS.get(name, {}).get(parameter)
        if source is None:
            pytest.fail(
                f"URL {name!r} ({regex}) has the parameter {parameter!r}: say in PARAMS of "
                f"{__file__} which fixture object fills it."
            )
        if isinstance(source, Value):
            return str(source)
        key, attribute = source if isinstance(source, tuple) else (source, "pk")
        return str(getattr(world[key], attribute))

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", fill, regex)
    path = path.replace("\\.", ".").replace("/?", "/").replace("\\", "")
    return "/" + path


def project_urls():
    return [(name, regex) for name, regex in url_patterns() if not name.startswith("admin:")]


@pytest.mark.django_db
def test_every_url_of_the_project_has_a_row_in_the_table():
    missing = sorted({name for name, _ in project_urls()} - set(EXPECTED))
    assert not missing, (
        f"New URLs without an expected status per role: {missing}. Add a row for each to "
        f"EXPECTED in {__file__} (anonymous, agent, supervisor, admin)."
    )
    missing = sorted({name for name, _ in project_urls()} - set(DEPARTMENT_HEAD))
    assert not missing, (
        f"New URLs without the department head's expected status: {missing}. Add each to "
        f"DEPARTMENT_HEAD in {__file__}."
    )
    gone = sorted(set(EXPECTED) - {name for name, _ in project_urls()})
    assert not gone, f"Rows in EXPECTED for URLs that no longer exist: {gone}"


@pytest.mark.django_db
def test_each_role_gets_the_expected_status_on_every_url(
    client, world, agent, supervisor, admin_user, department_head
):
    users = {
        "agent": agent,
        "supervisor": supervisor,
        "admin": admin_user,
        HEAD: department_head,
    }
    found, wrong = {}, []
    for name, regex in project_urls():
        if name not in EXPECTED and not os.environ.get("ROLE_MATRIX_PRINT"):
            continue  # the test above names it
        url = concrete_url(name, regex, world)
        for role in (*ROLES, HEAD):
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            status = client.get(url).status_code
            found.setdefault(name, {})[role] = status
            expected = (
                DEPARTMENT_HEAD.get(name) if role == HEAD else EXPECTED.get(name, {}).get(role)
            )
            if status != expected:
                wrong.append(f"{role:10} GET {url}: {status}, expected {expected}")
    if os.environ.get("ROLE_MATRIX_PRINT"):
        for name, statuses in sorted(found.items()):
            line = f'    "{name}": row({", ".join(str(statuses[r]) for r in ROLES)}),'
            print(line)  # noqa: T201 (a helper for whoever adds rows)
        for name, statuses in sorted(found.items()):
            print(f'    "{name}": {statuses[HEAD]},')  # noqa: T201
    assert not wrong, "Unexpected statuses:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_only_staff_get_past_the_django_admin_login(
    client, world, agent, supervisor, admin_user, department_head
):
    for role, user in [
        ("anonymous", None),
        ("agent", agent),
        ("supervisor", supervisor),
        (HEAD, department_head),
    ]:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get("/admin/followups/patient/")
        assert response.status_code == 302, role
        assert response.url.startswith("/admin/login/"), role
    client.force_login(admin_user)
    assert client.get("/admin/followups/patient/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/supervisor/reports/discharge-follow-up/",
        "/supervisor/export/discharge-follow-up/by_month.csv",
        "/supervisor/export/discharge-follow-up/by_department.xlsx",
    ],
)
def test_the_discharge_follow_up_indicator_is_for_supervisors_and_admins(
    client, agent, supervisor, admin_user, path
):
    expected = row(LOGIN, 403, 200, 200)
    users = {"agent": agent, "supervisor": supervisor, "admin": admin_user}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        assert client.get(path).status_code == expected[role], (role, path)
