"""Plans chosen by rule, recurring steps, the department head (Wave 2 — 5 of 7).

Schema: plan rules (a department and/or a case kind → a plan) and the rule that chose a
case's plan; a step that repeats every N days or months, whose calls count their occurrence
(one task per case, step and occurrence); the heads of a department.

Data: the read_outcomes right, held by supervisors and admins and by the new
department_head group (科主任), which holds nothing else: their own departments' calls,
reviews, escalations and reports, read only. Frozen here, like 0002.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

READ_OUTCOMES = "read_outcomes"
HEAD_GROUP = "department_head"


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    read = Permission.objects.get(content_type__app_label="followups", codename=READ_OUTCOMES)
    for name in ["supervisor", "admin"]:
        Group.objects.get(name=name).permissions.add(read)
    head, _ = Group.objects.get_or_create(name=HEAD_GROUP)
    head.permissions.set([read])


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=HEAD_GROUP).delete()
    read = Permission.objects.filter(content_type__app_label="followups", codename=READ_OUTCOMES)
    for group in Group.objects.filter(name__in=["supervisor", "admin"]):
        group.permissions.remove(*read)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0019_report_facts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PlanRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "case_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("discharge", "Discharge follow-up"),
                            ("missed_appointment", "Missed appointment"),
                            ("consultation", "Consultation not yet booked"),
                            ("purchase", "Purchase"),
                            ("policy", "Insurance policy verification"),
                            ("after_sales", "After-sales satisfaction"),
                            ("complaint", "Complaint follow-up"),
                        ],
                        help_text="Leave empty for every kind of case.",
                        max_length=24,
                        verbose_name="case kind",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty for every department.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plan_rules",
                        to="followups.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rules",
                        to="followups.followupplan",
                        verbose_name="plan",
                    ),
                ),
            ],
            options={
                "verbose_name": "plan rule",
                "verbose_name_plural": "plan rules",
                "ordering": ["plan", "department", "case_kind", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("department__isnull", False)),
                        fields=("plan", "department", "case_kind"),
                        name="plan_rule_once_per_plan",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("department__isnull", True)),
                        fields=("plan", "case_kind"),
                        name="plan_rule_any_department_once_per_plan",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="case",
            name="plan_rule",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="cases",
                to="followups.planrule",
                verbose_name="plan rule",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="plan_chosen_by",
            field=models.CharField(blank=True, max_length=8, verbose_name="plan chosen"),
        ),
        migrations.AddField(
            model_name="department",
            name="heads",
            field=models.ManyToManyField(
                blank=True,
                related_name="headed_departments",
                to=settings.AUTH_USER_MODEL,
                verbose_name="department heads",
            ),
        ),
        migrations.AddField(
            model_name="planstep",
            name="repeat_every",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Leave empty for a single call; e.g. 1 month, 3 months for chronic"
                " patients.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(365),
                ],
                verbose_name="repeat every",
            ),
        ),
        migrations.AddField(
            model_name="planstep",
            name="repeat_unit",
            field=models.CharField(
                blank=True,
                choices=[("days", "days"), ("months", "months")],
                max_length=6,
                verbose_name="repeat unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="planstep",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("repeat_every__isnull", True), ("repeat_unit", "")),
                    models.Q(("repeat_every__gte", 1), ("repeat_unit__in", ["days", "months"])),
                    _connector="OR",
                ),
                name="step_repeat_every_with_its_unit",
            ),
        ),
        # Every existing task is its step's first occurrence.
        migrations.AddField(
            model_name="followuptask",
            name="occurrence",
            field=models.PositiveSmallIntegerField(
                db_default=1, default=1, verbose_name="occurrence"
            ),
        ),
        migrations.RemoveConstraint(model_name="followuptask", name="one_task_per_case_step"),
        migrations.AddConstraint(
            model_name="followuptask",
            constraint=models.UniqueConstraint(
                condition=models.Q(("step__isnull", False)),
                fields=("case", "step", "occurrence"),
                name="one_task_per_case_step",
            ),
        ),
        migrations.AlterModelOptions(
            name="callattempt",
            options={
                "ordering": ["-started_at", "pk"],
                "permissions": [
                    ("work_queue", "Can work the daily call queue"),
                    ("review_outcomes", "Can review outcomes, escalations and reports"),
                    ("read_outcomes", "Can read outcomes, reviews, escalations and reports"),
                    ("export_data", "Can export outcome data"),
                ],
                "verbose_name": "call attempt",
                "verbose_name_plural": "call attempts",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
