"""One entry per person and day: each queue entry names its person; where a day's list held
several entries of one person, they become one (the one still to be worked, else the one
worked), and the calls recorded on the others move to it. No task, attempt or answer is
removed: tasks ride along with the person's entry, attempts only change the entry they
name. Calls already made on an entry are counted (the daily limit per person)."""

import django.db.models.deletion
from django.db import migrations, models

KEEP_ORDER = {"claimed": 0, "waiting": 1, "done": 2, "cancelled": 3}


def merge_people(apps, schema_editor):
    QueueEntry = apps.get_model("followups", "QueueEntry")
    CallAttempt = apps.get_model("followups", "CallAttempt")
    customer_of = {}
    rows = QueueEntry.objects.values_list("pk", "task__case__customer_id").iterator(chunk_size=5000)
    batch = []
    for pk, customer_id in rows:
        customer_of[pk] = customer_id
        batch.append(QueueEntry(pk=pk, customer_id=customer_id))
        if len(batch) >= 5000:
            QueueEntry.objects.bulk_update(batch, ["customer"])
            batch = []
    QueueEntry.objects.bulk_update(batch, ["customer"])

    duplicated = (
        QueueEntry.objects.values("call_list_id", "customer_id")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
    )
    for group in duplicated.iterator():
        entries = sorted(
            QueueEntry.objects.filter(
                call_list_id=group["call_list_id"], customer_id=group["customer_id"]
            ),
            key=lambda entry: (KEEP_ORDER.get(entry.status, 9), entry.priority, entry.pk),
        )
        keeper, others = entries[0], entries[1:]
        other_ids = [entry.pk for entry in others]
        CallAttempt.objects.filter(queue_entry_id__in=other_ids).update(queue_entry=keeper)
        QueueEntry.objects.filter(pk__in=other_ids).delete()

    counts = (
        CallAttempt.objects.filter(queue_entry__isnull=False)
        .values("queue_entry_id")
        .annotate(n=models.Count("pk"))
    )
    for row in counts.iterator():
        QueueEntry.objects.filter(pk=row["queue_entry_id"]).update(
            calls_made=min(row["n"], 32767)
        )
    if schema_editor.connection.vendor == "postgresql":
        # The new column's index is made at the end of this migration, and PostgreSQL makes
        # no index on a table with row changes whose deferred checks are still pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0011_person_level_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="queueentry",
            name="customer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="queue_entries",
                to="followups.customer",
                verbose_name="person",
            ),
        ),
        migrations.AddField(
            model_name="queueentry",
            name="calls_made",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Calls made to the person on this list's day (at most the daily limit).",
                verbose_name="calls made",
            ),
        ),
        migrations.RunPython(merge_people, migrations.RunPython.noop, elidable=False),
    ]
