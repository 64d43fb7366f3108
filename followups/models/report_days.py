"""Each day's calls, counted as they are recorded (issue 18): what the dashboard, the agent
summary and the script funnel read for a period instead of grouping a year of calls.

record_outcome adds each call's figures in the transaction that stores the call (one
upsert a table, services/report_days.py); calls are never edited afterwards, so the rows
stay the sums of the calls. Migration 0025 filled them from the calls already recorded, and
tests/reports/test_report_days.py holds them equal to a recount from the calls after any
run of outcomes. A day is the call center's day of the call's start (clock.center_day).

They have no department or case kind: a report narrowed to those reads the calls
themselves (a fraction of them)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import protected_fk

# What tells one row of a table from another, after its day (the Meta of a model cannot
# read the model's own attributes, hence here).
CALL_DAY_KEY = ("agent", "script_version")
STEP_DAY_KEY = ("script_version", "node_id", "is_objection")


def _count(verbose_name, help_text="") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose_name, default=0, help_text=help_text)


class DayFigures(models.Model):
    """Counters of one day and key (``KEY``: the fields after the day), each row the sums
    of the calls it counts; ``COUNTS`` the counters record_outcome adds to."""

    KEY: tuple[str, ...] = ()
    COUNTS: tuple[str, ...] = ()

    day = models.DateField(_("day"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        key = " ".join(str(getattr(self, self._meta.get_field(name).attname)) for name in self.KEY)
        return f"{self.day} {key}"


def one_row_a_day(name: str, *key: str, **options) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["day", *key], name=name, **options)


class CallDay(DayFigures):
    """One agent's calls of one day on one script version (none: a call without script)."""

    KEY = CALL_DAY_KEY
    COUNTS = (
        "attempts",
        "reached_attempts",
        "calls",
        "reached_calls",
        "in_window",
        "satisfied",
        "neutral",
        "dissatisfied",
        "poor",
        "handle_time",
    )

    agent = protected_fk(settings.AUTH_USER_MODEL, "+", _("agent"), db_index=False)
    script_version = models.ForeignKey(
        "scripts.ScriptVersion",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_index=False,
        verbose_name=_("script version"),
    )
    attempts = _count(_("attempts"), _("One per follow-up a call settled."))
    reached_attempts = _count(_("attempts reaching the person"))
    calls = _count(_("calls"), _("One per phone call: its first attempt."))
    reached_calls = _count(
        _("calls reaching the person"), _("Calls that reached the person on any follow-up.")
    )
    handle_time = models.DurationField(_("handle time"), default=dt.timedelta)
    in_window = _count(_("calls judged inside a calling window"))
    satisfied = _count(_("rated satisfied"))
    neutral = _count(_("rated neutral"))
    dissatisfied = _count(_("rated dissatisfied"))
    poor = _count(_("rated poor"))

    class Meta:
        verbose_name = _("day of calls")
        verbose_name_plural = _("days of calls")
        constraints = [
            one_row_a_day("call_day_key", *CALL_DAY_KEY, nulls_distinct=False),
        ]


class ScriptStepDay(DayFigures):
    """One node (or objection handler) of one script version on one day: the calls whose
    path reached it, the times it was visited, the calls whose path ended there."""

    KEY = STEP_DAY_KEY
    COUNTS = ("calls", "times", "ended")

    script_version = protected_fk("scripts.ScriptVersion", "+", _("script version"), db_index=False)
    node_id = models.CharField(_("node"), max_length=60)
    is_objection = models.BooleanField(_("objection handler"), default=False)
    calls = _count(_("calls reaching it"))
    times = _count(_("times visited"))
    ended = _count(_("calls ending there"))

    class Meta:
        verbose_name = _("day of a script step")
        verbose_name_plural = _("days of script steps")
        constraints = [one_row_a_day("script_step_day_key", *STEP_DAY_KEY)]


class DueDay(models.Model):
    """The follow-up tasks due on one past day, counted as the follow-up rate counts them
    (reports/due_days.py): per agent of the last call, per department and case kind, per
    outcome (the reach funnel and AAPOR rates), and the people behind them.

    A copy, never the truth: the database deletes a day's row in the statement that
    changes any task due that day, or what the counts read of the case, patient or person
    behind one (triggers of migration 0026, PostgreSQL only), and the reports count the
    days without a row from the tasks. The morning build counts the past days without a
    row (services/due_days.py)."""

    day = models.DateField(_("due day"), primary_key=True)
    # [[agent id or None, due, called, reached, window missed], …]
    agents = models.JSONField(_("by agent of the last call"), default=list)
    # [[department id or None, case kind, due, called, reached, window missed], …]
    departments = models.JSONField(_("by department and case kind"), default=list)
    # [[case kind, last disposition, called, reached, no number, died, tasks], …]
    outcomes = models.JSONField(_("by outcome"), default=list)
    # The customers' ids, packed (reports/due_days.packed): people with a task due that
    # day, of those with one called, and with one reached.
    people_due = models.BinaryField(_("people due"), default=bytes)
    people_called = models.BinaryField(_("people called"), default=bytes)
    people_reached = models.BinaryField(_("people reached"), default=bytes)
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("due day")
        verbose_name_plural = _("due days")

    def __str__(self) -> str:
        return self.day.isoformat()
