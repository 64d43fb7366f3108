"""The API is throttled per user (and per client address for anonymous calls): the request
after the allowed number in the window gets 429."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def rates(**rates) -> dict:
    return {**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture(autouse=True)
def empty_cache():
    # The throttles count in the default cache: no history from another test, none left.
    cache.clear()
    yield
    cache.clear()


def test_the_request_past_the_users_rate_gets_429():
    user = UserFactory(username="agent-t", role="agent")
    client = APIClient()
    client.force_authenticate(user)
    other = APIClient()
    other.force_authenticate(UserFactory(username="agent-u", role="agent"))
    with override_settings(REST_FRAMEWORK=rates(user="3/minute", anon="1/minute")):
        statuses = [client.get(reverse("api-ping")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert "Retry-After" in client.get(reverse("api-ping"))
        # Counted per user: a colleague is not held up.
        assert other.get(reverse("api-ping")).status_code == 200


class Open(APIView):
    """No endpoint of the API is open to anonymous callers; this one is, to count them."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({})


@override_settings(HUIFANG_CLIENT_IP_HEADER="X-Forwarded-For", HUIFANG_TRUSTED_PROXY_HOPS=1)
def test_anonymous_callers_are_counted_by_their_own_address_behind_the_proxy():
    factory, view = APIRequestFactory(), Open.as_view()

    def call(address):
        request = factory.get("/open/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=address)
        return view(request).status_code

    with override_settings(REST_FRAMEWORK=rates(user="100/minute", anon="2/minute")):
        assert [call("203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert call("198.51.100.9") == 200


def test_the_rates_come_from_the_settings():
    assert set(api_settings.DEFAULT_THROTTLE_RATES) == {"anon", "user"}
    classes = [cls.__name__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES]
    assert classes == ["AnonThrottle", "UserThrottle"]
