"""The call scripts and their versions now belong to the scripts app (scripts 0001).

Nothing in the database's tables changes: the models keep followups_callscript and
followups_scriptversion. In the state, the foreign keys of a plan step and of a call
attempt point at scripts.CallScript and scripts.ScriptVersion, and followups forgets the
two models. Then the rows that name the models by app move with them: their content types
(the permissions the roles hold and the admin log point at these rows by id, so they
follow), and the audit trail's target_type (a model's label_lower, "scripts.scriptversion").
The users' cached permission sets name the permissions by app, so they are read again.
"""

import django.db.models.deletion
from django.conf import settings
from django.core.cache import cache
from django.db import migrations, models

MOVED = ("callscript", "scriptversion")


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("followups", "AuditEvent")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is not None:
            # A row for the target exists only if code of the other side asked for its
            # content type before this migration ran: it is new and holds nothing the
            # old row does not (the roles' permissions are the old row's), so it goes.
            ContentType.objects.filter(app_label=target, model=model).delete()
            old.app_label = target
            old.save(update_fields=["app_label"])
        AuditEvent.objects.filter(target_type=f"{source}.{model}").update(
            target_type=f"{target}.{model}"
        )
    # Content types are cached by app and model for the life of the process.
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    CurrentContentType.objects.clear_cache()
    # Each user's permission set is kept by name ("followups.change_scriptversion" until
    # now) for minutes under "huifang:perms:<user id>" (followups/auth_backend.py): drop
    # them, or the script pages would refuse their editors until the sets expire.
    User = apps.get_model(settings.AUTH_USER_MODEL)
    cache.delete_many([f"huifang:perms:{pk}" for pk in User.objects.values_list("pk", flat=True)])


def to_scripts(apps, schema_editor):
    _move(apps, "followups", "scripts")


def to_followups(apps, schema_editor):
    _move(apps, "scripts", "followups")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("followups", "0014_claim_function"),
        ("scripts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="callattempt",
                    name="script_version",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attempts",
                        to="scripts.scriptversion",
                        verbose_name="script version",
                    ),
                ),
                migrations.AlterField(
                    model_name="planstep",
                    name="script",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="plan_steps",
                        to="scripts.callscript",
                        verbose_name="script",
                    ),
                ),
                migrations.DeleteModel(name="ScriptVersion"),
                migrations.DeleteModel(name="CallScript"),
            ],
        ),
        migrations.RunPython(to_scripts, to_followups),
    ]
