"""Agent figures: calls, people reached, handle time, attempts per reached person, review
scores, and the share of calls made where the rules allow it.

A call is one phone call to a person, however many follow-ups it settled (reports/calls.py):
calls, handle time and the calling-rules check read each call once.

A call is allowed when followups.scheduling says its start was callable under the case's
calling rules (its plan's policy on the customer's clock), or when it was the call back a
customer booked on the call before (the rules let those break the windows, not the quiet
hours or closed days). The share must be 100 %. Each call is judged by the rules in force
when it was made, kept with it by record_outcome (`rules_check`); calls recorded before
that was kept are judged by today's rules.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import CallAttempt, CallDay, CallReview, Disposition
from followups.models.calls import REACHED_DISPOSITIONS
from followups.scheduling import CallingRules, RulesCheck, check_call, is_callable, windows_on
from followups.selectors.policies import default_policy_id, policies_with_rules

from .calls import ONE_PER_CALL, reached_call
from .planning import without_jit
from .reach import agent_names
from .scope import ReportScope
from .tables import Column, Kind, Table, share

POLICY = "task__case__plan__calling_policy_id"
TIMEZONE = "task__case__customer__timezone"
OUTSIDE_LIST_LENGTH = 50

# The rules a call followed: (policy id or None for "no plan policy", customer timezone,
# "" for the policy's own clock).
RulesKey = tuple[int | None, str]


def _stretch_tree(stretches: list[tuple[dt.datetime, dt.datetime]]) -> Q:
    """The call started inside one of the sorted, disjoint stretches, written as a balanced
    tree of comparisons: about log2(n) tests per row rather than n for a year of windows."""
    if len(stretches) <= 4:
        inside = Q(pk__in=[])
        for start, end in stretches:
            inside |= Q(started_at__gte=start, started_at__lt=end)
        return inside
    middle = len(stretches) // 2
    pivot = stretches[middle][0]
    return (Q(started_at__lt=pivot) & _stretch_tree(stretches[:middle])) | (
        Q(started_at__gte=pivot) & _stretch_tree(stretches[middle:])
    )


def _in_windows(rules: dict[RulesKey, CallingRules], scope: ReportScope) -> Q:
    """Calls that started inside a calling window of their own rules: the windows come from
    scheduling.windows_on for each day of the period, so SQL only compares timestamps."""
    first, last = scope.start - dt.timedelta(days=1), scope.end + dt.timedelta(days=1)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    condition = Q(pk__in=[])
    for (policy, tz), key_rules in rules.items():
        stretches = sorted(window for day in days for window in windows_on(day, key_rules))
        key = Q(**{TIMEZONE: tz}) & (
            Q(**{POLICY: policy}) if policy else Q(**{f"{POLICY}__isnull": True})
        )
        condition |= key & _stretch_tree(stretches)
    return condition


# Calls recorded before each attempt kept how it stood with the rules in force then: those
# are judged by today's rules, every later one by what it kept.
UNJUDGED = Q(rules_check="")
# The calls not kept as inside a window, as the partial index attempt_not_in_window_idx
# holds them: its condition, repeated in each query that reads it, lets PostgreSQL use it.
UNJUDGED_OR_NOT_IN_WINDOW = Q(rules_check__in=["", RulesCheck.BOOKED, RulesCheck.OUTSIDE])


def _own_clock_rules() -> dict[RulesKey, CallingRules]:
    """Every policy on its own clock, and the rules of cases without a plan policy, as
    followups.selectors.policies.rules_for_case builds them."""
    policies = policies_with_rules()
    fallback = policies.get(default_policy_id()) or CallingRules()
    return {(None, ""): fallback} | {(pk, ""): rules for pk, rules in policies.items()}


@dataclass
class OutsideCall:
    pk: int
    agent_id: int
    started_at: dt.datetime
    booked_callback: bool


@dataclass
class AgentReport:
    scope: ReportScope
    table: Table
    outside: Table
    allowed_share: float | None

    @property
    def tables(self) -> list[Table]:
        return [self.table, self.outside]


def _outside_calls(
    calls: QuerySet, in_window: Q, rules: dict, *, judging: bool
) -> list[OutsideCall]:
    """Calls outside the windows, each checked against the call before it on the same task:
    a callback the customer booked is allowed if the rules' quiet hours and days allow it.
    Two queries however many there are; there should be none or few. The rules of each
    call (through its case) are read only when there are calls to judge by today's rules
    (``judging``); the others were judged when recorded."""
    rules_fields = [POLICY, TIMEZONE] if judging else []
    rows = list(
        calls.filter(UNJUDGED_OR_NOT_IN_WINDOW)
        .filter(~UNJUDGED | ~in_window)
        .values("pk", "agent_id", "task_id", "started_at", "rules_check", *rules_fields)
        .order_by("started_at", "pk")
    )
    judged = [row for row in rows if row["rules_check"]]
    outside = [
        OutsideCall(row["pk"], row["agent_id"], row["started_at"], row["rules_check"] == "booked")
        for row in judged
    ]
    rows = [row for row in rows if not row["rules_check"]]
    if not rows:
        return outside
    previous: dict[int, list] = defaultdict(list)
    earlier = CallAttempt.objects.filter(task_id__in={row["task_id"] for row in rows})
    for task_id, pk, started_at, disposition in earlier.values_list(
        "task_id", "pk", "started_at", "disposition"
    ).order_by("started_at", "pk"):
        previous[task_id].append((started_at, pk, disposition))
    for row in rows:
        key_rules = rules[(row[POLICY], row[TIMEZONE])]
        started = row["started_at"]
        # The SQL windows and is_callable agree; asking again costs little and guards it.
        if is_callable(started, key_rules):
            continue
        before = [
            disposition
            for at, pk, disposition in previous[row["task_id"]]
            if (at, pk) < (started, row["pk"])
        ]
        check = check_call(
            started, key_rules, booked_callback=bool(before) and before[-1] == Disposition.CALLBACK
        )
        outside.append(OutsideCall(row["pk"], row["agent_id"], started, check == "booked"))
    return sorted(outside, key=lambda call: (call.started_at, call.pk))


def _people_reached(attempts: QuerySet) -> dict[int, int]:
    """Different people each agent reached: the (agent, person) pairs grouped first, then
    counted per agent — over a year far faster than a distinct count per agent. The person
    is the one each call kept, read with the agent from the index attempt_reached_people_idx
    (whose condition the disposition filter repeats), without the call rows."""
    pairs = (
        attempts.filter(disposition__in=sorted(REACHED_DISPOSITIONS))
        .values("agent_id", "customer_id")
        .annotate(calls=Count("customer"))
        .order_by()
    )
    statement, params = pairs.query.sql_with_params()
    # The ORM's own statement, its values bound as parameters; the ORM cannot group twice.
    outer = f"SELECT pairs.agent_id, count(*) FROM ({statement}) pairs GROUP BY 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        return dict(cursor.fetchall())


def _call_columns() -> list[Column]:
    """What both agent tables start with: the agent, their calls, those that reached the
    person and the average handle time."""
    return [
        Column("agent", _("Agent"), Kind.TEXT),
        Column("calls", _("Calls")),
        Column("reached", _("Calls reaching the person")),
        Column("reach_share", _("Reached share"), Kind.SHARE),
        Column("handle_seconds", _("Average handle time (s)"), Kind.NUMBER),
    ]


def _call_cells(names: dict, agent_id: int, row: dict, handle_seconds: float) -> list:
    """The cells of _call_columns for one agent."""
    return [
        names.get(agent_id, str(agent_id)),
        row["calls"],
        row["reached"],
        share(row["reached"], row["calls"]),
        handle_seconds,
    ]


def _agent_days(scope: ReportScope) -> QuerySet:
    """Each agent's calls of the period from the day figures, as record_outcome keeps them
    (a few rows an agent a day): calls, those reaching the person, handle time in all,
    calls judged inside a window."""
    return (
        scope.day_figures(CallDay)
        .values("agent_id")
        .annotate(
            calls=Sum("calls"),
            reached=Sum("reached_calls"),
            handle=Sum("handle_time"),
            in_window=Sum("in_window"),
        )
        .filter(calls__gt=0)
        .order_by()
    )


def _judged_figures(calls: QuerySet, scope: ReportScope) -> tuple[dict[int, dict], bool]:
    """Each agent's calls, those reaching the person, handle time and calls judged inside a
    window when recorded; and whether any call of the period was recorded before calls
    were judged (rules_check ""). From the day figures when nothing narrows the period
    (the second from the partial index attempt_not_in_window_idx), else from the calls."""
    if scope.counted_by_day:
        figures = {row.pop("agent_id"): row for row in _agent_days(scope)}
        return figures, calls.filter(UNJUDGED_OR_NOT_IN_WINDOW, UNJUDGED).exists()
    figures: dict[int, dict] = {}
    judged_rows = list(
        calls.values("agent_id", "rules_check")
        .annotate(
            calls=Count("pk"),
            reached=Count("pk", filter=reached_call(scope.moments())),
            handle=Sum(ExpressionWrapper(F("ended_at") - F("started_at"), DurationField())),
        )
        .order_by()
    )
    for row in judged_rows:
        total = figures.setdefault(
            row["agent_id"],
            {"calls": 0, "reached": 0, "handle": dt.timedelta(), "in_window": 0},
        )
        for field in ["calls", "reached", "handle"]:
            total[field] += row[field] or type(total[field])()
        if row["rules_check"] == RulesCheck.WINDOW:
            total["in_window"] += row["calls"]
    return figures, any(row["rules_check"] == "" for row in judged_rows)


@without_jit()
def agent_figures(*, scope: ReportScope) -> AgentReport:
    """A fixed number of queries: the calls grouped by agent and calling rules, the window
    check for customers on their own timezone (only when there are any), people reached,
    review scores, the calls outside the windows with the calls before them, names, and
    the calling policies."""
    attempts = CallAttempt.objects.filter(scope.attempts_filter())
    calls = attempts.filter(ONE_PER_CALL)
    rules = _own_clock_rules()
    # Every call's figures by agent and how it was judged when recorded, from the calls
    # alone; the calls recorded before that was kept (rules_check "") are judged by today's
    # rules apart, through their case's policy and customer's clock (a partial index finds
    # them: none or few).
    figures, judging = _judged_figures(calls, scope)
    # Today's windows over the period, as SQL, only when there are calls to judge by them
    # (``judging``): a year of windows compiles to a statement of some 300 kB (half a
    # second each time). Without such calls the condition never matters (no row reaches it).
    if judging:
        in_window = _in_windows(rules, scope)
    else:
        in_window = Q(rules_check=RulesCheck.WINDOW)
    unjudged = calls.filter(UNJUDGED_OR_NOT_IN_WINDOW, UNJUDGED)
    groups = list(
        unjudged.values("agent_id", POLICY, TIMEZONE)
        .annotate(in_window=Count("pk", filter=in_window))
        .order_by()
    )
    # Customers with a timezone of their own: their windows are their policy's on their
    # clock. Rare, so checked apart, on those calls only.
    own_zone = {
        (row[POLICY], row[TIMEZONE]): (
            rules.get((row[POLICY], ""), rules[(None, "")]).for_timezone(row[TIMEZONE])
        )
        for row in groups
        if row[TIMEZONE]
    }
    if own_zone:
        in_own_zone = _in_windows(own_zone, scope)
        in_window |= in_own_zone
        zoned = {
            (row["agent_id"], row[POLICY], row[TIMEZONE]): row["n"]
            for row in unjudged.exclude(**{TIMEZONE: ""})
            .values("agent_id", POLICY, TIMEZONE)
            .annotate(n=Count("pk", filter=in_own_zone))
            .order_by()
        }
        for row in groups:
            if row[TIMEZONE]:
                row["in_window"] = zoned[(row["agent_id"], row[POLICY], row[TIMEZONE])]
        rules |= own_zone
    for row in groups:
        figures[row["agent_id"]]["in_window"] += row["in_window"]
    people = _people_reached(attempts)
    # The reviews of the period's calls, by the call's start and agent each review kept:
    # from the index call_review_idx alone (the case filters, when given, join the call).
    since, until = scope.moments()
    scores = dict(
        CallReview.objects.filter(
            scope.case_filter("attempt__task__case__"),
            call_started_at__gte=since,
            call_started_at__lt=until,
        )
        .values("call_agent_id")
        .annotate(score=Avg("score"))
        .order_by()
        .values_list("call_agent_id", "score")
    )
    outside = _outside_calls(calls, in_window, rules, judging=judging) if figures else []
    booked = defaultdict(int)
    for call in outside:
        booked[call.agent_id] += call.booked_callback
    names = agent_names(figures)
    rows = []
    for agent_id, row in sorted(figures.items(), key=lambda item: names.get(item[0], "")):
        allowed = row["in_window"] + booked[agent_id]
        reached_people = people.get(agent_id, 0)
        rows.append(
            _call_cells(names, agent_id, row, row["handle"].total_seconds() / row["calls"])
            + [
                reached_people,
                row["calls"] / reached_people if reached_people else None,
                scores.get(agent_id),
                share(allowed, row["calls"]),
                row["calls"] - allowed,
            ]
        )
    total_calls = sum(row["calls"] for row in figures.values())
    total_allowed = sum(row["in_window"] for row in figures.values()) + sum(booked.values())
    table = Table(
        "agents",
        _("Agent figures"),
        _call_columns()
        + [
            Column("people_reached", _("People reached")),
            Column("attempts_per_person", _("Calls per person reached"), Kind.NUMBER),
            Column("review_score", _("Average review score"), Kind.NUMBER),
            Column("allowed_share", _("Calls inside the calling rules"), Kind.SHARE),
            Column("outside", _("Calls outside the rules")),
        ],
        rows,
        note=_(
            "Inside the calling rules: started inside a calling window of the case's policy "
            "on the customer's clock, or a callback the customer booked. It must be 100 %."
        ),
    )
    outside_rows = [
        [
            call.pk,
            names.get(call.agent_id, str(call.agent_id)),
            timezone.localtime(call.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            _("Yes") if call.booked_callback else _("No"),
        ]
        for call in outside[:OUTSIDE_LIST_LENGTH]
    ]
    outside_table = Table(
        "outside",
        _("Calls outside the calling windows"),
        [
            Column("call", _("Call"), Kind.CALL),
            Column("agent", _("Agent"), Kind.TEXT),
            Column("started", _("Started"), Kind.TEXT),
            Column("booked", _("Booked callback (allowed)"), Kind.TEXT),
        ],
        outside_rows,
    )
    return AgentReport(scope, table, outside_table, share(total_allowed, total_calls))


@without_jit()
def agent_summary(*, scope: ReportScope) -> Table:
    """The dashboard's short version: calls, reached and handle time per agent, from the
    day figures (or, narrowed to departments or a case kind, the calls table): one query
    and the names; the calling-rules check, people reached and review scores are on the
    agent figures page."""
    if scope.counted_by_day:
        figures = {
            row["agent_id"]: {**row, "handle": row["handle"] / row["calls"]}
            for row in _agent_days(scope)
        }
    else:
        figures = {
            row["agent_id"]: row
            for row in CallAttempt.objects.filter(scope.attempts_filter(), ONE_PER_CALL)
            .values("agent_id")
            .annotate(
                calls=Count("pk"),
                reached=Count("pk", filter=reached_call(scope.moments())),
                handle=Avg(ExpressionWrapper(F("ended_at") - F("started_at"), DurationField())),
            )
            .order_by()
        }
    names = agent_names(figures)
    rows = [
        _call_cells(names, agent_id, row, row["handle"].total_seconds())
        for agent_id, row in sorted(figures.items(), key=lambda item: names.get(item[0], ""))
    ]
    return Table("agent_summary", _("Agents at a glance"), _call_columns(), rows)
