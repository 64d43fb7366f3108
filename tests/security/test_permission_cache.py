"""Permission sets are read once and kept (followups/auth_backend.py), and any change of
role, group right, own right or account status takes effect on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.authtoken.models import Token

from followups.roles import CONFIGURE_CENTER, REVIEW_OUTCOMES, WORK_QUEUE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The user as the next request loads them: no per-object cache."""
    return User.objects.get(pk=user.pk)


def test_a_second_request_checks_rights_without_a_query(django_assert_num_queries):
    agent = UserFactory(role="agent")
    assert fresh(agent).has_perm(WORK_QUEUE)
    user = fresh(agent)
    with django_assert_num_queries(0):
        assert user.has_perm(WORK_QUEUE)
        assert not user.has_perm(REVIEW_OUTCOMES)


def test_leaving_a_role_takes_effect_at_once():
    agent = UserFactory(role="agent")
    assert fresh(agent).has_perm(WORK_QUEUE)
    agent.groups.remove(Group.objects.get(name="agent"))
    assert not fresh(agent).has_perm(WORK_QUEUE)


def test_joining_a_role_from_the_groups_side_takes_effect_at_once():
    user = UserFactory()
    assert not fresh(user).has_perm(REVIEW_OUTCOMES)
    Group.objects.get(name="supervisor").user_set.add(user)
    assert fresh(user).has_perm(REVIEW_OUTCOMES)
    Group.objects.get(name="supervisor").user_set.clear()
    assert not fresh(user).has_perm(REVIEW_OUTCOMES)


def test_a_right_taken_from_a_group_is_gone_for_its_members():
    agent = UserFactory(role="agent")
    assert fresh(agent).has_perm(WORK_QUEUE)
    work_queue = Permission.objects.get(codename="work_queue")
    Group.objects.get(name="agent").permissions.remove(work_queue)
    assert not fresh(agent).has_perm(WORK_QUEUE)
    work_queue.group_set.add(Group.objects.get(name="agent"))
    assert fresh(agent).has_perm(WORK_QUEUE)


def test_an_own_right_granted_or_taken_shows_at_once():
    user = UserFactory()
    configure = Permission.objects.get(codename="configure_center")
    assert not fresh(user).has_perm(CONFIGURE_CENTER)
    user.user_permissions.add(configure)
    assert fresh(user).has_perm(CONFIGURE_CENTER)
    configure.user_set.remove(user)
    assert not fresh(user).has_perm(CONFIGURE_CENTER)


def test_a_deleted_group_takes_its_rights_along():
    group = Group.objects.create(name="night shift")
    group.permissions.add(Permission.objects.get(codename="work_queue"))
    user = UserFactory()
    user.groups.add(group)
    assert fresh(user).has_perm(WORK_QUEUE)
    group.delete()
    assert not fresh(user).has_perm(WORK_QUEUE)


def test_an_agent_taken_off_the_role_is_refused_on_the_next_api_call(client):
    agent = UserFactory(role="agent")
    token = Token.objects.create(user=agent)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/ping/", **headers).status_code == 200
    assert client.post("/api/v1/queue/next/", **headers).status_code != 403
    agent.groups.clear()
    assert client.post("/api/v1/queue/next/", **headers).status_code == 403
