"""The order of the calling queue."""

from datetime import date

from followups.scheduling import IntentClass, queue_priority

TODAY = date(2026, 3, 10)


def key(*, callback=False, deadline=None, due=TODAY, intent=None):
    return queue_priority(
        is_callback=callback, deadline=deadline, due=due, today=TODAY, intent=intent
    )


def test_the_queue_puts_callbacks_then_deadlines_then_overdue_then_intent_then_due_date():
    tasks = {
        "class C due today": key(intent=IntentClass.C),
        "class A due today": key(intent=IntentClass.A),
        "class B due today": key(intent=IntentClass.B),
        "class D due today": key(intent=IntentClass.D),
        "class A due tomorrow": key(intent=IntentClass.A, due=date(2026, 3, 11)),
        "overdue class D": key(intent=IntentClass.D, due=date(2026, 3, 8)),
        "deadline in three days": key(deadline=date(2026, 3, 13), intent=IntentClass.D),
        "booked callback": key(callback=True, intent=IntentClass.D, due=date(2026, 3, 12)),
    }
    assert sorted(tasks, key=tasks.get) == [
        "booked callback",
        "deadline in three days",
        "overdue class D",
        "class A due today",
        "class A due tomorrow",
        "class B due today",
        "class C due today",
        "class D due today",
    ]


def test_a_deadline_four_days_away_is_not_near_yet():
    assert key(deadline=date(2026, 3, 14)) == key()


def test_a_passed_deadline_still_counts_as_near():
    assert key(deadline=date(2026, 3, 9)) < key(due=date(2026, 3, 1), intent=IntentClass.A)


def test_how_near_a_deadline_must_be_is_configurable():
    week_ahead = queue_priority(
        is_callback=False,
        deadline=date(2026, 3, 17),
        due=TODAY,
        today=TODAY,
        intent=None,
        deadline_near_days=7,
    )
    assert week_ahead < key(intent=IntentClass.A)


def test_no_intent_class_ranks_with_class_d():
    assert key() == key(intent=IntentClass.D)


def test_among_equals_the_earlier_due_date_goes_first():
    assert key(due=date(2026, 3, 5)) < key(due=date(2026, 3, 7))
    assert key(callback=True, due=date(2026, 3, 10)) < key(callback=True, due=date(2026, 3, 11))


def why(*, callback=False, deadline=None, due=TODAY):
    from followups.scheduling import urgency

    return urgency(is_callback=callback, deadline=deadline, due=due, today=TODAY)


def test_the_reason_a_call_stands_where_it_does_reads_as_the_queue_orders():
    from followups.scheduling import Urgency

    assert why(callback=True, deadline=date(2026, 3, 11), due=date(2026, 3, 1)) == (
        Urgency.CALLBACK,
        0,
    )
    assert why(deadline=date(2026, 3, 12), due=date(2026, 3, 1)) == (Urgency.DEADLINE, 2)
    assert why(deadline=date(2026, 3, 8)) == (Urgency.DEADLINE, -2)
    assert why(deadline=date(2026, 3, 20), due=date(2026, 3, 7)) == (Urgency.OVERDUE, 3)
    assert why() == (Urgency.DUE, 0)


def test_the_reasons_follow_the_queue_order():
    """Sorting by the reason's rank never contradicts queue_priority's first three keys."""
    from followups.scheduling import urgency

    cases = [
        dict(callback=c, deadline=d, due=u)
        for c in (True, False)
        for d in (None, date(2026, 3, 9), date(2026, 3, 13), date(2026, 3, 30))
        for u in (date(2026, 3, 1), TODAY)
    ]
    rank = ["callback", "deadline", "overdue", "due"]
    for case in cases:
        reason, _days = urgency(
            is_callback=case["callback"], deadline=case["deadline"], due=case["due"], today=TODAY
        )
        first_three = key(**case)[:3]
        expected = {(0, 0, 0): 0, (0, 0, 1): 0, (0, 1, 0): 0, (0, 1, 1): 0}.get(first_three)
        if expected is None:
            expected = 1 if first_three[1] == 0 else 2 if first_three[2] == 0 else 3
        assert rank.index(reason) == expected, case
