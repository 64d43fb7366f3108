"""Teams, the duty roster, users and roles, and the time the daily lists are built."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from followups.models import AuditAction, AuditEvent, DutyDay, Team
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_team_is_created_with_its_members_and_audited(client, admin_user, agent):
    department = DepartmentFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("config:team_new"),
        {"name": "心内科回访组", "members": [agent.pk], "departments": [department.pk]},
    )
    assert response.status_code == 302
    team = Team.objects.get()
    assert list(team.members.all()) == [agent]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_TEAM)
    assert event.detail == {"members": [agent.pk], "departments": [department.pk]}


def test_a_team_without_members_or_departments_is_refused_with_a_word(client, admin_user, agent):
    client.force_login(admin_user)
    response = client.post(reverse("config:team_new"), {"name": "空组"}, **EN)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["members"] == ["Choose the agents of the team: it has nobody."]
    assert errors["departments"] == ["Choose the departments the team serves."]
    assert "Choose the agents of the team: it has nobody." in response.content.decode()
    assert not Team.objects.exists()


def test_the_team_page_names_agents_by_their_full_names(client, admin_user):
    UserFactory(username="agent7", first_name="王静", role="agent")
    client.force_login(admin_user)
    html = client.get(reverse("config:team_new")).content.decode()
    assert "王静" in html
    assert "agent7" not in html


def test_the_build_time_sentence_keeps_the_minutes(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("config:schedule"), {"hour": 7, "minute": 0})
    html = client.get(reverse("config:schedule"), **EN).content.decode()
    assert "Now every day at 7:00 (Asia/Shanghai)." in html
    client.post(reverse("config:schedule"), {"hour": 6, "minute": 5})
    html = client.get(reverse("config:schedule")).content.decode()
    assert "当前为每天 6:05（Asia/Shanghai）。" in html


def test_the_duty_roster_saves_exactly_the_ticked_days(client, admin_user, agent):
    other = UserFactory(username="agent-b", role="agent")
    DutyDay.objects.create(agent=other, day=dt.date(2026, 11, 24))
    client.force_login(admin_user)
    response = client.post(
        reverse("config:duty") + "?start=2026-11-23",
        {"duty": [f"{agent.pk}:2026-11-23", f"{agent.pk}:2026-11-25", f"{other.pk}:2026-11-23"]},
    )
    assert response.status_code == 302
    assert sorted(DutyDay.objects.values_list("agent__username", "day")) == [
        ("agent-a", dt.date(2026, 11, 23)),
        ("agent-a", dt.date(2026, 11, 25)),
        ("agent-b", dt.date(2026, 11, 23)),
    ]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_TEAM)
    assert event.detail == {"duty_from": "2026-11-23", "duty_to": "2026-11-29", "duty_days": 3}


def test_the_duty_page_shows_the_ticks(client, admin_user, agent):
    DutyDay.objects.create(agent=agent, day=dt.date(2026, 11, 24))
    client.force_login(admin_user)
    html = client.get(reverse("config:duty") + "?start=2026-11-23").content.decode()
    assert f'value="{agent.pk}:2026-11-24" aria-label="{agent.pk}:2026-11-24" checked' in html
    assert f'value="{agent.pk}:2026-11-23" aria-label="{agent.pk}:2026-11-23">' in html


def test_an_admin_creates_a_user_with_a_role(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("config:user_new"),
        {"username": "agent7", "name": "孙婷", "role": "agent", "password": "Qx7!long-enough"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="agent7")
    assert list(user.groups.values_list("name", flat=True)) == ["agent"]
    assert user.check_password("Qx7!long-enough")
    assert user.has_perm("followups.work_queue")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_USER)
    assert event.detail == {"created": True, "role": "agent"}
    assert "孙婷" not in str(event.detail)


def test_a_weak_password_and_a_taken_username_are_refused(client, admin_user, agent):
    client.force_login(admin_user)
    response = client.post(
        reverse("config:user_new"),
        {"username": "agent-a", "name": "", "role": "agent", "password": "123"},
        **EN,
    )
    errors = response.context["form"].errors
    assert errors["username"] == ["This username is taken."]
    assert (
        "This password is too short. It must contain at least 8 characters." in (errors["password"])
    )


def test_an_admin_changes_a_role_and_deactivates_a_user(client, admin_user, agent):
    client.force_login(admin_user)
    response = client.post(
        reverse("config:user", args=[agent.pk]), {"name": "王静", "role": "supervisor"}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active is False
    assert list(agent.groups.values_list("name", flat=True)) == ["supervisor"]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_USER)
    assert event.detail == {
        "role_from": "agent",
        "role_to": "supervisor",
        "active_from": True,
        "active_to": False,
    }


def test_an_admin_cannot_deactivate_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("config:user", args=[admin_user.pk]), {"name": "", "role": "admin"}, **EN
    )
    assert response.context["form"].errors["is_active"] == [
        "You cannot deactivate your own account."
    ]
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_editing_the_build_time_moves_the_periodic_task(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("config:schedule"), {"hour": 6, "minute": 15})
    assert response.status_code == 302
    task = PeriodicTask.objects.get(name="Build the daily call lists")
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("6", "15", "*")
    assert task.crontab.timezone.key == "Asia/Shanghai"
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_SCHEDULE)
    assert event.detail == {"before": "7:30", "after": "6:15"}


def test_an_hour_out_of_the_day_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("config:schedule"), {"hour": 24, "minute": 0}, **EN)
    assert response.context["form"].errors["hour"] == [
        "Ensure this value is less than or equal to 23."
    ]
    assert PeriodicTask.objects.get(name="Build the daily call lists").crontab.hour == "7"


@pytest.mark.parametrize("role", ["agent", "supervisor"])
@pytest.mark.parametrize(
    "name", ["config:teams", "config:duty", "config:users", "config:schedule", "config:imports"]
)
def test_the_configuration_pages_are_for_admins(request, client, role, name):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name)).status_code == 403
