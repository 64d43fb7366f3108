"""Each day's calls and script steps, counted (issue 18): the tables record_outcome adds each
call to (models/report_days.py), filled here from the calls already recorded. On PostgreSQL
in two grouped statements; elsewhere (the embedded SQLite) row by row in Python."""

import datetime
from collections import Counter, defaultdict

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# The calls that reached the person on a follow-up other than their first attempt's.
FILL_CALL_DAYS = """
INSERT INTO followups_callday (day, agent_id, script_version_id, attempts, reached_attempts,
    calls, reached_calls, handle_time, in_window, satisfied, neutral, dissatisfied, poor)
SELECT (a.started_at AT TIME ZONE %s)::date, a.agent_id, a.script_version_id, count(*),
    count(*) FILTER (WHERE a.disposition IN ('complete', 'partial')),
    count(*) FILTER (WHERE a.same_call_as_id IS NULL),
    count(*) FILTER (WHERE a.same_call_as_id IS NULL
        AND (a.disposition IN ('complete', 'partial') OR others.id IS NOT NULL)),
    coalesce(sum(a.ended_at - a.started_at) FILTER (WHERE a.same_call_as_id IS NULL),
        interval '0'),
    count(*) FILTER (WHERE a.same_call_as_id IS NULL AND a.rules_check = 'window'),
    count(*) FILTER (WHERE a.satisfaction = 'satisfied'),
    count(*) FILTER (WHERE a.satisfaction = 'neutral'),
    count(*) FILTER (WHERE a.satisfaction = 'dissatisfied'),
    count(*) FILTER (WHERE a.satisfaction = 'poor')
FROM followups_callattempt a
LEFT JOIN (
    SELECT DISTINCT same_call_as_id AS id FROM followups_callattempt
    WHERE same_call_as_id IS NOT NULL AND disposition IN ('complete', 'partial')
) others ON others.id = a.id
GROUP BY 1, 2, 3
"""
FILL_STEP_DAYS = """
INSERT INTO followups_scriptstepday (day, script_version_id, node_id, is_objection, calls,
    times, ended)
SELECT day, script_version_id, node_id, is_objection, count(DISTINCT attempt_id), count(*),
    count(*) FILTER (WHERE last)
FROM (
    SELECT (a.started_at AT TIME ZONE %s)::date AS day, a.script_version_id, s.attempt_id,
        s.node_id, s.is_objection,
        s.position = max(s.position) OVER (PARTITION BY s.attempt_id) AS last
    FROM followups_scriptanswer s JOIN followups_callattempt a ON a.id = s.attempt_id
    WHERE a.script_version_id IS NOT NULL
) steps
GROUP BY 1, 2, 3, 4
"""


def _fill_in_python(apps) -> None:
    """The same sums, call by call: for a database without the statements above."""
    attempts = apps.get_model("followups", "CallAttempt").objects
    zone = timezone.get_default_timezone()
    reached = {"complete", "partial"}
    reached_others = set(
        attempts.filter(same_call_as__isnull=False, disposition__in=reached).values_list(
            "same_call_as_id", flat=True
        )
    )
    days: dict[tuple, Counter] = defaultdict(Counter)
    handle: dict[tuple, datetime.timedelta] = defaultdict(datetime.timedelta)
    day_of, version_of = {}, {}
    for call in attempts.order_by("pk").iterator():
        day = timezone.localtime(call.started_at, zone).date()
        key = (day, call.agent_id, call.script_version_id)
        day_of[call.pk], version_of[call.pk] = day, call.script_version_id
        row = days[key]
        row["attempts"] += 1
        row["reached_attempts"] += call.disposition in reached
        if call.satisfaction:
            row[call.satisfaction] += 1
        if call.same_call_as_id is None:
            row["calls"] += 1
            row["reached_calls"] += call.disposition in reached or call.pk in reached_others
            row["in_window"] += call.rules_check == "window"
            handle[key] += call.ended_at - call.started_at
    CallDay = apps.get_model("followups", "CallDay")
    CallDay.objects.bulk_create(
        CallDay(day=day, agent_id=agent, script_version_id=version, handle_time=handle[key], **row)
        for key, row in days.items()
        for day, agent, version in [key]
    )
    paths = defaultdict(list)
    answers = apps.get_model("followups", "ScriptAnswer").objects.order_by("attempt", "position")
    for attempt_id, node_id, objection in answers.values_list(
        "attempt_id", "node_id", "is_objection"
    ).iterator():
        if version_of[attempt_id] is not None:
            paths[attempt_id].append((node_id, objection))
    steps: dict[tuple, Counter] = defaultdict(Counter)
    for attempt_id, path in paths.items():
        at = (day_of[attempt_id], version_of[attempt_id])
        for step in set(path):
            steps[(*at, *step)]["calls"] += 1
        for step in path:
            steps[(*at, *step)]["times"] += 1
        steps[(*at, *path[-1])]["ended"] += 1
    StepDay = apps.get_model("followups", "ScriptStepDay")
    StepDay.objects.bulk_create(
        StepDay(day=day, script_version_id=version, node_id=node, is_objection=objection, **row)
        for (day, version, node, objection), row in steps.items()
    )


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        _fill_in_python(apps)
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL_CALL_DAYS, [settings.TIME_ZONE])
        cursor.execute(FILL_STEP_DAYS, [settings.TIME_ZONE])


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0024_script_answer_one_index"),
        ("scripts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CallDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "attempts",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="One per follow-up a call settled.",
                        verbose_name="attempts",
                    ),
                ),
                (
                    "reached_attempts",
                    models.PositiveIntegerField(
                        default=0, verbose_name="attempts reaching the person"
                    ),
                ),
                (
                    "calls",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="One per phone call: its first attempt.",
                        verbose_name="calls",
                    ),
                ),
                (
                    "reached_calls",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Calls that reached the person on any follow-up.",
                        verbose_name="calls reaching the person",
                    ),
                ),
                (
                    "handle_time",
                    models.DurationField(default=datetime.timedelta, verbose_name="handle time"),
                ),
                (
                    "in_window",
                    models.PositiveIntegerField(
                        default=0, verbose_name="calls judged inside a calling window"
                    ),
                ),
                (
                    "satisfied",
                    models.PositiveIntegerField(default=0, verbose_name="rated satisfied"),
                ),
                ("neutral", models.PositiveIntegerField(default=0, verbose_name="rated neutral")),
                (
                    "dissatisfied",
                    models.PositiveIntegerField(default=0, verbose_name="rated dissatisfied"),
                ),
                ("poor", models.PositiveIntegerField(default=0, verbose_name="rated poor")),
                (
                    "agent",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="agent",
                    ),
                ),
                (
                    "script_version",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="scripts.scriptversion",
                        verbose_name="script version",
                    ),
                ),
            ],
            options={
                "verbose_name": "day of calls",
                "verbose_name_plural": "days of calls",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "agent", "script_version"),
                        name="call_day_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ScriptStepDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("node_id", models.CharField(max_length=60, verbose_name="node")),
                (
                    "is_objection",
                    models.BooleanField(default=False, verbose_name="objection handler"),
                ),
                ("calls", models.PositiveIntegerField(default=0, verbose_name="calls reaching it")),
                ("times", models.PositiveIntegerField(default=0, verbose_name="times visited")),
                (
                    "ended",
                    models.PositiveIntegerField(default=0, verbose_name="calls ending there"),
                ),
                (
                    "script_version",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="scripts.scriptversion",
                        verbose_name="script version",
                    ),
                ),
            ],
            options={
                "verbose_name": "day of a script step",
                "verbose_name_plural": "days of script steps",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "script_version", "node_id", "is_objection"),
                        name="script_step_day_key",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
