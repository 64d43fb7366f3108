"""Users in Django admin: the centre's admin role manages roles, never superuser or staff
rights, never a superuser's account, never API tokens; every change of rights is audited."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from followups.models import AuditAction, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def user_form(user, **changes):
    """What the user change form posts for `user` as it is, with `changes`."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def permission(label):
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_the_admin_role_cannot_make_anyone_superuser_or_staff(client, admin_user, agent):
    client.force_login(admin_user)
    response = client.post(change_url(agent), user_form(agent, is_superuser="on", is_staff="on"))
    assert response.status_code in (200, 302)
    agent.refresh_from_db()
    assert not agent.is_superuser
    assert not agent.is_staff


def test_the_admin_role_cannot_make_itself_superuser(client, admin_user):
    client.force_login(admin_user)
    client.post(change_url(admin_user), user_form(admin_user, is_superuser="on", is_staff="on"))
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser


def test_the_admin_role_sees_superuser_and_staff_read_only(client, admin_user, agent):
    client.force_login(admin_user)
    form = client.get(change_url(agent)).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "is_staff" not in form.fields


def test_the_admin_role_cannot_remove_a_superusers_rights(client, admin_user, superuser):
    client.force_login(admin_user)
    response = client.post(change_url(superuser), user_form(superuser))
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.is_staff


def test_the_admin_role_cannot_set_a_superusers_password(client, admin_user, superuser):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "Taken0ver!x", "password2": "Taken0ver!x"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert not superuser.check_password("Taken0ver!x")


def test_the_admin_role_cannot_delete_a_superuser(client, admin_user, superuser):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_delete", args=[superuser.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(superuser).objects.filter(pk=superuser.pk).exists()


def test_the_admin_role_grants_only_permissions_it_holds(client, admin_user, agent):
    client.force_login(admin_user)
    beyond = permission("auth.change_group")
    assert not admin_user.has_perm("auth.change_group")
    form = client.get(change_url(agent)).context["adminform"].form
    assert beyond not in form.fields["user_permissions"].queryset
    client.post(change_url(agent), user_form(agent, user_permissions=[beyond.pk]))
    agent = type(agent).objects.get(pk=agent.pk)  # no permission cache
    assert not agent.has_perm("auth.change_group")


def test_a_superuser_grants_superuser_and_staff_rights_audited(client, superuser, agent):
    client.force_login(superuser)
    response = client.post(change_url(agent), user_form(agent, is_superuser="on", is_staff="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    agent.refresh_from_db()
    assert agent.is_superuser and agent.is_staff
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_USER, target_id=str(agent.pk))
    assert event.actor == superuser
    assert event.detail["superuser_to"] is True
    assert event.detail["staff_to"] is True
    assert event.detail["via"] == "admin"


def test_a_role_change_in_django_admin_is_audited_without_personal_data(client, admin_user, agent):
    client.force_login(admin_user)
    supervisor_group = Group.objects.get(name="supervisor")
    response = client.post(change_url(agent), user_form(agent, groups=[supervisor_group.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_USER, target_id=str(agent.pk))
    assert event.actor == admin_user
    assert event.detail["groups_added"] == ["supervisor"]
    assert event.detail["groups_removed"] == ["agent"]
    assert agent.username not in str(event.detail)
    assert agent.first_name not in str(event.detail)


def test_a_permission_change_in_django_admin_is_audited(client, admin_user, agent):
    client.force_login(admin_user)
    granted = permission("followups.export_data")
    response = client.post(change_url(agent), user_form(agent, user_permissions=[granted.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_USER, target_id=str(agent.pk))
    assert event.detail["permissions_added"] == ["followups.export_data"]


def test_saving_a_user_without_a_change_of_rights_writes_no_event(client, admin_user, agent):
    client.force_login(admin_user)
    response = client.post(change_url(agent), user_form(agent, last_name="王"))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE_USER).exists()


def test_api_tokens_are_for_superusers_alone(client, admin_user, superuser, agent):
    token = Token.objects.create(user=agent)
    client.force_login(admin_user)
    assert client.get(reverse("admin:authtoken_tokenproxy_changelist")).status_code == 403
    assert "authtoken" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(superuser)
    response = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 200
    assert token.key in response.content.decode()


def test_api_tokens_stay_hidden_even_from_a_holder_of_the_token_permissions(
    client, admin_user, agent
):
    """The right is superuser status, not a permission an admin could be given."""
    token = Token.objects.create(user=agent)
    admin_user.user_permissions.add(
        *[permission(f"authtoken.{verb}_tokenproxy") for verb in ("view", "add", "change")]
    )
    client.force_login(admin_user)
    response = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 403
    assert client.get(reverse("admin:authtoken_tokenproxy_add")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "authtoken" not in index
    assert token.key not in index


def test_rights_out_of_the_admin_roles_reach_survive_its_saving_a_user(client, admin_user, agent):
    """What the form does not offer (a right the admin role lacks), it does not take away."""
    agent.user_permissions.add(permission("auth.change_group"))
    client.force_login(admin_user)
    response = client.post(change_url(agent), user_form(agent, user_permissions=[]))
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = type(agent).objects.get(pk=agent.pk)
    assert agent.has_perm("auth.change_group")
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE_USER).exists()


def test_a_user_added_in_django_admin_is_audited(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "new-agent",
            "password1": "Long-enough-pass-42",
            "password2": "Long-enough-pass-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = type(admin_user).objects.get(username="new-agent")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_USER, target_id=str(user.pk))
    assert (event.actor, event.detail["created"]) == (admin_user, True)
    assert event.detail["superuser_to"] is False


def test_a_superuser_changing_a_roles_permissions_is_audited(client, superuser):
    group = Group.objects.get(name="agent")
    before = list(group.permissions.values_list("pk", flat=True))
    added = permission("followups.export_data")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "agent", "permissions": [*before, added.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_USER, target_type="auth.group")
    assert event.detail["permissions_added"] == ["followups.export_data"]
    assert event.detail["role"] == "agent"


def test_the_admin_role_cannot_change_a_roles_permissions(client, admin_user):
    group = Group.objects.get(name="agent")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "agent", "permissions": [permission("auth.change_group").pk]},
    )
    assert response.status_code == 403
