"""Give the roles their rights on the models of 0004 (teams, duty days, call reviews)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPERVISOR = ["add_callreview", "change_callreview", "view_callreview", "view_team", "view_dutyday"]
ADMIN_MODELS = ["team", "dutyday", "callreview"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    followups = Permission.objects.filter(content_type__app_label="followups")
    Group.objects.get(name="supervisor").permissions.add(*followups.filter(codename__in=SUPERVISOR))
    Group.objects.get(name="admin").permissions.add(
        *followups.filter(content_type__model__in=ADMIN_MODELS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff = Permission.objects.filter(
        content_type__app_label="followups", content_type__model__in=ADMIN_MODELS
    )
    for name in ["supervisor", "admin"]:
        Group.objects.get(name=name).permissions.remove(*staff)


class Migration(migrations.Migration):
    dependencies = [("followups", "0004_staff_reviews_audit")]

    operations = [migrations.RunPython(grant, revoke)]
