"""The reach funnel and the reasons the unreached were not reached."""

import pytest

from followups.reports.funnel import reach_funnel

pytestmark = pytest.mark.django_db


def test_it_shows_due_called_reached(reach_data, period):
    funnel = reach_funnel(scope=period)
    # 13 due, 10 called (76.9 %), 3 reached (23.1 %): see the fixture's comments.
    assert funnel.stages.rows == [
        ["Due tasks", 13, 1.0],
        ["Called", 10, pytest.approx(10 / 13)],
        ["Reached", 3, pytest.approx(3 / 13)],
    ]


def test_it_gives_each_unreached_task_one_reason(reach_data, period):
    funnel = reach_funnel(scope=period)
    # 10 unreached: t5 no number; t3 no answer/busy; t8 phone off; t6 wrong number;
    # t4 refused; t7 family; t10 (death on record) and t11 (family said so) deceased;
    # t12 callback booked; t15 not called yet.
    assert funnel.unreached == {
        "no_number": 1,
        "no_answer": 1,
        "phone_off": 1,
        "wrong_number": 1,
        "refused": 1,
        "family": 1,
        "deceased": 2,
        "callback": 1,
        "not_called": 1,
    }
    deceased = next(row for row in funnel.reasons.rows if row[0] == "Deceased")
    # 2 of 10 unreached = 20 %; 2 of 13 due = 15.4 %.
    assert deceased == ["Deceased", 2, 0.2, pytest.approx(2 / 13)]
