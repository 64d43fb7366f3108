"""Benchmark: weeks of discharge follow-up, simulated through the project's real code.

Creates (drops first) the database `huifang_bench_reach` and, for each retry policy, runs
the same cohort in a fresh copy of it: --patients discharges with anchor dates spread over
the first 3/5 of --days simulated days (21 of 35), a plan with steps at 3, 7 and 30 days
on the default calling policy (10:30–11:30 and 15:00–17:30, Asia/Shanghai), six agents.

Every simulated day: the day's discharge cases are opened at 07:00 (services.cases.open_case),
all six agents are put on the duty roster and the lists are built at 07:30
(services.call_lists.build_call_lists). The agents work shifts (two the morning window, two the
afternoon window, two both; from --shift-margin minutes before a window opens to as long
after it closes) and are discrete-event loops in one heap ordered by time: ask for the next
call (services.claims.claim_next_call), talk for the call's handling time, record the outcome
at its end (services.outcomes.record_outcome); with nothing handed out, wait until the
claim's next_possible_at or 2 minutes, whichever is sooner, but at least 30 s. The clock is
moved to every event (time_machine, tick=False) and the same moment is passed as `now`.

What the person called does is the bench's own seeded model (printed at the start): a
morning, afternoon or either type with an answer probability per half-day, a weekend
factor, away streaks of 1–3 days from a step's due date, empty and wrong numbers, family
members who answer and sometimes say when the patient can be reached, refusals, callback
requests (at times of the patient's choosing, in or out of the windows), and booked moments
that are mostly kept. Each person draws from their own random stream, so both policies
meet the same people and, call for call, the same luck.

Policies: "project" is whatever the project's code schedules after each outcome; "naive"
overrides it after every non-contact (no answer, busy, phone off, family): same time the
next day, unreachable after 3 attempts. Figures: reach within 7 days of the first step's
due date (and per task), attempts per reached patient, calls inside the windows, agent load
per window, empty claims while a colleague's call waited, late retries; and, from the
database, the phone calls per person and day (a call settling several follow-ups of a
person counts once) and the person-days with more than one list entry. Usage:

    DEBUG=1 .venv/bin/python bench/bench_reach.py [--patients 2000] [--days 35]
        [--seed 1] [--answer-scale 1.0] [--policies project,naive] [--start 2026-05-11]
        [--shift-margin 15] [--quick]

BENCH_DATABASE names another database (to run beside another copy of the bench).
"""

import datetime as dt
import heapq
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import common
from common import progress

PARSER = common.parser(
    __doc__, patients=2000, days=35, seed=1, answer_scale=1.0, policies="project,naive"
)
# 2026-05-11 is a Monday; the 35 days after it hold no public holiday (Dragon Boat
# Festival is 06-19). From 2026-03-02 the last days would meet Qingming (04-04..06).
PARSER.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 5, 11))
PARSER.add_argument("--shift-margin", type=int, default=15, help="minutes")
PARSER.add_argument("--quick", action="store_true", help="300 patients, 21 days")
# Each policy's run recreates the database (simulate): nothing is dropped here.
ARGS = common.start("huifang_bench_reach", PARSER, persistent=True, var_dir=True, recreate=False)

import time_machine  # noqa: E402
from reach_people import (  # noqa: E402 (the bench's own model, beside it)
    Person,
    call_outcome,
    describe_people,
    make_cohort,
)
from reach_project import (  # noqa: E402 (the adapter to the project, beside it)
    NAIVE_MAX_ATTEMPTS,
    PLAN_OFFSETS,
    ZONE,
    World,
    add_people,
    claim,
    colleague_call_waiting,
    day_windows,
    in_window,
    open_discharge_case,
    person_days,
    record,
    set_up_world,
    start_day,
    task_statuses,
)

# --- Simulation settings ----------------------------------------------------------------------

SHIFTS = ["morning", "morning", "afternoon", "afternoon", "both", "both"]
IDLE_MIN, IDLE_MAX = dt.timedelta(seconds=30), dt.timedelta(minutes=2)
REACHED = frozenset({"complete", "partial"})


# --- The simulation --------------------------------------------------------------------------


@dataclass
class Run:
    policy: str
    calls: list = field(default_factory=list)  # (person, offset, start, end, disposition, kind)
    # Per follow-up a call settled (the lead's and the others'): (person, offset, start,
    # disposition).
    settled: list = field(default_factory=list)
    empty_claims: int = 0
    empty_in_window: int = 0
    empty_colleague_waited: int = 0
    planned: dict = field(default_factory=dict)  # task id -> (moment, kind)
    delays: dict = field(default_factory=lambda: defaultdict(list))  # kind -> [seconds]
    errors: Counter = field(default_factory=Counter)
    listed: int = 0
    skipped: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    calls_per_person_day: list = field(default_factory=list)  # over person-days with a call
    doubled_person_days: int = 0  # person-days with more than one list entry
    shift_windows: list = field(default_factory=list)  # (start, end, half, agents on shift)
    seconds: float = 0.0
    world: World | None = None
    policy_text: str = ""


def shift_spans(world: World, day: dt.date):
    """Per window of the day: (start, end, half, [agent indexes on shift])."""
    spans = []
    for start, end in day_windows(world, day):
        half = "morning" if start.hour < 12 else "afternoon"
        agents = [i for i, shift in enumerate(SHIFTS) if shift in (half, "both")]
        spans.append((start, end, half, agents))
    return spans


def simulate(policy: str, people: list[Person], args) -> Run:
    run, began = Run(policy), time.perf_counter()
    common.fresh_database()
    world = run.world = set_up_world(len(SHIFTS))
    windows = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in day_windows(world, args.start))
    made = "made by the bench: migrate makes none" if world.default_policy_made else "migrate's"
    run.policy_text = f"default calling policy ({made}): windows {windows}"
    add_people(world, people)
    for person in people:
        person.rng = random.Random(f"{args.seed}-{person.idx}")
        person.appointment = None
    by_case, by_anchor = {}, defaultdict(list)
    for person in people:
        by_anchor[person.anchor].append(person)
    margin = dt.timedelta(minutes=args.shift_margin)
    at = dt.datetime.combine(args.start, dt.time(7), tzinfo=ZONE)
    traveller = time_machine.travel(at, tick=False)
    clock = traveller.start()
    try:
        for day_index in range(args.days):
            day = args.start + dt.timedelta(days=day_index)
            clock.move_to(dt.datetime.combine(day, dt.time(7), tzinfo=ZONE))
            for person in by_anchor[day]:
                by_case[open_discharge_case(world, person)] = person
            clock.move_to(dt.datetime.combine(day, dt.time(7, 30), tzinfo=ZONE))
            added, skipped = start_day(world, day)
            run.listed += added
            run.skipped += skipped
            calls_before = len(run.calls)
            heap, seq = [], 0
            for start, end, half, agents in shift_spans(world, day):
                run.shift_windows.append((start, end, half, len(agents)))
                for order, agent in enumerate(agents):
                    first = start - margin + dt.timedelta(seconds=7 * order)
                    heap.append((first, seq := seq + 1, agent, end + margin, None))
            heapq.heapify(heap)
            while heap:
                moment, _, agent, span_end, call = heapq.heappop(heap)
                clock.move_to(moment)
                user = world.agents[agent]
                if call is not None:
                    finish(run, world, user, call, moment, naive=policy == "naive")
                    if moment < span_end:
                        heapq.heappush(heap, (moment, seq := seq + 1, agent, span_end, None))
                    continue
                handed, next_at = claim(user, moment)
                if handed is None:
                    empty_claim(run, world, user, moment)
                    wait = IDLE_MAX if next_at is None else min(IDLE_MAX, next_at - moment)
                    following = moment + max(IDLE_MIN, wait)
                    if following < span_end:
                        heapq.heappush(heap, (following, seq := seq + 1, agent, span_end, None))
                    continue
                person = by_case[handed.case_id]
                planned = run.planned.pop(handed.task_id, None)
                if planned is not None:
                    run.delays[planned[1]].append((moment - planned[0]).total_seconds())
                disposition, seconds, callback_at = call_outcome(person, moment, args.answer_scale)
                ended = moment + dt.timedelta(seconds=seconds)
                offset = world.step_offset.get(handed.step_id)
                run.calls.append((person.idx, offset, moment, ended, disposition, handed.kind))
                call = (handed, person.idx, disposition, moment, callback_at)
                heapq.heappush(heap, (ended, seq := seq + 1, agent, span_end, call))
            progress(f"{policy} {day} listed {added:4d} calls {len(run.calls) - calls_before:4d}")
        run.statuses = task_statuses()
        run.calls_per_person_day, run.doubled_person_days = person_days()
    finally:
        traveller.stop()
    run.seconds = time.perf_counter() - began
    return run


def finish(run: Run, world: World, user, call, ended: dt.datetime, *, naive: bool) -> None:
    handed, idx, disposition, started, callback_at = call
    settled, error = record(
        user, handed, disposition=disposition, started_at=started, ended_at=ended,
        callback_at=callback_at, naive=naive,
    )  # fmt: skip
    if error:
        run.errors[error] += 1
    for task_id, step_id, settled_as, planned, kind in settled:
        run.settled.append((idx, world.step_offset.get(step_id), started, settled_as))
        # A follow-up re-planned earlier and settled now on its person's call, led by another.
        earlier = run.planned.pop(task_id, None) if task_id != handed.task_id else None
        if earlier is not None:
            run.delays[earlier[1]].append((started - earlier[0]).total_seconds())
        if planned is not None:
            run.planned[task_id] = (planned, kind)


def empty_claim(run: Run, world: World, user, moment: dt.datetime) -> None:
    run.empty_claims += 1
    if in_window(world, moment):
        run.empty_in_window += 1
        run.empty_colleague_waited += colleague_call_waiting(user, moment)


# --- Figures ---------------------------------------------------------------------------------


def share(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else float("nan")


def figures(run: Run, people: list[Person], args) -> dict:
    last_day = args.start + dt.timedelta(days=args.days - 1)
    horizon_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=ZONE)
    valid = [p for p in people if p.number == "ok"]
    reached_on: dict[tuple[int, int], dt.date] = {}
    for idx, offset, start, disposition in run.settled:
        if disposition in REACHED:
            key, day = (idx, offset), start.astimezone(ZONE).date()
            reached_on[key] = min(day, reached_on.get(key, day))

    def reached_within(person: Person, offset: int) -> bool:
        due = person.anchor + dt.timedelta(days=offset)
        day = reached_on.get((person.idx, offset))
        return day is not None and day <= due + dt.timedelta(days=7)

    first = sum(reached_within(p, PLAN_OFFSETS[0]) for p in valid)
    per_step = {}
    for offset in PLAN_OFFSETS:
        eligible = [p for p in valid if p.anchor + dt.timedelta(days=offset + 7) <= last_day]
        per_step[offset] = (sum(reached_within(p, offset) for p in eligible), len(eligible))
    # Attempts on the first step: the calls that settled it (led by it or not).
    first_calls = sum(1 for c in run.settled if c[1] == PLAN_OFFSETS[0])
    first_reached = sum(1 for (_idx, offset) in reached_on if offset == PLAN_OFFSETS[0])
    # The other reading of "attempts per reached patient": the calls a reached patient
    # took, up to and including the one that reached them.
    until_reached: Counter = Counter()
    reached_at: dict[int, dt.datetime] = {}
    for idx, offset, start, disposition in sorted(run.settled, key=lambda c: c[2]):
        if offset != PLAN_OFFSETS[0] or idx in reached_at:
            continue
        until_reached[idx] += 1
        if disposition in REACHED:
            reached_at[idx] = start
    calls_to_reach = sum(until_reached[idx] for idx in reached_at)
    regular = [c for c in run.calls if c[5] != "callback"]
    busy, capacity, outside = Counter(), Counter(), 0.0
    windows = [(s, e, half) for s, e, half, _n in run.shift_windows]
    for start, end, half, on_shift in run.shift_windows:
        capacity[half] += on_shift * (end - start).total_seconds()
    for _idx, _offset, start, end, _d, _k in run.calls:
        inside = 0.0
        for w_start, w_end, half in windows:
            overlap = (min(end, w_end) - max(start, w_start)).total_seconds()
            if overlap > 0:
                busy[half] += overlap
                inside += overlap
        outside += (end - start).total_seconds() - inside
    per_day = run.calls_per_person_day
    return {
        "person_days": len(per_day),
        "calls_per_person_day": statistics.mean(per_day) if per_day else float("nan"),
        "max_calls_per_person_day": max(per_day, default=0),
        "several_calls": share(sum(n > 1 for n in per_day), len(per_day)),
        "first": share(first, len(valid)),
        "per_step": per_step,
        "per_task": share(
            sum(r for r, _ in per_step.values()), sum(n for _, n in per_step.values())
        ),
        "attempts": first_calls / first_reached if first_reached else float("nan"),
        "first_calls": first_calls,
        "calls_to_reach": calls_to_reach / len(reached_at) if reached_at else float("nan"),
        "first_reached": first_reached,
        "in_window": share(sum(in_window(run.world, c[2]) for c in regular), len(regular)),
        "regular": len(regular),
        "load": {half: share(busy[half], capacity[half]) for half in ("morning", "afternoon")},
        "outside_minutes": outside / 60,
        "valid": len(valid),
        "never_run": sum(at < horizon_end for at, _kind in run.planned.values()),
    }


def report(run: Run, fig: dict, people: list[Person]) -> None:
    print(f"\n== policy: {run.policy} ({run.seconds:.0f} s) ==\n  {run.policy_text}")
    print(
        f"  patients {len(people)}, with a valid number {fig['valid']}; calls made"
        f" {len(run.calls)}; entries listed {run.listed}; build skips (summed over the days)"
        f" {dict(run.skipped)}"
    )
    print(f"  dispositions {dict(Counter(c[4] for c in run.calls).most_common())}")
    print(
        f"  follow-ups settled {len(run.settled)} on {len(run.calls)} calls; calls per person"
        f" per day (over the {fig['person_days']} person-days with a call): mean"
        f" {fig['calls_per_person_day']:.3f}, max {fig['max_calls_per_person_day']}, more than"
        f" one call on {fig['several_calls']:.2f} %; person-days with more than one list"
        f" entry: {run.doubled_person_days}"
    )
    print(f"  reached within 7 days of the first step's due date: {fig['first']:.1f} %")
    steps = ", ".join(
        f"day {o}: {share(r, n):.1f} % of {n}" if n else f"day {o}: none in the horizon"
        for o, (r, n) in fig["per_step"].items()
    )
    print(f"  per task (due + 7 inside the horizon): {steps}; all: {fig['per_task']:.1f} %")
    print(
        f"  attempts per reached patient (first step): {fig['attempts']:.1f}"
        f" ({fig['first_calls']} calls / {fig['first_reached']} reached);"
        f" calls a reached patient took, up to the reaching one: {fig['calls_to_reach']:.2f}\n"
        f"  non-callback calls inside the windows: {fig['in_window']:.1f} % of {fig['regular']}"
    )
    print(
        f"  agent load: morning {fig['load']['morning']:.1f} %, afternoon"
        f" {fig['load']['afternoon']:.1f} % (busy ÷ agents on shift × window minutes);"
        f" busy outside the windows {fig['outside_minutes']:.1f} min"
    )
    print(
        f"  empty claims {run.empty_claims}, inside a window {run.empty_in_window}, of which"
        f" a colleague's callable call waited: {run.empty_colleague_waited}"
        f" ({share(run.empty_colleague_waited, run.empty_in_window):.1f} %)"
    )
    for kind, delays in sorted(run.delays.items()):
        late = sum(d > 3600 for d in delays)
        print(
            f"  re-planned calls of kind {kind!r} that ran: {len(delays)}, more than 1 h after"
            f" the planned moment: {late} ({share(late, len(delays)):.1f} %), median delay"
            f" {statistics.median(delays) / 60:.1f} min"
        )
    print(f"  re-planned calls due inside the horizon, never run: {fig['never_run']}")
    print(f"  task statuses at the end: {dict(run.statuses.most_common())}")
    if run.errors:
        print(f"  outcomes the project refused: {dict(run.errors)}")


def print_model(args, people: list[Person]) -> None:
    print(
        f"Reach benchmark: {args.patients} patients discharged over {args.discharge_days} days,"
        f" {args.days} days simulated from {args.start} ({args.start:%A}), seed {args.seed},"
        f" answer scale {args.answer_scale}, policies {', '.join(args.policies)}\n"
        f"  plan steps at {PLAN_OFFSETS} days (attempts: the model's default); the people:\n"
        f"{describe_people(people)}\n"
        f"  shifts: all six on the duty roster every day; an agent asks for calls from"
        f" {args.shift_margin} min before each window of their shift to {args.shift_margin} min"
        " after it"
    )
    for n, shift in enumerate(SHIFTS, start=1):
        halves = ["morning", "afternoon"] if shift == "both" else [shift]
        print(f"    bench-agent{n}: {shift:<9} ({' and '.join(halves)} window)")
    print(
        "  naive policy: after no_answer/busy/phone_off/family, earliest_at = the call's start"
        f" + 1 day, kind retry; unreachable after {NAIVE_MAX_ATTEMPTS} attempts"
    )


def main() -> None:
    args = ARGS
    if args.quick:
        args.patients, args.days = 300, 21
    args.discharge_days = max(1, round(args.days * 3 / 5))
    args.policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    unknown = set(args.policies) - {"project", "naive"}
    if unknown:
        PARSER.error(f"unknown policies: {', '.join(sorted(unknown))}")

    began = time.perf_counter()
    people = make_cohort(args, PLAN_OFFSETS)
    print_model(args, people)
    results = {}
    for policy in args.policies:
        run = simulate(policy, people, args)
        results[policy] = figures(run, people, args)
        report(run, results[policy], people)
    if {"project", "naive"} <= results.keys():
        p, n = results["project"], results["naive"]
        print(
            f"\nproject minus naive: first-step reach {p['first'] - n['first']:+.1f} points,"
            f" per-task reach {p['per_task'] - n['per_task']:+.1f} points, calls in windows"
            f" {p['in_window'] - n['in_window']:+.1f} points, load morning"
            f" {p['load']['morning'] - n['load']['morning']:+.1f} / afternoon"
            f" {p['load']['afternoon'] - n['load']['afternoon']:+.1f} points, attempts per"
            f" reached patient {p['attempts'] - n['attempts']:+.1f}"
        )
    print(f"\nTotal time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
