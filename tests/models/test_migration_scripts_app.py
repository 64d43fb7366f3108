"""Migrations scripts 0001 and followups 0015 on a real database: the call scripts move from
followups to the scripts app and nothing stored is lost or renamed in the database.

The database is taken back to followups 0014 (the scripts app unapplied) with Django's
migration executor, filled with the historical models of that state, and migrated
forward again: the script and its version are the same rows in the same tables, the
audit trail names the version "scripts.scriptversion", and the content types moved (the
same rows, so the permissions a group holds and the admin log follow). Backwards, all of
it moves back. The test ends on the latest migrations whatever happens, so the tests
after it find the schema they expect."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from followups.models import AuditEvent
from scripts.models import CallScript, ScriptVersion
from tests.models.migrating import migrate_to_latest, migrated_back

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("followups", "0014_claim_function"), ("scripts", None)]
TABLES = ["followups_callscript", "followups_scriptversion"]

TOUCHED = (  # what the tests write, children first
    ("followups", "AuditEvent"),
    ("followups", "ScriptVersion"),
    ("followups", "CallScript"),
    ("auth", "Group"),
    ("auth", "User"),
)


@pytest.fixture
def old_apps(postgres_only):
    """The app registry as of followups 0014, on a database migrated back to it (and
    forward after, the admin log's entries of the test's users deleted first)."""

    def clean_admin_log():
        LogEntry.objects.filter(user__username__startswith="migrating-").delete()

    with migrated_back(BEFORE, TOUCHED, state=[BEFORE[0]], clean_first=clean_admin_log) as apps:
        yield apps


def content_type_ids(app_label: str) -> dict[str, int]:
    return dict(
        ContentType.objects.filter(
            app_label=app_label, model__in=["callscript", "scriptversion"]
        ).values_list("model", "pk")
    )


def test_a_published_version_its_audit_event_and_its_content_type_survive_the_move(old_apps):
    User = old_apps.get_model("auth", "User")  # noqa: N806
    Group = old_apps.get_model("auth", "Group")  # noqa: N806
    Permission = old_apps.get_model("auth", "Permission")  # noqa: N806
    OldContentType = old_apps.get_model("contenttypes", "ContentType")  # noqa: N806
    OldCallScript = old_apps.get_model("followups", "CallScript")  # noqa: N806
    OldScriptVersion = old_apps.get_model("followups", "ScriptVersion")  # noqa: N806
    OldAuditEvent = old_apps.get_model("followups", "AuditEvent")  # noqa: N806

    # The moved models do not exist in the scripts app yet; followups has them.
    assert not any(model._meta.app_label == "scripts" for model in old_apps.get_models())
    editor = User.objects.create(username="migrating-editor")
    script = OldCallScript.objects.create(name="出院回访", code="discharge", case_kind="discharge")
    graph = {"schema": 1, "start": "greet", "nodes": [{"id": "greet", "kind": "closing"}]}
    version = OldScriptVersion.objects.create(
        script=script, number=1, status="published", graph=graph, change_note="第一版"
    )
    event = OldAuditEvent.objects.create(
        actor=editor,
        action="publish_script",
        target_type="followups.scriptversion",
        target_id=str(version.pk),
        detail={"script": script.pk, "version": 1},
    )
    unrelated = OldAuditEvent.objects.create(
        actor=editor, action="export", target_type="followups.case", target_id="7"
    )
    old_types = {
        model: OldContentType.objects.get(app_label="followups", model=model).pk
        for model in ("callscript", "scriptversion")
    }
    publish = Permission.objects.get(
        content_type_id=old_types["scriptversion"], codename="publish_scriptversion"
    )
    editors = Group.objects.create(name="migrating-editors")
    editors.permissions.add(publish)
    # The admin log names the version by its content type's id.
    entry = LogEntry.objects.create(
        user_id=editor.pk,
        content_type_id=old_types["scriptversion"],
        object_id=str(version.pk),
        object_repr="出院回访 v1",
        action_flag=CHANGE,
    )

    migrate_to_latest()

    # The same rows, in the same tables, read through the scripts app's models.
    assert CallScript._meta.db_table == "followups_callscript"
    assert ScriptVersion._meta.db_table == "followups_scriptversion"
    moved = ScriptVersion.objects.select_related("script").get(pk=version.pk)
    assert (moved.script.code, moved.number, moved.status) == ("discharge", 1, "published")
    assert (moved.graph, moved.change_note) == (graph, "第一版")
    # The audit trail names the version as the code now does (model._meta.label_lower).
    event_now = AuditEvent.objects.get(pk=event.pk)
    assert event_now.target_type == ScriptVersion._meta.label_lower == "scripts.scriptversion"
    assert event_now.target_id == str(version.pk)
    assert AuditEvent.objects.get(pk=unrelated.pk).target_type == "followups.case"
    # The content types are the same rows, now the scripts app's: nothing left in followups.
    assert content_type_ids("scripts") == old_types
    assert content_type_ids("followups") == {}
    assert ContentType.objects.get_for_model(ScriptVersion).pk == old_types["scriptversion"]
    # So the group keeps its right, under the app's new name, and the admin log its object.
    rights = editors.permissions.values_list("content_type__app_label", "codename")
    assert list(rights) == [("scripts", "publish_scriptversion")]
    assert LogEntry.objects.get(pk=entry.pk).get_edited_object() == moved


def test_going_back_to_0014_gives_followups_its_content_types_and_audit_targets_back(
    old_apps,
):
    """The fixture has migrated back already: what a scripts-app database held is
    followups' again, and forward once more it is the scripts app's."""
    OldAuditEvent = old_apps.get_model("followups", "AuditEvent")  # noqa: N806
    OldScriptVersion = old_apps.get_model("followups", "ScriptVersion")  # noqa: N806
    OldCallScript = old_apps.get_model("followups", "CallScript")  # noqa: N806

    assert content_type_ids("scripts") == {}
    followups_types = content_type_ids("followups")
    assert set(followups_types) == {"callscript", "scriptversion"}
    script = OldCallScript.objects.create(name="保单回访", code="policy")
    version = OldScriptVersion.objects.create(script=script, number=1)
    event = OldAuditEvent.objects.create(
        action="retire_script", target_type="followups.scriptversion", target_id=str(version.pk)
    )

    migrate_to_latest()
    assert content_type_ids("scripts") == followups_types
    assert AuditEvent.objects.get(pk=event.pk).target_type == "scripts.scriptversion"

    from django.db.migrations.executor import MigrationExecutor

    MigrationExecutor(connection).migrate(BEFORE)
    assert content_type_ids("followups") == followups_types
    assert content_type_ids("scripts") == {}
    assert OldAuditEvent.objects.get(pk=event.pk).target_type == "followups.scriptversion"
    # The tables were never touched: the version is still there at 0014.
    assert OldScriptVersion.objects.filter(pk=version.pk, script__code="policy").exists()


def test_the_roles_hold_their_script_rights_under_the_scripts_app():
    """What 0002 gave the roles on scripts (followups.view_callscript …) the views now
    check as scripts.view_callscript …: the same permissions, moved by 0015."""
    from django.contrib.auth.models import Group

    def rights(role: str) -> set[str]:
        held = Group.objects.get(name=role).permissions.filter(
            content_type__model__in=["callscript", "scriptversion"]
        )
        return {f"{p.content_type.app_label}.{p.codename}" for p in held}

    assert rights("agent") == {"scripts.view_callscript", "scripts.view_scriptversion"}
    assert {
        "scripts.publish_scriptversion",
        "scripts.add_callscript",
        "scripts.change_scriptversion",
    } <= rights("supervisor")
    assert "scripts.delete_scriptversion" in rights("admin")
    assert all(
        right.startswith("scripts.") for role in ["supervisor", "admin"] for right in rights(role)
    )


def test_the_move_left_no_model_change_for_makemigrations():
    """The state the migrations build is the models' (makemigrations --check exits 1 when a
    migration is missing)."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
