"""django-axes: five wrong passwords lock a username from one address for 15 minutes."""

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

RIGHT, WRONG = "pass-for-tests", "not-the-password"


def log_in(client, password, address="10.1.1.1"):
    return client.post(
        reverse("login"),
        {"username": "agent-a", "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_four_failures_still_let_the_right_password_in(client, agent):
    for _ in range(4):
        assert log_in(client, WRONG).status_code == 200
    assert log_in(client, RIGHT).status_code == 302


def test_the_fifth_failure_locks_out_even_the_right_password(client, agent):
    statuses = [log_in(client, WRONG).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = log_in(client, RIGHT)
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_by_username_and_address(client, agent):
    for _ in range(5):
        log_in(client, WRONG)
    assert log_in(client, RIGHT, address="10.2.2.2").status_code == 302


@pytest.mark.parametrize(("minutes", "status"), [(14, 429), (16, 302)])
def test_the_lockout_lasts_fifteen_minutes(client, agent, minutes, status):
    # Counted from the last attempt: trying again while locked out starts the wait anew.
    with time_machine.travel("2026-11-26 09:00 +0800", tick=False) as traveller:
        for _ in range(5):
            log_in(client, WRONG)
        traveller.shift(minutes * 60)
        assert log_in(client, RIGHT).status_code == status


# Behind the TLS proxy every request comes from the proxy's address; the proxy names the
# client in X-Forwarded-For, appending the address it was reached from to what came in.
PROXY = "172.18.0.5"
BEHIND_THE_PROXY = {"HUIFANG_CLIENT_IP_HEADER": "X-Forwarded-For", "HUIFANG_TRUSTED_PROXY_HOPS": 1}


def log_in_through_proxy(client, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "agent-a", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
        HTTP_ACCEPT_LANGUAGE="en",
    )


@override_settings(**BEHIND_THE_PROXY)
def test_behind_the_proxy_an_attacker_cannot_lock_the_agent_out(client, agent):
    attacker, agent_address = "203.0.113.7", "198.51.100.9"
    statuses = [log_in_through_proxy(client, WRONG, attacker).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert log_in_through_proxy(client, RIGHT, attacker).status_code == 429
    assert log_in_through_proxy(client, RIGHT, agent_address).status_code == 302


@override_settings(**BEHIND_THE_PROXY)
def test_a_forged_forwarded_for_neither_frames_nor_frees_anyone(client, agent):
    # The attacker writes the agent's address into the header; the proxy appends the
    # attacker's own, the one counted. Rotating forged addresses does not reset the count.
    attacker, agent_address = "203.0.113.7", "198.51.100.9"
    for forged in ["10.9.9.1", "10.9.9.2", "10.9.9.3", "10.9.9.4", agent_address]:
        log_in_through_proxy(client, WRONG, f"{forged}, {attacker}")
    assert log_in_through_proxy(client, RIGHT, f"{agent_address}, {attacker}").status_code == 429
    assert log_in_through_proxy(client, RIGHT, agent_address).status_code == 302


def test_without_the_setting_the_header_is_not_believed(client, agent):
    # Clients reaching gunicorn directly could write any X-Forwarded-For: by default the
    # peer's address counts, whatever the header says.
    for number in range(5):
        log_in_through_proxy(client, WRONG, f"203.0.113.{number}")
    assert log_in_through_proxy(client, RIGHT, "198.51.100.9").status_code == 429
