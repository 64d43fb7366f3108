"""The stored due days (models/report_days.DueDay, issue 18) say what the tasks say: after
any sequence of calls and changes to tasks, cases and patients, every row left standing
equals a recount of its day, and the follow-up rate read from them equals the same report
counted from the tasks; the triggers of migration 0026 drop exactly the days a change
touches; narrowed reports and periods mostly without rows count the tasks; the stored
path's query count does not grow with the days; the morning build stores the past
days."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followups.models import (
    Case,
    CaseKind,
    Customer,
    Disposition,
    DueDay,
    FollowUpTask,
    Patient,
    TaskStatus,
)
from followups.reports.aapor import aapor_report
from followups.reports.due_days import DayCounts, counted_days, due_tasks, split_period, unpacked
from followups.reports.funnel import reach_funnel
from followups.reports.reach import follow_up_rate
from followups.reports.scope import ReportScope
from followups.services.due_days import KEPT, count_past_days
from tests.clock import MONDAY, SHANGHAI, on
from tests.factories import CaseFactory, CustomerFactory, FollowUpTaskFactory, PatientFactory
from tests.reports.factories import agent, call, department

pytestmark = pytest.mark.django_db

TODAY = MONDAY
# Past due days, stored by the morning build.
DAYS = [TODAY - dt.timedelta(days=n) for n in (20, 21, 23)]
RECENT = TODAY - dt.timedelta(days=3)
KINDS = [CaseKind.DISCHARGE, CaseKind.MISSED_APPOINTMENT]
# Stored rows, and today counted live.
SCOPE = ReportScope(start=TODAY - dt.timedelta(days=60), end=TODAY)
PEOPLE = 4


@pytest.fixture(autouse=True)
def on_postgresql(postgres):
    """The triggers, and so the stored days, are PostgreSQL's alone."""


@pytest.fixture
def staff():
    return {
        "agents": [agent("due-a1"), agent("due-a2")],
        "departments": [department("心内科"), department("骨科")],
    }


def report_figures(scope: ReportScope) -> dict:
    """The follow-up rate (its tables and people), the reach funnel and the AAPOR report:
    the reports that read the due days."""
    report = follow_up_rate(scope=scope)
    return {
        "tables": [(table.key, table.rows) for table in report.tables],
        "people": (report.people_due, report.people_called, report.people_reached),
        "tasks": (report.due, report.called, report.reached, report.window_missed),
        "funnel": reach_funnel(scope=scope),
        "aapor": aapor_report(scope=scope),
    }


def comparable(counts: DayCounts) -> tuple:
    return (
        sorted(counts.agents.items(), key=repr),
        sorted(counts.departments.items(), key=repr),
        sorted(counts.outcomes.items(), key=repr),
        sorted(counts.people_due),
        sorted(counts.people_called),
        sorted(counts.people_reached),
    )


def assert_rows_equal_a_recount() -> None:
    """Every stored day equals its day counted from the tasks now."""
    rows = {row["day"]: DayCounts.of(row) for row in DueDay.objects.values()}
    everything = ReportScope(start=min(rows), end=max(rows))
    recount = counted_days(due_tasks(everything), sorted(rows))
    for day, counts in rows.items():
        assert comparable(counts) == comparable(recount[day]), day


def read_from_stored_days(scope: ReportScope) -> bool:
    return split_period(scope) is not None


def assert_stored_report_equals_the_tasks(scope: ReportScope) -> None:
    assert read_from_stored_days(scope)  # the stored path is taken
    stored = report_figures(scope)
    DueDay.objects.all().delete()
    assert not read_from_stored_days(scope)
    assert report_figures(scope) == stored


# --- the property -------------------------------------------------------------------------

task_index = st.integers(0, 30)  # modulo the tasks there are
person = st.integers(0, PEOPLE - 1)
a_day = st.sampled_from([*DAYS, RECENT])
one_change = st.one_of(
    st.tuples(st.just("call"), task_index, st.integers(0, 1), st.booleans()),
    st.tuples(st.just("cancel"), task_index),
    st.tuples(st.just("window missed"), task_index),
    st.tuples(st.just("move"), task_index, a_day),
    st.tuples(st.just("department"), person),
    st.tuples(st.just("died"), person),
    st.tuples(st.just("phone"), person),
    st.tuples(st.just("customer"), task_index, st.integers(1, PEOPLE - 1)),
    st.tuples(st.just("kind"), task_index),
    st.tuples(st.just("new"), person, st.integers(0, 1), a_day),
    st.tuples(st.just("delete"), task_index),
)
# Each change, and whether the past days are counted again after it (the morning build).
changes_and_counts = st.lists(st.tuples(one_change, st.booleans()), max_size=10)
# (person, case kind, due day, status) of each task at the start.
one_task = st.tuples(
    person,
    st.integers(0, 1),
    st.sampled_from(DAYS),
    st.sampled_from([TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.WINDOW_MISSED]),
)


class World:
    """People (the last one without a patient record: no department), a case per person
    and kind, tasks on them. Each change changes something (another department, kind,
    person …)."""

    def __init__(self, staff: dict):
        self.staff = staff
        departments = staff["departments"]
        self.people = [CustomerFactory() for _ in range(PEOPLE)]
        self.patients = [
            PatientFactory(customer=person, department=departments[n % 2])
            for n, person in enumerate(self.people[:-1])
        ] + [None]
        self.cases: dict[tuple[int, int], Case] = {}
        self.tasks: list[int] = []

    def add(self, person: int, kind: int, day: dt.date, status=TaskStatus.PENDING) -> None:
        if (person, kind) not in self.cases:
            self.cases[person, kind] = CaseFactory(
                customer=self.people[person], patient=self.patients[person], kind=KINDS[kind]
            )
        task = FollowUpTaskFactory(case=self.cases[person, kind], due_date=day, status=status)
        self.tasks.append(task.pk)

    def change(self, what: str, *args) -> None:
        if what in ("department", "died", "phone"):
            self.change_person(what, args[0])
        elif what == "new":
            self.add(*args)
        elif self.tasks:
            pk = self.tasks[args[0] % len(self.tasks)]
            task = FollowUpTask.objects.select_related("case__customer").get(pk=pk)
            self.change_task(task, what, *args[1:])

    def change_person(self, what: str, person: int) -> None:
        customer = Customer.objects.get(pk=self.people[person].pk)
        if what == "phone":
            customer.phone = "" if customer.phone else f"+86137{customer.pk:08d}"
            customer.save()
            return
        if self.patients[person] is None:
            return
        patient = Patient.objects.get(pk=self.patients[person].pk)
        if what == "department":
            first, second = self.staff["departments"]
            patient.department = second if patient.department_id == first.pk else first
        else:
            patient.died_on = None if patient.died_on else RECENT
        patient.save()

    def change_task(self, task: FollowUpTask, what: str, *args) -> None:
        tasks, case = FollowUpTask.objects.filter(pk=task.pk), task.case
        if what == "call":
            by, reached = args
            disposition = Disposition.COMPLETE if reached else Disposition.NO_ANSWER
            started = on(task.due_date, 10, 40 + task.attempts)
            call(task, by=self.staff["agents"][by], disposition=disposition, started=started)
        elif what == "cancel":
            tasks.update(status=TaskStatus.CANCELLED)
        elif what == "window missed":
            tasks.update(status=TaskStatus.WINDOW_MISSED)
        elif what == "move":
            task.due_date = args[0]
            task.save()
        elif what == "customer":
            now = [person.pk for person in self.people].index(case.customer_id)
            to = self.people[(now + args[0]) % PEOPLE]
            Case.objects.filter(pk=case.pk).update(customer=to)
        elif what == "kind":
            case.kind = KINDS[1 - KINDS.index(case.kind)]
            case.save()
        elif what == "delete" and not task.attempts:  # a called task's calls protect it
            tasks.delete()
            self.tasks.remove(task.pk)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tasks=st.lists(one_task, min_size=1, max_size=8), changes=changes_and_counts)
def test_stored_days_equal_a_recount_after_any_sequence_of_changes(staff, tasks, changes):
    with transaction.atomic():
        world = World(staff)
        for person, kind, day, status in tasks:
            world.add(person, kind, day, status)
        count_past_days(today=TODAY)
        assert DueDay.objects.filter(day__in=DAYS).count() == len(DAYS)
        for change, count_after in changes:
            world.change(*change)
            if count_after:
                count_past_days(today=TODAY)

        assert_rows_equal_a_recount()
        assert_stored_report_equals_the_tasks(SCOPE)
        transaction.set_rollback(True)  # the next example starts from nothing


# --- the triggers, one change at a time ---------------------------------------------------

D0, D1, D2 = DAYS


@pytest.fixture
def filled(staff):
    """A person of the first department with tasks due D0 and D1 on one case; another with
    one due D2; every past day counted."""
    first, second = staff["departments"]
    patient = PatientFactory(department=first)
    case = CaseFactory(customer=patient.customer, patient=patient, kind=CaseKind.DISCHARGE)
    on_d0 = FollowUpTaskFactory(case=case, due_date=D0)
    on_d1 = FollowUpTaskFactory(case=case, due_date=D1)
    other = PatientFactory(department=second)
    other_case = CaseFactory(customer=other.customer, patient=other)
    on_d2 = FollowUpTaskFactory(case=other_case, due_date=D2)
    assert count_past_days(today=TODAY) == KEPT.days
    return {"case": case, "patient": patient, "d0": on_d0, "d1": on_d1, "d2": on_d2}


def standing() -> set[dt.date]:
    return set(DueDay.objects.filter(day__in=DAYS).values_list("day", flat=True))


def test_inserting_a_task_drops_its_day(filled):
    FollowUpTaskFactory(case=filled["case"], due_date=D0, occurrence=2)
    assert standing() == {D1, D2}


def test_updating_a_field_of_a_task_drops_its_day(filled):
    task = filled["d1"]
    task.status = TaskStatus.WINDOW_MISSED
    task.save(update_fields=["status"])
    assert standing() == {D0, D2}


def test_moving_a_due_date_drops_both_days(filled):
    FollowUpTask.objects.filter(pk=filled["d0"].pk).update(due_date=D2)
    assert standing() == {D1}


def test_deleting_a_task_drops_its_day(filled):
    filled["d2"].delete()
    assert standing() == {D0, D1}


def test_changing_the_kind_of_a_case_drops_the_days_of_its_tasks(filled):
    Case.objects.filter(pk=filled["case"].pk).update(kind=CaseKind.CONSULTATION)
    assert standing() == {D2}


def test_changing_the_person_of_a_case_drops_the_days_of_its_tasks(filled):
    case = filled["case"]
    case.customer = CustomerFactory()
    case.save()
    assert standing() == {D2}


def test_moving_a_patient_to_another_department_drops_the_days_of_their_tasks(filled, staff):
    patient = filled["patient"]
    patient.department = staff["departments"][1]
    patient.save()
    assert standing() == {D2}


def test_a_patient_who_died_drops_the_days_of_their_tasks(filled):
    Patient.objects.filter(pk=filled["patient"].pk).update(died_on=D2)
    assert standing() == {D2}


def test_a_person_losing_their_number_drops_the_days_of_their_tasks(filled):
    customer = filled["case"].customer
    customer.phone = ""
    customer.save()
    assert standing() == {D2}


def test_other_changes_of_cases_patients_and_people_keep_the_days(filled):
    case, patient = filled["case"], filled["patient"]
    case.reached_at = on(D0, 10, 40)
    case.save()
    patient.attending_doctor = "刘医生"
    patient.save()
    customer = case.customer
    customer.phone = "+8613911112222"  # another number
    customer.name = "王五"
    customer.save()
    Case.objects.filter(pk=case.pk).update(kind=case.kind)  # to the same kind
    assert standing() == {D0, D1, D2}


def test_changes_to_what_the_counts_do_not_read_of_a_task_keep_its_day(filled):
    # What the list build and the claims write on a task: its number flag, its earliest
    # moment, its retries' limit; and a task saved unchanged.
    task = filled["d0"]
    task.needs_number_fix = True
    task.earliest_at = on(D0, 15, 0)
    task.max_attempts += 1
    task.save()
    filled["d1"].save()
    assert standing() == {D0, D1, D2}


# --- narrowed reports, long periods without rows ------------------------------------------


def test_narrowed_reports_and_periods_mostly_without_rows_count_the_tasks(filled, staff):
    first = staff["departments"][0]
    call(filled["d0"], by=agent("due-a3"), disposition=Disposition.COMPLETE, started=on(D0, 11))
    FollowUpTaskFactory(case=CaseFactory(kind=CaseKind.MISSED_APPOINTMENT), due_date=D1)
    count_past_days(today=TODAY)
    whole = follow_up_rate(scope=SCOPE)
    assert read_from_stored_days(SCOPE)
    rows = {table.key: {row[0]: row[1:4] for row in table.rows} for table in whole.tables}

    for narrowed, table, label in [
        (ReportScope(SCOPE.start, SCOPE.end, department_id=first.pk), "by_department", "心内科"),
        (ReportScope(SCOPE.start, SCOPE.end, case_kind=CaseKind.DISCHARGE), "by_kind", None),
    ]:
        assert not read_from_stored_days(narrowed)
        report = follow_up_rate(scope=narrowed)
        label = label or str(CaseKind.DISCHARGE.label)
        assert [report.due, report.called, report.reached] == rows[table][label]

    # Too few of its days stored (STORED_AT_LEAST): the tasks, the same figures.
    longer = ReportScope(start=TODAY - dt.timedelta(days=80), end=TODAY)
    stored = report_figures(longer)
    DueDay.objects.filter(day__lt=D2).delete()
    assert not read_from_stored_days(longer)
    assert report_figures(longer) == stored


# --- query counts -------------------------------------------------------------------------


def test_the_stored_path_reads_as_many_queries_whatever_the_days(staff):
    def queries_with_days(days: range) -> int:
        for n in days:
            day = TODAY - dt.timedelta(days=15 + n)
            task = FollowUpTaskFactory(case=CaseFactory(), due_date=day)
            by = staff["agents"][n % 2]
            call(task, by=by, disposition=Disposition.COMPLETE, started=on(day, 11))
        count_past_days(today=TODAY)
        assert read_from_stored_days(SCOPE)
        with CaptureQueriesContext(connection) as queries:
            report = follow_up_rate(scope=SCOPE)
        assert report.due == report.reached == days.stop
        return len(queries)

    assert queries_with_days(range(2)) == queries_with_days(range(2, 20))


# --- the morning build --------------------------------------------------------------------


def test_the_morning_build_stores_the_past_days():
    from followups.tasks import build_call_lists_task

    FollowUpTaskFactory(case=CaseFactory(), due_date=D0)
    FollowUpTaskFactory(case=CaseFactory(), due_date=RECENT)
    with time_machine.travel(dt.datetime(2026, 11, 23, 7, 0, tzinfo=SHANGHAI), tick=False):
        report = build_call_lists_task.delay(TODAY.isoformat()).get()
        again = build_call_lists_task.delay(TODAY.isoformat()).get()
    assert report["due_days_counted"] == KEPT.days
    assert again["due_days_counted"] == 0
    # Every past day of the last KEPT, none from today on.
    days = set(DueDay.objects.values_list("day", flat=True))
    assert days == {TODAY - dt.timedelta(days=n) for n in range(1, KEPT.days + 1)}
    assert len(unpacked(DueDay.objects.get(day=D0).people_due)) == 1
    assert_rows_equal_a_recount()


def test_the_build_command_counts_the_days_the_task_would():
    FollowUpTaskFactory(case=CaseFactory(), due_date=D0)
    day_before = TODAY - dt.timedelta(days=1)
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 11, 23, 7, 0, tzinfo=SHANGHAI), tick=False):
        call_command("build_call_lists", "--date", TODAY.isoformat(), stdout=out)
        assert f"counted {KEPT.days} past due days" in out.getvalue()
        DueDay.objects.filter(day=day_before).delete()
        out = io.StringIO()
        call_command("build_call_lists", stdout=out)
    assert "counted 1 past due days" in out.getvalue()
    assert DueDay.objects.filter(day=day_before).exists()
    assert_rows_equal_a_recount()
