"""Stored report facts, second part (issue 18): each call's person and patient record and
whether a task was ever reached, which record_outcome now keeps as it stores the call (no
statement more: the call's own INSERT and the task's UPDATE carry them), and each review's
call (start, agent), kept as the review is saved; filled here from the rows already
recorded. Indexes that hold what the reports of a period group and count, so a year of
calls is read from them rather than from the call and task rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# On PostgreSQL set-based (a minute or two at a million calls); elsewhere row by row.
FILL_CALL_PEOPLE = """
UPDATE followups_callattempt a SET customer_id = c.customer_id, patient_id = c.patient_id
FROM followups_followuptask t JOIN followups_case c ON c.id = t.case_id
WHERE t.id = a.task_id
"""
PORTABLE_CALL_PEOPLE = """
UPDATE followups_callattempt
SET customer_id = (
    SELECT c.customer_id FROM followups_followuptask t JOIN followups_case c ON c.id = t.case_id
    WHERE t.id = followups_callattempt.task_id
), patient_id = (
    SELECT c.patient_id FROM followups_followuptask t JOIN followups_case c ON c.id = t.case_id
    WHERE t.id = followups_callattempt.task_id
)
"""
FILL_REVIEWED_CALLS = """
UPDATE followups_callreview SET call_started_at = (
    SELECT a.started_at FROM followups_callattempt a WHERE a.id = followups_callreview.attempt_id
), call_agent_id = (
    SELECT a.agent_id FROM followups_callattempt a WHERE a.id = followups_callreview.attempt_id
)
"""
FILL_TASK_REACHED = """
UPDATE followups_followuptask SET reached = true
WHERE EXISTS (
    SELECT 1 FROM followups_callattempt a
    WHERE a.task_id = followups_followuptask.id AND a.disposition IN ('complete', 'partial')
)
"""


def fill(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL_CALL_PEOPLE if postgres else PORTABLE_CALL_PEOPLE)
        cursor.execute(FILL_TASK_REACHED)
        cursor.execute(FILL_REVIEWED_CALLS)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0021_audit_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="callattempt",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="followups.customer",
                verbose_name="person called",
            ),
        ),
        migrations.AddField(
            model_name="callattempt",
            name="patient",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="followups.patient",
                verbose_name="patient record",
            ),
        ),
        migrations.AddField(
            model_name="callreview",
            name="call_agent",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="agent of the call",
            ),
        ),
        migrations.AddField(
            model_name="callreview",
            name="call_started_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="call started at"),
        ),
        migrations.AddField(
            model_name="followuptask",
            name="reached",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="reached on a call"
            ),
        ),
        # Backwards the columns go, and what was filled with them. Filled before the
        # indexes are built, which is faster than keeping them while filling.
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="callreview",
            index=models.Index(
                fields=["call_started_at"],
                include=("call_agent", "score"),
                name="call_review_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="followuptask", name="task_due_idx"),
        migrations.RemoveIndex(model_name="followuptask", name="task_case_status_idx"),
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(
                fields=["case", "status"],
                include=("due_date", "attempts", "reached"),
                name="task_case_status_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["id"], include=("customer", "patient", "kind"), name="case_facts_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["id"], include=("department",), name="patient_department_idx"
            ),
        ),
        migrations.RemoveIndex(model_name="followuptask", name="task_open_due_idx"),
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["due_date"],
                include=("case",),
                name="task_open_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(
                fields=["due_date"],
                include=("case", "last_agent", "last_disposition", "status", "attempts", "reached"),
                name="task_due_facts_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="callattempt",
            index=models.Index(
                condition=models.Q(("same_call_as__isnull", True)),
                fields=["started_at"],
                include=("id", "agent", "rules_check", "disposition", "ended_at"),
                name="attempt_calls_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="callattempt",
            index=models.Index(
                condition=models.Q(("disposition__in", ["complete", "partial"])),
                fields=["started_at"],
                include=("agent", "customer"),
                name="attempt_reached_people_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="callattempt",
            index=models.Index(
                condition=models.Q(("satisfaction", ""), _negated=True),
                fields=["started_at"],
                include=("agent", "patient", "satisfaction"),
                name="attempt_rated_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="callattempt",
            index=models.Index(
                condition=models.Q(
                    models.Q(("satisfaction", ""), _negated=True),
                    models.Q(("notes", ""), _negated=True),
                ),
                fields=["started_at"],
                include=("satisfaction",),
                name="attempt_remarks_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="callattempt",
            index=models.Index(
                condition=models.Q(("rules_check__in", ["", "booked", "outside"])),
                fields=["started_at"],
                name="attempt_not_in_window_idx",
            ),
        ),
    ]
