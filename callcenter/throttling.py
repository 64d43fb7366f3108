"""API throttles: DRF's anonymous and per-user rates, counted in the default cache (Redis in
deployment, shared by every gunicorn worker).

Two changes to DRF's classes. The rate is read from the settings on each request, not
from the class attribute DRF fills once at import, so a changed REST_FRAMEWORK setting
(override_settings in the tests) takes effect. Anonymous clients are told apart by
callcenter.client_ip, the same address the login lockout counts, not by DRF's own reading
of X-Forwarded-For.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from callcenter.client_ip import client_ip


class _SettingsRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request) or ""


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, UserRateThrottle):
    pass
