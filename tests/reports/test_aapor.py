"""AAPOR rates from each task's final disposition."""

from collections import Counter

import pytest

from followups.models import AAPORGroup
from followups.reports.aapor import aapor_rates, aapor_report

pytestmark = pytest.mark.django_db


def test_it_groups_the_final_dispositions(reach_data, period):
    report = aapor_report(scope=period)
    # Final dispositions: t1 t9 complete (I=2), t2 partial (P=1), t4 refused (R=1),
    # t7 family (NC=1), t11 deceased + t12 callback (O=2), t3 busy + t8 phone off (UH=2),
    # t6 wrong number (NE=1). t5 t10 t15 were never called.
    assert dict(report.groups) == {"I": 2, "P": 1, "R": 1, "NC": 1, "O": 2, "UH": 2, "NE": 1}
    assert report.not_called == 3


def test_it_computes_rr1_coop1_ref1_con1(reach_data, period):
    rates = aapor_report(scope=period).rates
    # All eligible and unknown, NE left out: (I+P) + (R+NC+O) + (UH+UO) = 3 + 4 + 2 = 9.
    # RR1 = I / 9 = 2/9; COOP1 = I / ((I+P)+R+O) = 2 / (3+1+2) = 2/6;
    # REF1 = R / 9 = 1/9; CON1 = ((I+P)+R+O) / 9 = 6/9.
    assert rates == {
        "RR1": pytest.approx(2 / 9),
        "COOP1": pytest.approx(2 / 6),
        "REF1": pytest.approx(1 / 9),
        "CON1": pytest.approx(6 / 9),
    }


def test_a_rate_without_denominator_is_none():
    assert aapor_rates(Counter({AAPORGroup.NOT_ELIGIBLE: 4})) == {
        "RR1": None,
        "COOP1": None,
        "REF1": None,
        "CON1": None,
    }


def test_it_gives_the_rates_per_case_kind(reach_data, period):
    by_kind = {row[0]: row[1:] for row in aapor_report(scope=period).by_kind.rows}
    # Discharge: all but t6, so the same groups without NE: RR1 2/9 … as above, 9 tasks.
    # Missed appointment: t6 only, wrong number (NE): no denominator.
    assert by_kind["Discharge follow-up"] == [
        9,
        pytest.approx(2 / 9),
        pytest.approx(2 / 6),
        pytest.approx(1 / 9),
        pytest.approx(6 / 9),
    ]
    assert by_kind["Missed appointment"] == [1, None, None, None, None]
