"""django-axes: five wrong passwords lock a username from one address for 15 minutes."""

import pytest
import time_machine
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
