"""person_q and findable_q: whom a search by name, number, 住院号 or case number finds,
and whom an agent may find at all."""

import pytest

from followups.models import CallAttempt, Customer
from followups.selectors.people_search import findable_q, is_phone_query, person_q
from tests.factories import (
    CallAttemptFactory,
    CaseFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    PatientFactory,
    QueueEntryFactory,
)

pytestmark = pytest.mark.django_db


def found(query: str) -> set[str]:
    return set(Customer.objects.filter(person_q(query)).values_list("name", flat=True))


@pytest.fixture
def people():
    wang = CustomerFactory(name="王小明", phone="+8613812345678", phone_secondary="")
    li = CustomerFactory(name="李明", phone="+8613900001111", phone_secondary="+8613700005678")
    zhao = CustomerFactory(name="赵六", phone="+8615000002222")
    PatientFactory(customer=zhao, medical_record_number="ZY2026-001")
    return {"wang": wang, "li": li, "zhao": zhao}


def test_it_finds_a_name_by_any_part(people):
    assert found("明") == {"王小明", "李明"}
    assert found("小明") == {"王小明"}


def test_it_finds_a_whole_number_however_it_is_written(people):
    assert found("13812345678") == {"王小明"}
    assert found("138 1234 5678") == {"王小明"}
    assert found("+86 138-1234-5678") == {"王小明"}


def test_it_finds_the_last_four_digits_of_either_number(people):
    assert found("5678") == {"王小明", "李明"}
    assert found("1111") == {"李明"}


def test_it_finds_an_inpatient_number_exactly_in_any_case(people):
    assert found("zy2026-001") == {"赵六"}
    assert found("ZY2026") == set()


def test_it_finds_a_case_number_once_per_person(people):
    case = CaseFactory(customer=people["li"])
    CaseFactory(customer=people["li"])
    assert found(f"#{case.pk}") == {"李明"}
    assert Customer.objects.filter(person_q(str(case.pk))).count() == 1


def test_an_empty_query_finds_nobody(people):
    assert found("   ") == set()


def test_it_filters_from_a_call_through_the_path_to_the_person(people):
    attempt = CallAttemptFactory(
        task=FollowUpTaskFactory(case=CaseFactory(customer=people["wang"]))
    )
    CallAttemptFactory(task=FollowUpTaskFactory(case=CaseFactory(customer=people["li"])))
    calls = CallAttempt.objects.filter(person_q("5678", customer="task__case__customer__"))
    assert {call.pk for call in calls} >= {attempt.pk}
    assert (
        CallAttempt.objects.filter(person_q("王小", customer="task__case__customer__")).get()
        == attempt
    )


def test_phone_searches_are_told_from_other_searches():
    assert is_phone_query("5678")
    assert is_phone_query("138 1234 5678")
    assert not is_phone_query("王小明")
    assert not is_phone_query("ZY2026-001")
    assert not is_phone_query("#12")


def test_an_agent_finds_only_people_listed_for_them_or_called_by_them(people, agent, other_agent):
    QueueEntryFactory(
        task=FollowUpTaskFactory(case=CaseFactory(customer=people["wang"])), assigned_agent=agent
    )
    CallAttemptFactory(
        task=FollowUpTaskFactory(case=CaseFactory(customer=people["li"])), agent=agent
    )
    QueueEntryFactory(
        task=FollowUpTaskFactory(case=CaseFactory(customer=people["zhao"])),
        assigned_agent=other_agent,
    )
    mine = Customer.objects.filter(findable_q(agent)).filter(person_q("明") | person_q("赵"))
    assert set(mine.values_list("name", flat=True)) == {"王小明", "李明"}


def test_a_supervisor_finds_everyone(people, supervisor):
    assert Customer.objects.filter(findable_q(supervisor)).count() == 3
