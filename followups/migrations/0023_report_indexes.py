"""Covering indexes for the reports of a year (issue 18), each replacing an index the same
rows already wrote, so recording an outcome writes no index more: the calls of a period by
script version and disposition (the dashboard's version table), and each call's script
path with its nodes (the scripts page's last node of each call, read from the index alone).
SQLite ignores the included columns."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0022_report_call_facts"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="callattempt", name="attempt_started_idx"),
        migrations.AddIndex(
            model_name="callattempt",
            index=models.Index(
                fields=["started_at"],
                include=("script_version", "disposition"),
                name="attempt_started_idx",
            ),
        ),
        migrations.RemoveConstraint(model_name="scriptanswer", name="one_answer_per_path_position"),
        migrations.AddConstraint(
            model_name="scriptanswer",
            constraint=models.UniqueConstraint(
                fields=("attempt", "position"),
                include=("node_id", "is_objection"),
                name="one_answer_per_path_position",
            ),
        ),
    ]
