"""Create the three roles (agent, supervisor, admin) as groups with their permissions.

The lists are frozen here on purpose: a later change of roles is a new migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = [
    "followups.work_queue",
    "followups.reveal_phone",
    "followups.view_callscript",
    "followups.view_scriptversion",
]
SUPERVISOR = [
    "followups.review_outcomes",
    "followups.export_data",
    "followups.publish_scriptversion",
    "followups.add_callscript",
    "followups.change_callscript",
    "followups.add_scriptversion",
    "followups.change_scriptversion",
    "followups.change_escalation",
    "followups.change_queueentry",
] + [
    f"followups.view_{model}"
    for model in [
        "hospital", "department", "customer", "patient", "case", "followuptask",
        "followupplan", "planstep", "callingpolicy", "callingwindow", "holidayoverride",
        "callscript", "scriptversion", "calllist", "queueentry", "callattempt",
        "scriptanswer", "escalation", "auditevent",
    ]
]
ADMIN_APPS = ["followups", "django_celery_beat"]
ADMIN_EXTRA = [
    f"auth.{verb}_{model}"
    for verb in ["add", "change", "view", "delete"]
    for model in ["user"]
] + ["auth.view_group", "authtoken.add_token", "authtoken.view_token"]


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the
    # groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    agent, _ = Group.objects.get_or_create(name="agent")
    agent.permissions.set(_permissions(apps, AGENT))
    supervisor, _ = Group.objects.get_or_create(name="supervisor")
    supervisor.permissions.set(_permissions(apps, SUPERVISOR))
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.set(
        list(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
        + _permissions(apps, ADMIN_EXTRA)
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["agent", "supervisor", "admin"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
