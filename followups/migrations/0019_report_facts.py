"""Stored report facts (Wave 2 — 7 of 7): each task's last call (disposition, agent,
start) and when a case's person was first reached, which record_outcome now keeps in the
transaction that stores a call; filled here from the calls already recorded. An index
for the discharge follow-up indicator, which counts cases by kind and anchor date."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The last call of each task by its start (then by id), as the reports ordered them, and
# the first call reaching the person (complete or partial) on any of a case's tasks. On
# PostgreSQL set-based (a minute or so at a million calls); elsewhere row by row.
FILL_LAST_CALLS = """
UPDATE followups_followuptask t
SET last_disposition = a.disposition, last_agent_id = a.agent_id, last_call_at = a.started_at
FROM (
    SELECT DISTINCT ON (task_id) task_id, disposition, agent_id, started_at
    FROM followups_callattempt ORDER BY task_id, started_at DESC, id DESC
) a
WHERE t.id = a.task_id
"""
FILL_REACHED = """
UPDATE followups_case c SET reached_at = r.first_reached
FROM (
    SELECT t.case_id, min(a.started_at) AS first_reached
    FROM followups_callattempt a JOIN followups_followuptask t ON t.id = a.task_id
    WHERE a.disposition IN ('complete', 'partial') GROUP BY t.case_id
) r
WHERE c.id = r.case_id
"""
PORTABLE_LAST_CALLS = """
UPDATE followups_followuptask
SET (last_disposition, last_agent_id, last_call_at) = (
    SELECT a.disposition, a.agent_id, a.started_at FROM followups_callattempt a
    WHERE a.task_id = followups_followuptask.id
    ORDER BY a.started_at DESC, a.id DESC LIMIT 1
)
WHERE EXISTS (SELECT 1 FROM followups_callattempt a WHERE a.task_id = followups_followuptask.id)
"""
PORTABLE_REACHED = """
UPDATE followups_case
SET reached_at = (
    SELECT min(a.started_at) FROM followups_callattempt a
    JOIN followups_followuptask t ON t.id = a.task_id
    WHERE t.case_id = followups_case.id AND a.disposition IN ('complete', 'partial')
)
"""


def fill(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL_LAST_CALLS if postgres else PORTABLE_LAST_CALLS)
        cursor.execute(FILL_REACHED if postgres else PORTABLE_REACHED)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0018_import_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="reached_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When a call first reached the person (complete or partial) on this case."
                ),
                null=True,
                verbose_name="first reached",
            ),
        ),
        migrations.AddField(
            model_name="followuptask",
            name="last_agent",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="agent of the last call",
            ),
        ),
        migrations.AddField(
            model_name="followuptask",
            name="last_call_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last call started"),
        ),
        migrations.AddField(
            model_name="followuptask",
            name="last_disposition",
            field=models.CharField(
                blank=True, max_length=16, verbose_name="last call's disposition"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["kind", "anchor_date"], name="case_kind_anchor_idx"),
        ),
        # Backwards the columns go, and what was filled with them.
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
