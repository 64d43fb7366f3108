"""One entry per person and day, held by the database (after 0012 filled and merged the
entries); the calls of a person settled together are linked to the call's lead attempt.
Kept apart from 0012: PostgreSQL alters no table with row changes of the same transaction
still to check."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0012_one_entry_per_person"),
    ]

    operations = [
        migrations.AlterField(
            model_name="queueentry",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="queue_entries",
                to="followups.customer",
                verbose_name="person",
            ),
        ),
        migrations.AlterField(
            model_name="queueentry",
            name="task",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="queue_entries",
                to="followups.followuptask",
                verbose_name="lead follow-up",
            ),
        ),
        migrations.AddConstraint(
            model_name="queueentry",
            constraint=models.UniqueConstraint(
                fields=("call_list", "customer"), name="one_entry_per_person_per_day"
            ),
        ),
        migrations.AlterField(
            model_name="callattempt",
            name="idempotency_key",
            field=models.CharField(max_length=90, unique=True, verbose_name="idempotency key"),
        ),
        migrations.AddField(
            model_name="callattempt",
            name="same_call_as",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Set on the other follow-ups settled on one call to a person: the attempt of"
                    " the call's lead follow-up. Counts of calls leave these out."
                ),
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="settled_with",
                to="followups.callattempt",
                verbose_name="recorded on the call of",
            ),
        ),
    ]
