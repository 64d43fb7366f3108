"""The demo's past weeks, made the way the centre makes its days, by the project's services.

Day by day up to yesterday: at 07:00 the cases anchored that day are opened
(services.cases.open_case), at 07:30 the day's lists are built
(services.call_lists.build_call_lists), and in each calling window the two agents, in
turn by the clock, claim their next call (services.claims.claim_next_call), talk for a
few minutes and record what came of it when the call ends
(services.outcomes.record_outcome): the follow-up rules (retries, callbacks, wrong
numbers, refusals, the do-not-call list, deaths, intent calls, escalations) are the
services' own. Escalations are then taken up by the supervisor
(services.escalation_workflow). The clock is moved to each of these moments
(time_machine, as bench/bench_reach.py does), and the same moment is passed as `now`,
so that every stored time is the simulated one. What the people called say is drawn in
demo/calls.py from the demo's seeded random stream: the same history on every run.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import defaultdict
from dataclasses import dataclass, field

import time_machine

from followups.clock import center_day
from followups.demo import calls
from followups.demo.content import CALL_SECONDS, RESOLUTIONS, URGENT_RESOLUTION
from followups.models import Customer, Disposition, Escalation, EscalationSeverity, Patient
from followups.scheduling import CallingRules, windows_on
from followups.services import escalation_workflow, person_calls
from followups.services.call_lists import build_call_lists
from followups.services.cases import open_case
from followups.services.claims import ALL_CLAIMED, claim_next_call, script_versions_to_use
from followups.services.leases import claim_token
from followups.services.outcome_input import TaskPart
from followups.services.outcomes import record_outcome
from scripts.models import ScriptVersion, ScriptVersionStatus

OPEN_CASES_AT = dt.time(7)
BUILD_LISTS_AT = dt.time(7, 30)
# Agents log in within this many seconds of a window opening, and take this long between
# two calls (notes, a sip of tea).
LOG_IN_SECONDS = (0, 120)
WRAP_UP_SECONDS = (20, 90)
# Nothing to hand out while colleagues hold every callable call: ask again after at most.
ASK_AGAIN = dt.timedelta(minutes=2)
AT_LEAST = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class NewCase:
    customer: Customer
    fields: dict  # open_case's fields besides the customer (kind, plan, anchor date, ...)


@dataclass
class History:
    rng: random.Random
    today: dt.date  # the history ends the day before
    cases: list[NewCase]
    agents: list
    supervisor: object
    rules: CallingRules  # the demo plans' calling policy
    deaths: dict[int, dt.date]  # customer id -> the day they died (nobody knows yet)
    first_day: dt.date
    versions: dict[int, ScriptVersion] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)


def make_history(history: History) -> None:
    """Live the days from history.first_day to the day before history.today; the cases
    anchored today or later are opened at the end, at the real moment."""
    history.versions = {
        version.pk: version
        for version in ScriptVersion.objects.filter(status=ScriptVersionStatus.PUBLISHED)
    }
    by_day: dict[dt.date, list[NewCase]] = defaultdict(list)
    for new in history.cases:
        by_day[max(new.fields["anchor_date"], history.first_day)].append(new)
    traveller = time_machine.travel(_at(history.first_day, OPEN_CASES_AT, history), tick=False)
    clock = traveller.start()
    try:
        day = history.first_day
        while day < history.today:
            clock.move_to(_at(day, OPEN_CASES_AT, history))
            for new in by_day.pop(day, []):
                open_case(customer=new.customer, **new.fields)
            clock.move_to(_at(day, BUILD_LISTS_AT, history))
            build_call_lists(day=day)
            for start, end in windows_on(day, history.rules):
                _work_window(history, clock, start, end)
            day += dt.timedelta(days=1)
        _take_up_escalations(history, clock)
    finally:
        traveller.stop()
    for day in sorted(by_day):
        for new in by_day[day]:
            open_case(customer=new.customer, **new.fields)


def _at(day: dt.date, time: dt.time, history: History) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=history.rules.zone)


def _work_window(history: History, clock, start: dt.datetime, end: dt.datetime) -> None:
    """The agents work one calling window: each asks for a call as soon as they are free.
    An agent told there is nothing now waits for the moment the claim names; with none
    (or one already past: people who may not be called again today), until a colleague's
    call puts someone back on the list for later in the window."""
    rng = history.rng
    ready = [
        (start + dt.timedelta(seconds=rng.randint(*LOG_IN_SECONDS)), index)
        for index in range(len(history.agents))
    ]
    heapq.heapify(ready)
    idle: set[int] = set()
    while ready:
        moment, index = heapq.heappop(ready)
        if moment >= end:
            continue
        clock.move_to(moment)
        agent = history.agents[index]
        claim = claim_next_call(agent=agent, now=moment)
        if claim.entry is None:
            wait_until = claim.next_possible_at
            if claim.reason == ALL_CLAIMED:
                wait_until = min(wait_until or moment + ASK_AGAIN, moment + ASK_AGAIN)
            elif wait_until is not None and wait_until <= moment:
                wait_until = None
            if wait_until is None:
                idle.add(index)
            else:
                heapq.heappush(ready, (max(wait_until, moment + AT_LEAST), index))
            continue
        ended, back_at = _call(history, clock, claim.entry, agent, moment)
        free = ended + dt.timedelta(seconds=rng.randint(*WRAP_UP_SECONDS))
        heapq.heappush(ready, (free, index))
        if back_at is not None and back_at < end:
            for other in sorted(idle):
                heapq.heappush(ready, (max(free, back_at), other))
            idle.clear()


def _call(
    history: History, clock, entry, agent, started: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None]:
    """Make the call the agent was handed, on every follow-up of the person it covers, and
    record it when it ends. Returns that moment, and the next moment the person may be
    called when the outcome planned one (a retry, a callback)."""
    rng, rules = history.rng, history.rules
    tasks = person_calls.carried_tasks(entry)
    version_of = script_versions_to_use(tasks)
    lead = tasks[0]
    version = history.versions[version_of[lead.pk]]
    call = calls.lead_call(
        rng,
        version.graph,
        case=lead.case,
        started=started,
        rules=rules,
        died_on=history.deaths.get(lead.case.customer_id),
    )
    parts = {}
    for task in tasks[1:]:
        other = history.versions.get(version_of[task.pk])
        part = TaskPart(script_version=other)
        if call.disposition in calls.REACHED and other is not None:
            said = calls.riding_along(rng, other.graph, day=started.astimezone(rules.zone).date())
            part = TaskPart(script_version=other, **said.on_script())
        parts[task.pk] = part
    ended = started + dt.timedelta(seconds=rng.randint(*CALL_SECONDS))
    clock.move_to(ended)
    result = record_outcome(
        agent=agent,
        entry=entry,
        idempotency_key=f"demo-{lead.pk}-{lead.attempts + 1}",
        started_at=started,
        ended_at=ended,
        now=ended,
        script_version=version,
        parts=parts,
        claim_token=claim_token(entry, agent),
        **call.recorded(),
    )
    if call.disposition == Disposition.DECEASED:
        # The family told the day: the agent corrects the one the outcome assumed (the call's).
        Patient.objects.filter(customer_id=lead.case.customer_id).update(
            died_on=history.deaths[lead.case.customer_id]
        )
    if result.escalation is not None:
        history.escalations.append(result.escalation)
    return ended, result.follow_up.earliest


def _take_up_escalations(history: History, clock) -> None:
    """How far each escalation has come by today: urgent ones are handled the same day,
    the rest are acknowledged after two days and resolved within a week."""
    for escalation in history.escalations:
        raised = escalation.created_at
        age_days = (history.today - center_day(raised)).days
        urgent = escalation.severity == EscalationSeverity.URGENT
        if age_days < (1 if urgent else 3):
            continue
        clock.move_to(raised + dt.timedelta(hours=1))
        escalation = escalation_workflow.acknowledge(
            escalation=escalation, by=history.supervisor, now=raised + dt.timedelta(hours=1)
        )
        if urgent or age_days > 7:
            resolved = raised + dt.timedelta(hours=3 if urgent else 48)
            clock.move_to(resolved)
            escalation_workflow.resolve(
                escalation=escalation,
                by=history.supervisor,
                resolution=URGENT_RESOLUTION if urgent else history.rng.choice(RESOLUTIONS),
                now=resolved,
            )
