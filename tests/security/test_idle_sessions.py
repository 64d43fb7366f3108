"""A session ends after 30 minutes without activity (HUIFANG_SESSION_IDLE_MINUTES); what a
page does by itself (the urgent alert's poll, a claim's renewal) does not keep it alive."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# The test settings keep sessions for two weeks (other tests live through a day with one
# client); these tests put back the idle time production has.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("idle_time"),
]

START = "2026-11-26 09:00 +0800"
BACKGROUND = {"HTTP_X_HUIFANG_BACKGROUND": "1"}


def alerts(client, **headers):
    return client.get(reverse("supervisor:urgent_alerts"), **headers)


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.fixture
def idle_time():
    with override_settings(SESSION_COOKIE_AGE=settings.IDLE_SECONDS):
        yield


def production_setting(name: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update(DEBUG="false", SECRET_KEY="x" * 60, **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import callcenter.settings as s; print(s.{name})"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_idle_time_is_thirty_minutes_unless_configured():
    assert settings.IDLE_SECONDS == 30 * 60
    assert production_setting("SESSION_COOKIE_AGE") == "1800"
    assert production_setting("SESSION_COOKIE_AGE", HUIFANG_SESSION_IDLE_MINUTES="10") == "600"


def test_a_session_ends_after_thirty_idle_minutes(client, supervisor):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(supervisor)
        traveller.shift(29 * 60)
        assert alerts(client).status_code == 200
        traveller.shift(29 * 60)  # 58 minutes in, 29 after the last click: still in
        assert alerts(client).status_code == 200
        traveller.shift(31 * 60)
        assert signed_out(alerts(client))


def test_polls_do_not_keep_a_session_alive(client, supervisor):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(supervisor)
        for _ in range(3):
            traveller.shift(9 * 60)
            assert alerts(client, **BACKGROUND).status_code == 200
        traveller.shift(4 * 60)  # 31 minutes after signing in, polled all along
        assert signed_out(alerts(client, **BACKGROUND))


def test_an_htmx_request_after_the_end_sends_the_whole_page_to_the_login(client, agent):
    # Rather than the login page swapped into a fragment of the page.
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(agent)
        traveller.shift(31 * 60)
        response = client.post(
            reverse("agent:next"),
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL="http://testserver/agent/?tab=list",
        )
    assert response.status_code == 204
    assert response["HX-Redirect"] == (reverse("login") + "?next=/agent/%3Ftab%3Dlist")


def test_a_token_on_the_api_gets_no_session(client, agent):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=agent)
    response = client.get(reverse("api-ping"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
