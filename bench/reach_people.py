"""The people bench_reach.py calls: the bench's own seeded model of who answers when
(types by half of the day, weekends, absences, wrong and empty numbers, relatives, refusals,
callbacks at times of their own choosing). Plain Python: nothing of the project."""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")

TYPE_SHARES = {"morning": 0.35, "afternoon": 0.35, "either": 0.30}
ANSWER = {"morning": (0.55, 0.15), "afternoon": (0.15, 0.55), "either": (0.40, 0.40)}  # AM, PM
WEEKEND_FACTOR = 1.1  # weekday 1.0
ANSWER_CAP = 0.95
AWAY_SHARE, AWAY_DAYS = 0.20, (1, 3)  # per step: away from its due date for 1-3 days
EMPTY_SHARE, WRONG_SHARE = 0.05, 0.05
FAMILY_SHARE, FAMILY_GIVES_TIME = 0.10, 0.5  # of calls the patient does not answer
REFUSED, CALLBACK, PARTIAL = 0.03, 0.08, 0.03  # of answered calls; the rest complete
KEPT_ANSWER, KEPT_BEFORE, KEPT_AFTER = 0.80, dt.timedelta(minutes=15), dt.timedelta(minutes=60)
NON_ANSWER = {"no_answer": 0.70, "busy": 0.15, "phone_off": 0.15}
NON_ANSWER_AWAY = {"no_answer": 0.60, "busy": 0.0, "phone_off": 0.40}
MOMENT_TIMES = [dt.time(*t) for t in ((9,), (10,), (10, 45), (11, 15), (14,), (15, 30),
                                      (16, 30), (19,), (20,))]  # fmt: skip
HANDLING = {  # seconds, wrap-up included: fixed or (low, high)
    "no_answer": 60, "busy": 20, "phone_off": 20, "wrong_number": 30, "complete": (180, 360),
    "partial": (90, 180), "family": (60, 120), "callback": 60, "refused": 60,
}  # fmt: skip


@dataclass
class Person:
    idx: int
    kind: str
    number: str  # ok, empty, wrong
    anchor: dt.date
    away: list[tuple[dt.date, dt.date]]  # inclusive
    phone: str = ""
    records: tuple = ()
    rng: random.Random | None = None
    appointment: dt.datetime | None = None


def make_cohort(args, offsets: tuple[int, ...]) -> list[Person]:
    rng = random.Random(args.seed)
    people = []
    for idx in range(args.patients):
        kind = rng.choices(list(TYPE_SHARES), weights=list(TYPE_SHARES.values()))[0]
        draw = rng.random()
        number = (
            "empty" if draw < EMPTY_SHARE else "wrong" if draw < EMPTY_SHARE + WRONG_SHARE else "ok"
        )
        anchor = args.start + dt.timedelta(days=rng.randrange(args.discharge_days))
        away = []
        for offset in offsets:
            if rng.random() < AWAY_SHARE:
                first = anchor + dt.timedelta(days=offset)
                away.append((first, first + dt.timedelta(days=rng.randint(*AWAY_DAYS) - 1)))
        phone = "" if number == "empty" else f"+86138{idx + 1:08d}"
        people.append(Person(idx, kind, number, anchor, away, phone))
    return people


def moment_after(start: dt.datetime, rng: random.Random, not_before: dt.datetime) -> dt.datetime:
    """A plausible moment a person names: one of MOMENT_TIMES, 1 to 48 hours on (or from
    `not_before` when later), on any day of the week."""
    low = max(start + dt.timedelta(hours=1), not_before)
    high = low + dt.timedelta(hours=48) if not_before > start else start + dt.timedelta(hours=48)
    options = [
        dt.datetime.combine(low.date() + dt.timedelta(days=d), t, tzinfo=ZONE)
        for d in range(4)
        for t in MOMENT_TIMES
    ]
    return rng.choice([o for o in options if low <= o <= high] or options[-1:])


def answer_probability(person: Person, start: dt.datetime, scale: float) -> tuple[float, bool]:
    day = start.date()
    if any(first <= day <= last for first, last in person.away):
        return 0.0, False
    booked = person.appointment
    kept = booked is not None and booked - KEPT_BEFORE <= start <= booked + KEPT_AFTER
    base = KEPT_ANSWER if kept else ANSWER[person.kind][0 if start.hour < 12 else 1]
    factor = WEEKEND_FACTOR if start.weekday() >= 5 else 1.0
    return min(ANSWER_CAP, base * factor * scale), kept


def seconds_for(disposition: str, rng: random.Random) -> float:
    spec = HANDLING[disposition]
    return float(spec) if isinstance(spec, int) else rng.uniform(*spec)


def call_outcome(person: Person, start: dt.datetime, scale: float):
    """(disposition, handling seconds, callback moment or None) of a call started at `start`."""
    rng = person.rng
    if person.number == "wrong":
        return "wrong_number", seconds_for("wrong_number", rng), None
    p, kept = answer_probability(person, start, scale)
    if rng.random() < p:
        person.appointment = None
        draw, moment = rng.random(), None
        if draw < REFUSED:
            disposition = "refused"
        elif draw < REFUSED + CALLBACK and not kept:
            disposition = "callback"
            moment = person.appointment = moment_after(start, rng, start)
        elif draw < REFUSED + CALLBACK + PARTIAL:
            disposition = "partial"
        else:
            disposition = "complete"
        return disposition, seconds_for(disposition, rng), moment
    if rng.random() < min(ANSWER_CAP, FAMILY_SHARE * scale):
        moment = None
        if rng.random() < FAMILY_GIVES_TIME:
            back = max((last for first, last in person.away if first <= start.date() <= last),
                       default=start.date() - dt.timedelta(days=1))  # fmt: skip
            not_before = dt.datetime.combine(back + dt.timedelta(days=1), dt.time(), tzinfo=ZONE)
            moment = person.appointment = moment_after(start, rng, max(start, not_before))
        return "family", seconds_for("family", rng), moment
    split = NON_ANSWER_AWAY if p == 0.0 else NON_ANSWER
    disposition = rng.choices(list(split), weights=list(split.values()))[0]
    return disposition, seconds_for(disposition, rng), None


def describe_people(people: list[Person]) -> str:
    """Every parameter of the model, and the cohort drawn from it, as the bench prints them."""
    kinds = dict(Counter(person.kind for person in people))
    numbers = dict(Counter(person.number for person in people))
    return (
        f"  types {TYPE_SHARES}; answer probability (AM, PM) {ANSWER}\n"
        f"  weekend factor {WEEKEND_FACTOR}, cap {ANSWER_CAP}; away (never answers): in"
        f" {AWAY_SHARE:.0%} of steps, {AWAY_DAYS[0]}-{AWAY_DAYS[1]} days from its due date\n"
        f"  numbers {EMPTY_SHARE:.0%} empty, {WRONG_SHARE:.0%} wrong; a relative answers"
        f" {FAMILY_SHARE:.0%} of calls the patient does not, names a moment the patient is in"
        f" {FAMILY_GIVES_TIME:.0%} of the time (passed as callback_at)\n"
        f"  answered: {REFUSED:.0%} refuse, {CALLBACK:.0%} book a callback 1-48 h on at"
        f" {', '.join(f'{t:%H:%M}' for t in MOMENT_TIMES)}, {PARTIAL:.0%} partial, the rest"
        f" complete; a named moment is kept (answer p {KEPT_ANSWER}) from 15 min before to 60"
        f" after\n  not answered: {NON_ANSWER}; when away {NON_ANSWER_AWAY}\n"
        f"  handling seconds (wrap-up included): {HANDLING}\n"
        "  every answer probability (the relative's too) is multiplied by the answer scale\n"
        f"  cohort: types {kinds}, numbers {numbers}"
    )
