"""The call scripts and their versions come over from followups, as they are.

State only: the tables stay followups_callscript and followups_scriptversion, with their
constraints and indexes, so nothing in the database is touched. followups 0015 then points
its foreign keys here, forgets its own copies of the two models and moves their content
types (and with them the permissions and the admin log) and the audit trail's targets.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CASE_KINDS = [
    ("discharge", "Discharge follow-up"),
    ("missed_appointment", "Missed appointment"),
    ("consultation", "Consultation not yet booked"),
    ("purchase", "Purchase"),
    ("policy", "Insurance policy verification"),
    ("after_sales", "After-sales satisfaction"),
    ("complaint", "Complaint follow-up"),
]
STATUSES = [("draft", "Draft"), ("published", "Published"), ("retired", "Retired")]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("followups", "0014_claim_function"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CallScript",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(max_length=120, unique=True, verbose_name="name"),
                        ),
                        ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                        (
                            "case_kind",
                            models.CharField(
                                blank=True,
                                choices=CASE_KINDS,
                                max_length=24,
                                verbose_name="case kind",
                            ),
                        ),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                    ],
                    options={
                        "verbose_name": "call script",
                        "verbose_name_plural": "call scripts",
                        "db_table": "followups_callscript",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="ScriptVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.PositiveIntegerField(verbose_name="version")),
                        (
                            "status",
                            models.CharField(
                                choices=STATUSES,
                                default="draft",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("graph", models.JSONField(default=dict, verbose_name="script graph")),
                        (
                            "change_note",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="change note"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "published_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="published at"
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="created by",
                            ),
                        ),
                        (
                            "published_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="published by",
                            ),
                        ),
                        (
                            "script",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="versions",
                                to="scripts.callscript",
                                verbose_name="script",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "script version",
                        "verbose_name_plural": "script versions",
                        "db_table": "followups_scriptversion",
                        "ordering": ["script", "-number"],
                        "permissions": [
                            ("publish_scriptversion", "Can publish and retire script versions")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("script", "number"), name="version_number_per_script"
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "published")),
                                fields=("script",),
                                name="one_published_version_per_script",
                            ),
                        ],
                    },
                ),
            ],
        )
    ]
