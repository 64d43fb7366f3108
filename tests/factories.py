"""factory-boy factories for the domain: a little realistic data per test."""

import datetime as dt
import uuid

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from followups import models as m


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"坐席{n}")
    password = factory.django.Password("pass-for-tests")

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

    task = factory.SubFactory(FollowUpTaskFactory)
    agent = factory.SubFactory(UserFactory, role="agent")
    started_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(minutes=3))
    disposition = m.Disposition.COMPLETE
    idempotency_key = factory.LazyFunction(lambda: uuid.uuid4().hex)
