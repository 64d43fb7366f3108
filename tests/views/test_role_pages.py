"""Each role sees its own pages and navigation, and gets 403 on the others."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {"agent": "agent:home", "supervisor": "supervisor:home", "admin": "config:home"}
ALLOWED = {
    "agent": {"agent:home"},
    "supervisor": {"supervisor:home"},
    "admin": {"config:home", "supervisor:home", "agent:home"},
}


@pytest.fixture
def users(agent, supervisor, admin_user):
    return {"agent": agent, "supervisor": supervisor, "admin": admin_user}


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
@pytest.mark.parametrize("url_name", sorted(PAGES.values()))
def test_it_checks_the_role_on_every_page(client, users, role, url_name):
    client.force_login(users[role])
    response = client.get(reverse(url_name))
    assert response.status_code == (200 if url_name in ALLOWED[role] else 403)


@pytest.mark.parametrize("url_name", sorted(PAGES.values()))
def test_it_sends_anonymous_visitors_to_the_login_page(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "landing"),
    [("agent", "agent:home"), ("supervisor", "supervisor:home"), ("admin", "config:home")],
)
def test_home_takes_each_role_to_its_own_page(client, users, role, landing):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(landing)


def test_the_agent_navigation_shows_only_the_agent_pages(client, agent):
    client.force_login(agent)
    html = client.get(reverse("agent:home")).content.decode()
    assert reverse("agent:home") in html
    assert reverse("supervisor:home") not in html
    assert reverse("config:home") not in html
    assert reverse("admin:index") not in html


def test_the_admin_navigation_shows_configuration_and_data_admin(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("config:home")).content.decode()
    assert reverse("config:home") in html
    assert reverse("admin:index") in html


def test_the_403_page_tells_the_agent_it_is_not_for_their_role(client, agent):
    client.force_login(agent)
    response = client.get(reverse("config:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "This page is not for your role" in response.content.decode()


def test_an_agent_cannot_open_the_django_admin(client, agent):
    client.force_login(agent)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_a_user_without_role_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 403
    assert response.redirect_chain[-1][0] == reverse("no_role")


def test_login_page_is_styled_and_logs_in(client, agent):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "vendor/bootstrap/bootstrap.min.css" in page.content.decode()
    response = client.post(reverse("login"), {"username": "agent-a", "password": "pass-for-tests"})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_wrong_password_is_refused_with_a_message(client, agent):
    response = client.post(
        reverse("login"),
        {"username": "agent-a", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_the_ui_speaks_chinese_by_default_and_english_on_request(client, agent):
    client.force_login(agent)
    chinese = client.get(reverse("agent:home")).content.decode()
    english = client.get(reverse("agent:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "今日" in chinese
    assert '<html lang="en">' in english
    assert "My calls today" in english


def test_the_language_picker_switches_to_english(client, agent):
    client.force_login(agent)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("agent:home")})
    html = client.get(reverse("agent:home")).content.decode()
    assert "My calls today" in html


def test_the_configuration_page_warns_of_a_year_without_official_holidays(client, admin_user):
    import time_machine

    with time_machine.travel("2026-12-20 09:00 +0800", tick=False):
        client.force_login(admin_user)
        html = client.get(reverse("config:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="calendar-warning-2027"' in html
    assert "The official holiday schedule of 2027 is not loaded" in html


def test_the_configuration_page_has_no_warning_inside_a_known_year(client, admin_user):
    import time_machine

    with time_machine.travel("2026-06-01 09:00 +0800", tick=False):
        client.force_login(admin_user)
        html = client.get(reverse("config:home")).content.decode()
    assert "calendar-warning" not in html
