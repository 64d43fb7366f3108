"""Script answers keep one index: the unique (attempt, position) leads with the call, so the
foreign key's own index (27 MB at 1M calls) only cost every outcome its writes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0023_report_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scriptanswer",
            name="attempt",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="answers",
                to="followups.callattempt",
                verbose_name="call attempt",
            ),
        ),
    ]
