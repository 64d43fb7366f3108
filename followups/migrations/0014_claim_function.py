"""The claim of the next call as a database function (filled in below)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("followups", "0013_one_entry_per_person_constraints")]

    operations = []
