"""factory-boy factories for the domain: a little realistic data per test."""

import datetime as dt
import uuid

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from followups import models as m
from followups.services import report_days
from scripts.models import CallScript, ScriptVersion
from tests.clock import MONDAY

PASSWORD = "pass-for-tests"  # every user's


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"坐席{n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Hospital
        django_get_or_create = ["code"]

    name = "示例医院"
    code = "demo"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Department

    hospital = factory.SubFactory(HospitalFactory)
    name = factory.Sequence(lambda n: f"科室{n}")
    code = factory.Sequence(lambda n: f"dept{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Customer

    name = factory.Sequence(lambda n: f"张{n}")
    gender = m.Gender.MALE
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Patient

    customer = factory.SubFactory(CustomerFactory)
    department = factory.SubFactory(DepartmentFactory)
    hospital = factory.SelfAttribute("department.hospital")
    medical_record_number = factory.Sequence(lambda n: f"ZY{n:06d}")
    admitted_on = dt.date(2026, 11, 1)
    discharged_on = dt.date(2026, 11, 10)


class CallingPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CallingPolicy
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"policy {n}")

    @factory.post_generation
    def windows(self, create, extracted, **kwargs):
        if not create:
            return
        default = [(dt.time(10, 30), dt.time(11, 30)), (dt.time(15), dt.time(17, 30))]
        for start, end in default if extracted is None else extracted:
            m.CallingWindow.objects.create(policy=self, starts_at=start, ends_at=end)


class FollowUpPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.FollowUpPlan
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"plan {n}")
    calling_policy = factory.SubFactory(CallingPolicyFactory)

    @factory.post_generation
    def offsets(self, create, extracted, **kwargs):
        if not create:
            return
        for offset in [3, 7, 30] if extracted is None else extracted:
            m.PlanStep.objects.create(plan=self, offset_days=offset)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Case

    customer = factory.SubFactory(CustomerFactory)
    kind = m.CaseKind.DISCHARGE
    anchor_date = dt.date(2026, 11, 10)


class FollowUpTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.FollowUpTask

    case = factory.SubFactory(CaseFactory)
    due_date = dt.date(2026, 11, 13)


class CallListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CallList
        django_get_or_create = ["day"]

    day = dt.date(2026, 11, 13)


class QueueEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.QueueEntry

    call_list = factory.SubFactory(CallListFactory)
    task = factory.SubFactory(FollowUpTaskFactory)


class CallAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CallAttempt
        skip_postgeneration_save = True

    task = factory.SubFactory(FollowUpTaskFactory)
    agent = factory.SubFactory(UserFactory, role="agent")
    # As record_outcome copies them from the task's case.
    customer = factory.LazyAttribute(lambda o: o.task.case.customer)
    patient = factory.LazyAttribute(lambda o: o.task.case.patient)
    started_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(minutes=3))
    disposition = m.Disposition.COMPLETE
    idempotency_key = factory.LazyFunction(lambda: uuid.uuid4().hex)

    @factory.post_generation
    def day_figures(attempt, create, extracted, **kwargs):
        """Counted in the day figures the reports read, as record_outcome counts a call."""
        if create:
            report_days.count_calls([(attempt, [])])


def default_plan(offsets=(), *, windows=None, **fields) -> m.FollowUpPlan:
    """A plan on a new default calling policy (windows 10:30–11:30 and 15:00–17:30 unless
    `windows`, quiet hours before 08:00 and from 21:00, leases of 15 minutes); no steps
    unless `offsets`."""
    policy = CallingPolicyFactory(is_default=True, windows=windows)
    return FollowUpPlanFactory(calling_policy=policy, offsets=list(offsets), **fields)


def listed(
    plan,
    customer=None,
    *,
    day=MONDAY,
    patient=None,
    agent=None,
    priority=0,
    intent_class="",
    **task_fields,
) -> m.QueueEntry:
    """A new case of `customer` (a new person by default; `patient`'s with a patient) on
    `plan`, its follow-up due `day` (unless `due_date` says otherwise) and on that day's
    call list, assigned to `agent` (the team pool without one)."""
    task_fields.setdefault("due_date", day)
    task = due_follow_up(plan, customer, patient=patient, intent_class=intent_class, **task_fields)
    return on_list(task, day, priority=priority, assigned_agent=agent)


def due_follow_up(plan, customer=None, *, patient=None, intent_class="", **task_fields):
    """The follow-up of a new case of `customer` (a new person by default; `patient`'s with
    a patient) on `plan`, due Monday unless `due_date` says otherwise."""
    if patient is not None:
        customer = patient.customer
    case = CaseFactory(
        plan=plan,
        customer=customer or CustomerFactory(),
        patient=patient,
        intent_class=intent_class,
    )
    return FollowUpTaskFactory(
        case=case, due_date=task_fields.pop("due_date", MONDAY), **task_fields
    )


def on_list(task, day, **fields) -> m.QueueEntry:
    """`task` on the call list of `day`."""
    return QueueEntryFactory(call_list=CallListFactory(day=day), task=task, **fields)


def called(entry, disposition, *, agent, started_at, **task) -> None:
    """A call on the list entry by `agent` at `started_at` ended with `disposition`: the
    entry is done, its follow-up left as `task` says (its status, next try, callback …)."""
    CallAttemptFactory(
        task=entry.task,
        queue_entry=entry,
        agent=agent,
        disposition=disposition,
        started_at=started_at,
    )
    for name, value in task.items():
        setattr(entry.task, name, value)
    entry.task.save()
    entry.status = m.QueueEntryStatus.DONE
    entry.save()


def plan_with_script(name, code, *, case_kind="", offset=3, policy=None) -> m.FollowUpPlan:
    """A plan of one step, `offset` days on, calling with a new script (no version yet), on
    `policy` (the default calling policy unless said)."""
    policy = policy or CallingPolicyFactory(is_default=True)
    plan = FollowUpPlanFactory(calling_policy=policy, offsets=[offset])
    step = plan.steps.get()
    step.script = CallScript.objects.create(name=name, code=code, case_kind=case_kind)
    step.save()
    return plan


def published_version(script, graph, *, number=1, published_at=None) -> ScriptVersion:
    """A published version of `script`."""
    return ScriptVersion.objects.create(
        script=script, number=number, status="published", graph=graph, published_at=published_at
    )
