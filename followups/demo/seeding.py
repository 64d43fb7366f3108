"""Seeding the demo: a hospital, its staff and patients, plans, published scripts and weeks
of calls (demo/history.py), in one transaction.

The same on every fresh database (a fixed random seed), dated from the day it runs so the
demo always looks current, and added once: a second run finds the demo hospital and stops.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import phonenumbers
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils import timezone

from followups.demo.content import (
    DECEASED_DISCHARGED_DAYS_AGO,
    DECEASED_PATIENTS,
    DEMO_SEED,
    DEMO_USERS,
    DEPARTMENTS,
    DISCHARGES_OVER_DAYS,
    DO_NOT_CALL_PATIENTS,
    GIVEN_NAMES,
    HOSPITAL_CODE,
    HOSPITAL_NAME,
    MOBILE_PREFIXES,
    OTHER_CASES,
    PATIENT_COUNT,
    PATIENTS_WITHOUT_PHONE,
    PLANS,
    POLICY_NAME,
    SENSITIVE_PATIENTS,
    SURNAMES,
    WOMEN_ONLY_PRODUCTS,
    DemoUser,
)
from followups.demo.history import History, NewCase, make_history
from followups.demo.scripts import SCRIPTS
from followups.models import (
    CallingPolicy,
    CallingWindow,
    CaseKind,
    Customer,
    Department,
    FollowUpPlan,
    Gender,
    HolidayRule,
    Hospital,
    Patient,
    PlanRule,
    PlanStep,
    PreferredSlot,
)
from followups.roles import Role
from followups.services.policies import calling_rules
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus


@dataclass(frozen=True)
class DemoSeedResult:
    created: bool
    # Rows added per model on the run that seeded; rows present when the data was there.
    counts: dict[type[Model], int]
    users: tuple[DemoUser, ...]
    # Usernames that existed before the seed: kept as they were, password unchanged.
    kept_users: tuple[str, ...] = ()


def seed_demo(*, today: dt.date, password: str) -> DemoSeedResult:
    """Add the demo data dated from `today`, in one transaction, unless it is there already."""
    if Hospital.objects.filter(code=HOSPITAL_CODE).exists():
        return DemoSeedResult(created=False, counts=row_counts(), users=DEMO_USERS)
    before = row_counts()
    try:
        with transaction.atomic():
            kept_users = _seed(today=today, password=password, rng=random.Random(DEMO_SEED))
    except IntegrityError:
        # A run started at the same moment committed first: its hospital is the marker.
        if Hospital.objects.filter(code=HOSPITAL_CODE).exists():
            return DemoSeedResult(created=False, counts=row_counts(), users=DEMO_USERS)
        raise
    after = row_counts()
    added = {model: after[model] - before[model] for model in after}
    return DemoSeedResult(created=True, counts=added, users=DEMO_USERS, kept_users=kept_users)


def row_counts() -> dict[type[Model], int]:
    """Rows of users and of every model of the domain (the call scripts' too)."""
    models = [
        get_user_model(),
        *apps.get_app_config("followups").get_models(),
        *apps.get_app_config("scripts").get_models(),
    ]
    return {model: model.objects.count() for model in models}


def _seed(*, today: dt.date, password: str, rng: random.Random) -> tuple[str, ...]:
    # The marker first: a concurrent run blocks here and then finds it.
    hospital = Hospital.objects.create(name=HOSPITAL_NAME, code=HOSPITAL_CODE)
    users, kept_users = _users(password)
    departments = _departments(hospital)
    policy = _default_policy()
    _published_scripts(
        by=users["supervisor"],
        at=dt.datetime.combine(
            today - dt.timedelta(days=60), dt.time(9), tzinfo=timezone.get_default_timezone()
        ),
    )
    _plans(policy=policy, departments=departments)
    _heads(users, departments)
    registry = _Registry(rng)
    patients, deaths = _patients(
        rng, registry, today=today, hospital=hospital, departments=departments
    )
    # Each case takes the plan its rule chooses (services/plan_rules.py), as a case made on
    # a page, by the API or an import does: cardiology's discharges the monthly chronic plan.
    new_cases = [
        NewCase(customer=customer, fields=fields)
        for customer, fields in [*patients, *_other_customers(rng, registry, today=today)]
    ]
    # The cases are opened on their anchor days and called since through the services.
    make_history(
        History(
            rng=rng,
            today=today,
            cases=new_cases,
            agents=[users["agent1"], users["agent2"]],
            supervisor=users["supervisor"],
            rules=calling_rules(policy),
            deaths=deaths,
            first_day=today - dt.timedelta(days=DISCHARGES_OVER_DAYS + 1),
        )
    )
    return kept_users


def _users(password: str) -> tuple[dict[str, object], tuple[str, ...]]:
    User = get_user_model()  # noqa: N806
    # One hash for the four: hashing is deliberately slow, and the password is shared anyway.
    hashed = make_password(password)
    groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    if len(groups) < len(Role):
        # The roles and their permissions come from migration followups 0002 alone.
        raise ImproperlyConfigured(
            "The role groups agent, supervisor and admin are missing: run "
            "`python manage.py migrate` (a test that flushes the database removes them too)."
        )
    users, kept = {}, []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is not None:
            kept.append(spec.username)
        else:
            user = User.objects.create(
                username=spec.username,
                first_name=spec.name,
                password=hashed,
                is_staff=spec.role == Role.ADMIN,
            )
            user.groups.add(groups[spec.role])
        users[spec.username] = user
    return users, tuple(kept)


def _departments(hospital: Hospital) -> dict[str, Department]:
    departments = Department.objects.bulk_create(
        [Department(hospital=hospital, name=spec.name, code=spec.code) for spec in DEPARTMENTS]
    )
    return {department.code: department for department in departments}


def _default_policy() -> CallingPolicy:
    policy, created = CallingPolicy.objects.get_or_create(
        name=POLICY_NAME,
        defaults={
            "timezone": "Asia/Shanghai",
            "weekdays": "0123456",
            "holiday_rule": HolidayRule.SKIP_HOLIDAYS,
            "quiet_before": dt.time(8),
            "quiet_after": dt.time(21),
            # Only one policy may be the default; an admin's existing default stays so.
            "is_default": not CallingPolicy.objects.filter(is_default=True).exists(),
        },
    )
    if created:
        CallingWindow.objects.bulk_create(
            [
                CallingWindow(policy=policy, starts_at=dt.time(10, 30), ends_at=dt.time(11, 30)),
                CallingWindow(policy=policy, starts_at=dt.time(15), ends_at=dt.time(17, 30)),
            ]
        )
    return policy


def _published_scripts(*, by, at: dt.datetime) -> None:
    """Publish a version of each demo script that has none published."""
    for spec in SCRIPTS:
        script, _ = CallScript.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "case_kind": spec.case_kind,
                "description": spec.description,
            },
        )
        if script.published_version() is None:
            last = script.versions.aggregate(last=Max("number"))["last"] or 0
            ScriptVersion.objects.create(
                script=script,
                number=last + 1,
                status=ScriptVersionStatus.PUBLISHED,
                graph=spec.graph,
                change_note="演示数据：首个发布版本",
                created_by=by,
                published_at=at,
                published_by=by,
            )


def _plans(*, policy: CallingPolicy, departments: dict[str, Department]) -> list[FollowUpPlan]:
    """The demo plans with their steps and rules; a plan already there (an admin's of the
    same name) is left as it is."""
    scripts = {script.code: script for script in CallScript.objects.all()}
    plans = []
    for spec in PLANS:
        plan, created = FollowUpPlan.objects.get_or_create(
            name=spec.name, defaults={"calling_policy": policy, "description": spec.description}
        )
        if created:
            repeat = spec.repeat or {}
            PlanStep.objects.bulk_create(
                [
                    PlanStep(
                        plan=plan,
                        offset_days=offset,
                        script=scripts[spec.script_code],
                        deadline_days=spec.deadline_days,
                        # The last step of a chronic plan comes back until the case closes.
                        repeat_every=repeat.get("every") if offset == spec.offsets[-1] else None,
                        repeat_unit=repeat.get("unit", "") if offset == spec.offsets[-1] else "",
                    )
                    for offset in spec.offsets
                ]
            )
            PlanRule.objects.bulk_create(
                [
                    PlanRule(
                        plan=plan,
                        department=departments[rule["department"]]
                        if rule.get("department")
                        else None,
                        case_kind=rule.get("case_kind", ""),
                    )
                    for rule in spec.rules
                ]
            )
        plans.append(plan)
    return plans


def _heads(users: dict, departments: dict[str, Department]) -> None:
    """The department heads (科主任) head their departments."""
    for spec in DEMO_USERS:
        for code in spec.departments:
            departments[code].heads.add(users[spec.username])


# --- People -----------------------------------------------------------------------------------


class _Registry:
    """Draws names and numbers without repeating one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()

    def name(self, gender: Gender) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES[gender])
            if name not in self.names:
                self.names.add(name)
                return name

    def mobile(self) -> str:
        while True:
            number = f"+86{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if number not in self.phones and phonenumbers.is_valid_number(
                phonenumbers.parse(number)
            ):
                self.phones.add(number)
                return number


def _customer(rng: random.Random, registry: _Registry, gender: Gender, *, phone: bool) -> Customer:
    return Customer(
        name=registry.name(gender),
        gender=gender,
        phone=registry.mobile() if phone else "",
        # Some leave a relative's number as well.
        phone_secondary=registry.mobile() if phone and rng.random() < 0.1 else "",
        preferred_slot=rng.choices(
            [PreferredSlot.ANY, PreferredSlot.MORNING, PreferredSlot.AFTERNOON], [6, 2, 2]
        )[0],
        recording_consent=rng.random() < 0.85,
    )


def _patients(
    rng: random.Random,
    registry: _Registry,
    *,
    today: dt.date,
    hospital: Hospital,
    departments: dict[str, Department],
) -> tuple[list[tuple[Customer, dict]], dict[int, dt.date]]:
    """The patients with their discharge cases to open, and the day those who have died
    since died, by customer id: nobody knows yet, the calls learn it (demo/history.py)."""
    indexes = range(PATIENT_COUNT)
    without_phone = set(rng.sample(indexes, PATIENTS_WITHOUT_PHONE))
    sensitive = set(rng.sample(indexes, SENSITIVE_PATIENTS))
    with_phone = [i for i in indexes if i not in without_phone]
    do_not_call = set(rng.sample(with_phone, DO_NOT_CALL_PATIENTS))
    deceased = set(rng.sample([i for i in with_phone if i not in do_not_call], DECEASED_PATIENTS))
    serials = rng.sample(range(10_000, 100_000), PATIENT_COUNT)
    customers, patients, died = [], [], []
    for i in indexes:
        spec = rng.choice(DEPARTMENTS)
        gender = Gender.FEMALE if spec.women_only else rng.choice([Gender.MALE, Gender.FEMALE])
        customer = _customer(rng, registry, gender, phone=i not in without_phone)
        if i in do_not_call:
            customer.do_not_call = True
            customer.do_not_call_reason = "本人来电要求不再接受回访"
        days_ago = DECEASED_DISCHARGED_DAYS_AGO if i in deceased else (0, DISCHARGES_OVER_DAYS - 1)
        discharged = today - dt.timedelta(days=rng.randint(*days_ago))
        admitted = discharged - dt.timedelta(days=rng.randint(2, 15))
        patients.append(
            Patient(
                customer=customer,
                hospital=hospital,
                medical_record_number=f"ZY{admitted.year}{serials[i]}",
                department=departments[spec.code],
                attending_doctor=rng.choice(spec.doctors),
                responsible_nurse=rng.choice(spec.nurses),
                diagnosis=rng.choice(spec.diagnoses),
                admitted_on=admitted,
                discharged_on=discharged,
                sensitive=i in sensitive,
            )
        )
        customers.append(customer)
        if i in deceased:
            died.append((customer, discharged + dt.timedelta(days=rng.randint(1, 2))))
    Customer.objects.bulk_create(customers)
    Patient.objects.bulk_create(patients)
    cases = [
        (
            patient.customer,
            {"patient": patient, "kind": CaseKind.DISCHARGE, "anchor_date": patient.discharged_on},
        )
        for patient in patients
    ]
    return cases, {customer.pk: day for customer, day in died}


def _other_customers(
    rng: random.Random, registry: _Registry, *, today: dt.date
) -> list[tuple[Customer, dict]]:
    rows = []
    for mix in OTHER_CASES:
        for _ in range(mix.count):
            product = rng.choice(mix.products)
            gender = (
                Gender.FEMALE
                if product in WOMEN_ONLY_PRODUCTS
                else rng.choice([Gender.MALE, Gender.FEMALE])
            )
            fields = {
                "kind": mix.kind,
                "product": product,
                "anchor_date": today - dt.timedelta(days=rng.randint(*mix.anchor_days_ago)),
                "intent_class": rng.choice("ABCD") if rng.random() < mix.with_intent else "",
            }
            rows.append((_customer(rng, registry, gender, phone=True), fields))
    Customer.objects.bulk_create([customer for customer, _ in rows])
    return rows
