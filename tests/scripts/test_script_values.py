"""script_values(): what each variable says on a call of a given case."""

import datetime as dt

import pytest

from followups.models import Gender
from scripts.services import script_values
from tests.factories import (
    CaseFactory,
    CustomerFactory,
    DepartmentFactory,
    HospitalFactory,
    PatientFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_patients_case_fills_every_variable():
    patient = PatientFactory(
        customer=CustomerFactory(name="欧阳娜", gender=Gender.FEMALE),
        department=DepartmentFactory(name="心内科", hospital=HospitalFactory(name="惠民医院")),
        attending_doctor="周建国",
        discharged_on=dt.date(2026, 11, 10),
    )
    case = CaseFactory(customer=patient.customer, patient=patient, product="复诊")
    agent = UserFactory(username="wj", first_name="王静")
    assert script_values(case=case, agent=agent) == {
        "customer.honorific": "欧阳女士",
        "customer.name": "欧阳娜",
        "agent.name": "王静",
        "hospital.name": "惠民医院",
        "patient.department": "心内科",
        "patient.doctor": "周建国",
        "patient.discharged_on": "11月10日",
        "case.product": "复诊",
    }


def test_a_case_without_a_patient_leaves_the_patient_data_missing():
    HospitalFactory(name="惠民医院")
    case = CaseFactory(customer=CustomerFactory(name="李雷", gender=Gender.MALE), product="")
    values = script_values(case=case, agent=UserFactory(username="nobody-named", first_name=""))
    assert values == {
        "customer.honorific": "李先生",
        "customer.name": "李雷",
        "agent.name": "nobody-named",
        # The center's only hospital.
        "hospital.name": "惠民医院",
        "patient.department": None,
        "patient.doctor": None,
        "patient.discharged_on": None,
        "case.product": None,
    }
