"""Finding a person by what someone at the centre knows: a name, a phone number (whole or
its last four digits), a 住院号 or a case number; and whom an agent may find at all.

`person_q` builds the filter from any model that leads to a Customer (the people search,
the outcome and escalation lists), `customer` being the ORM path to it."""

import re

from django.db.models import Q

from followups.models import CallAttempt, Case, QueueEntry
from followups.phones import normalise_phone
from followups.roles import REVIEW_OUTCOMES, WORK_QUEUE

# What people type between the digits of a number: spaces, dashes, dots, brackets.
NUMBER_SEPARATORS = re.compile(r"[\s\-.()（）]+")
LAST_DIGITS = 4
CASE_NUMBER = re.compile(r"^#?(\d{1,9})$")
MAX_QUERY_LENGTH = 80


def _digits(query: str) -> str:
    """The query as a number, without separators or a leading +; "" when it is not one."""
    compact = NUMBER_SEPARATORS.sub("", query)
    compact = compact.removeprefix("+")
    return compact if compact.isdigit() else ""


def is_phone_query(query: str) -> bool:
    """Whether a search looks for a phone number (whole or its last four digits): such a
    search is audited, since it finds a person from their number."""
    return len(_digits((query or "").strip())) >= LAST_DIGITS


def person_q(query: str, *, customer: str = "") -> Q:
    """The people `query` names: by name (any part of it), phone (the whole number, in any
    way it is written, or its last four digits; either of the person's numbers), 住院号
    (exact, any case) or case number (`123` or `#123`). `customer` is the path from the
    filtered model to the Customer, e.g. "task__case__customer__" from a CallAttempt.
    An empty query matches nobody."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return Q(pk__in=[])
    c = customer
    match = Q(**{f"{c}name__icontains": query}) | Q(
        **{f"{c}patient__medical_record_number__iexact": query}
    )
    digits = _digits(query)
    if len(digits) == LAST_DIGITS:
        match |= Q(**{f"{c}phone__endswith": digits}) | Q(
            **{f"{c}phone_secondary__endswith": digits}
        )
    number = normalise_phone(query)
    if number:
        match |= Q(**{f"{c}phone": number}) | Q(**{f"{c}phone_secondary": number})
    case_number = CASE_NUMBER.match(query)
    if case_number:
        # A subquery, not a join over cases: a person with many cases shows once.
        match |= Q(
            **{f"{c}pk__in": Case.objects.filter(pk=int(case_number[1])).values("customer_id")}
        )
    return match


def may_search(user) -> bool:
    """Agents, supervisors and admins search people (each within findable_q)."""
    return user.is_authenticated and (user.has_perm(WORK_QUEUE) or user.has_perm(REVIEW_OUTCOMES))


def findable_q(user, *, customer: str = "") -> Q:
    """The people `user` may find: everyone for a supervisor or an admin; for an agent,
    the people on their lists (given or claimed) and those they have called."""
    if user.has_perm(REVIEW_OUTCOMES):
        return Q()
    listed = QueueEntry.objects.filter(Q(assigned_agent=user) | Q(claimed_by=user)).values(
        "customer_id"
    )
    called = CallAttempt.objects.filter(agent=user).values("task__case__customer_id")
    return Q(**{f"{customer}pk__in": listed}) | Q(**{f"{customer}pk__in": called})
