"""The call record as evidence: each attempt keeps a fingerprint of its submit (a replay
must match it), the claim it was recorded under (one outcome a claim), how it stood with
the calling rules in force then (with those rules), and each answer the text the agent
was shown. Earlier attempts keep none of
these: their keys replay as before, and reports judge them by today's rules."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("followups", "0015_script_models_to_scripts_app")]

    operations = [
        migrations.AddField(
            model_name="callattempt",
            name="submit_digest",
            field=models.CharField(
                blank=True,
                help_text="Tells a replay of the submit from another submit reusing its key.",
                max_length=64,
                verbose_name="fingerprint of the submit",
            ),
        ),
        migrations.AddField(
            model_name="callattempt",
            name="claimed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The claim the outcome was recorded under: one outcome a claim.",
                null=True,
                verbose_name="claimed at",
            ),
        ),
        migrations.AddField(
            model_name="callattempt",
            name="rules_check",
            field=models.CharField(
                blank=True,
                choices=[
                    ("window", "in a window"),
                    ("booked", "booked callback"),
                    ("outside", "outside the rules"),
                ],
                help_text="How the call stood with the rules in force when it was made.",
                max_length=8,
                verbose_name="calling rules",
            ),
        ),
        migrations.AddField(
            model_name="callattempt",
            name="rules_in_force",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The calling rules of the day of the call, as they were then.",
                verbose_name="rules in force",
            ),
        ),
        migrations.AddField(
            model_name="scriptanswer",
            name="shown_text",
            field=models.TextField(
                blank=True,
                help_text="The step's text as the agent was shown it (empty where it was hidden).",
                verbose_name="text shown",
            ),
        ),
        migrations.AddConstraint(
            model_name="callattempt",
            constraint=models.UniqueConstraint(
                condition=models.Q(("claimed_at__isnull", False), ("same_call_as__isnull", True)),
                fields=("queue_entry", "agent", "claimed_at"),
                name="attempt_one_outcome_a_claim",
            ),
        ),
    ]
