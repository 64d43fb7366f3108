"""On Redis (as deployed) the API throttle keeps DRF's rule — a sliding window, a refused
request not counted, Retry-After until a request is free again — in one round trip a
request (callcenter/throttling.py)."""

import datetime as dt
import os
import uuid

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests.conftest import _missing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def redis_cache():
    """The default cache on Redis, under a key prefix of this test's own."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as error:
        _missing("Redis", str(error))
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.redis.RedisCache"
    cache = {"default": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": prefix}}
    rates = {**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": {"user": "3/minute"}}
    with override_settings(CACHES=cache, REST_FRAMEWORK=rates):
        yield caches["default"]
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def client_of(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(username=username, role="agent"))
    return client


def ping_at(client: APIClient, seconds: float):
    with time_machine.travel(START + dt.timedelta(seconds=seconds), tick=False):
        return client.get(reverse("api-ping"))


def test_the_window_slides_and_a_refused_request_is_not_counted(redis_cache):
    client = client_of("agent-t")

    allowed = [ping_at(client, second).status_code for second in (0, 10, 20)]
    refused = ping_at(client, 30)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"  # when the call of second 0 leaves the window
    # Counted per user: a colleague is not held up.
    assert ping_at(client_of("agent-u"), 30).status_code == 200
    # A minute after the first call it has left the window; the refused one never counted.
    assert ping_at(client, 61).status_code == 200
    assert ping_at(client, 62).status_code == 429


def test_a_request_costs_one_round_trip_to_redis(redis_cache, monkeypatch):
    client = client_of("agent-t")
    ping_at(client, 0)  # the first may also load the script into Redis
    sent = []
    connection_class = redis.connection.AbstractConnection
    send = connection_class.send_packed_command

    def counted(self, command, check_health=True):
        sent.append(command)
        return send(self, command, check_health)

    monkeypatch.setattr(connection_class, "send_packed_command", counted)

    assert ping_at(client, 1).status_code == 200
    assert len(sent) == 1
