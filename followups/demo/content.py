"""The demo's content: who works at the demo hospital, its departments, the names and
numbers its people get, the cases that are not about a hospital stay, the plans, and what
the history's calls sound like. Stored text stays Chinese whatever language runs."""

from __future__ import annotations

from dataclasses import dataclass

from followups.demo.data import load
from followups.models import CaseKind, Disposition, EscalationCategory, Gender, Satisfaction
from followups.roles import Role

# The lists (departments, names, cases, plans, what calls sound like) are data:
# demo/data/content.yaml.
_DATA = load("content")

DEMO_SEED = 20261125
# Published in the README and printed by seed_demo: demo logins only, never a real account.
DEMO_PASSWORD = "huifang-demo"  # noqa: S105
HOSPITAL_CODE = "demo"
HOSPITAL_NAME = "惠民市第一人民医院"
POLICY_NAME = "默认呼叫时段"
PATIENT_COUNT = 300
# How many of the patients have each trait: about 4 % no number at all (the seeds' first
# reason for a lost follow-up), 5 % sensitive, a few who refuse calls, two or three deaths.
PATIENTS_WITHOUT_PHONE = 12
SENSITIVE_PATIENTS = 15
DO_NOT_CALL_PATIENTS = 4
DECEASED_PATIENTS = 3
# A death is learned on a call, so the patient was discharged long enough ago to be called;
# and recently enough that the dashboard still shows one reported (it shows 30 days).
DECEASED_DISCHARGED_DAYS_AGO = (10, 24)
DISCHARGES_OVER_DAYS = 45
CALL_SECONDS = (120, 360)


# --- Who works here ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: Role
    # A department head's departments (codes of DEPARTMENTS).
    departments: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser("agent1", "王静", Role.AGENT),
    DemoUser("agent2", "刘洋", Role.AGENT),
    DemoUser("supervisor", "陈敏", Role.SUPERVISOR),
    DemoUser("admin", "张伟", Role.ADMIN),
    DemoUser("head1", "黄志明", Role.DEPARTMENT_HEAD, ("cardiology",)),
)


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    doctors: tuple[str, ...]
    nurses: tuple[str, ...]
    diagnoses: tuple[str, ...]
    # What a patient of this department reports when the symptom question raises a red flag.
    warning_sign: str
    women_only: bool = False


def _spec(cls, entry: dict, **enums):
    """A spec from an entry of the data: its lists as tuples, the fields named in `enums` as
    members of their enum."""
    values = {key: tuple(item) if isinstance(item, list) else item for key, item in entry.items()}
    return cls(**values | {field: enum(values[field]) for field, enum in enums.items()})


DEPARTMENTS = tuple(_spec(DepartmentSpec, entry) for entry in _DATA["departments"])


# --- Names and numbers ------------------------------------------------------------------------

SURNAMES = (*_DATA["surnames"]["single"], *_DATA["surnames"]["compound"])
GIVEN_NAMES = {
    Gender(gender): (*names["single"], *names["double"])
    for gender, names in _DATA["given_names"].items()
}
MOBILE_PREFIXES = tuple(_DATA["mobile_prefixes"])


# --- Calls that are not about a hospital stay -------------------------------------------------


@dataclass(frozen=True)
class CaseMix:
    kind: CaseKind
    count: int
    products: tuple[str, ...]
    anchor_days_ago: tuple[int, int]
    # Share of the cases whose intent class (A/B/C/D) is already known.
    with_intent: float


OTHER_CASES = tuple(_spec(CaseMix, entry, kind=CaseKind) for entry in _DATA["other_cases"])
WOMEN_ONLY_PRODUCTS = frozenset(_DATA["women_only_products"])


@dataclass(frozen=True)
class PlanSpec:
    name: str
    case_kind: CaseKind
    script_code: str
    offsets: tuple[int, ...]
    description: str
    deadline_days: int | None = None
    # Which new cases take the plan: each a department code and/or a case kind.
    rules: tuple[dict, ...] = ()
    # The last step repeats: {"every": N, "unit": "days" | "months"}.
    repeat: dict | None = None


PLANS = tuple(_spec(PlanSpec, entry, case_kind=CaseKind) for entry in _DATA["plans"])


# --- What the history's calls sound like ------------------------------------------------------

# Before anyone picks up: most calls are answered, the rest ring out, are busy, find the
# phone off or are refused at once (the seeds' reasons for a lost follow-up); of those
# refused, some ask never to be called again (the scripts' "别再打了").
PICK_UP_WEIGHTS = {
    "answered": 79,
    Disposition.NO_ANSWER: 11,
    Disposition.PHONE_OFF: 5,
    Disposition.BUSY: 2,
}
REFUSED_AT_ONCE_WEIGHT = 2
ASKS_FOR_NO_CALLS = 0.4
# The person is on the line but busy: they book a callback ("现在没空"), in a calling window
# up to CALLBACK_DAYS ahead.
BUSY_NOW = 0.05
CALLBACK_DAYS = 2
# A relative who answers says when the patient is in, about half the time.
FAMILY_SAYS_WHEN = 0.5
IDENTITY_WEIGHTS = {"yes": 90, "family": 6, "no": 4}
# Satisfaction in the seeds' hospitals runs well above 90 %.
OUTCOME_FIELD_WEIGHTS = {
    "satisfaction": {"satisfied": 84, "neutral": 12, "dissatisfied": 3, "poor": 1},
    "red_flag": {"no": 90, "yes": 10},
}
USUAL_ANSWER_WEIGHT = 80
NOTES = tuple(_DATA["notes"])
DISSATISFACTION = {
    CaseKind(kind): (EscalationCategory(said["category"]), tuple(said["remarks"]))
    for kind, said in _DATA["dissatisfaction"].items()
}
# Stored text stays Chinese whatever language the command runs in.
SATISFACTION_WORDS = {Satisfaction.DISSATISFIED: "不满意", Satisfaction.POOR: "差"}
RESOLUTIONS = tuple(_DATA["resolutions"])
URGENT_RESOLUTION = _DATA["urgent_resolution"]
