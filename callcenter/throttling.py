"""API throttles: DRF's anonymous and per-user rates, counted in the default cache (Redis in
deployment, shared by every gunicorn worker).

Two changes to DRF's classes. The rate is read from the settings on each request, not
from the class attribute DRF fills once at import, so a changed REST_FRAMEWORK setting
(override_settings in the tests) takes effect. Anonymous clients are told apart by
callcenter.client_ip, the same address the login lockout counts, not by DRF's own reading
of X-Forwarded-For.

On Redis, the request log is kept in a Redis list and trimmed, checked and appended by one
script: one round trip a request instead of DRF's two (a read, then a write of the whole
pickled log), and no lost update when two requests of one user arrive at once. The rule is
DRF's own (a sliding window of the last `duration` seconds; a refused request is not
counted), and so is the Retry-After. Any other cache (the tests' local memory) keeps DRF's
way.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from callcenter.client_ip import client_ip

# KEYS[1] the log (newest first); ARGV: now, duration (seconds), allowed requests. Drops
# the entries older than the window, then refuses or records this request. Returns
# {allowed (1/0), the entries before this request, the oldest entry or none}.
SLIDING_LOG = """
local now, duration, allowed = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
while true do
  local oldest = redis.call('LINDEX', KEYS[1], -1)
  if not oldest or tonumber(oldest) > now - duration then break end
  redis.call('RPOP', KEYS[1])
end
local count = redis.call('LLEN', KEYS[1])
local oldest = redis.call('LINDEX', KEYS[1], -1)
if count >= allowed then return {0, count, oldest} end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1, count, oldest}
"""
_script = None  # SLIDING_LOG registered (its SHA1), on first use


_DRF_DEFAULT = AnonRateThrottle.cache


class _SettingsRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request) or ""

    def allow_request(self, request, view):
        global _script
        # DRF's `cache` is the default cache's proxy, which isinstance cannot see through.
        backend = caches["default"] if self.cache is _DRF_DEFAULT else self.cache
        if not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        key = backend.make_and_validate_key(f"{self.key}:log")
        client = backend._cache.get_client(key, write=True)  # the cache's own pool
        if _script is None:
            _script = client.register_script(SLIDING_LOG)
        allowed, count, oldest = _script(
            keys=[key], args=[repr(self.now), self.duration, self.num_requests], client=client
        )
        self.history = _Log(int(count), float(oldest) if oldest is not None else None)
        return bool(allowed)


class _Log:
    """What DRF's wait() reads of the log when a request is refused: its length and its
    oldest entry (history[-1])."""

    def __init__(self, count: int, oldest: float | None):
        self.count, self.oldest = count, oldest

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> float:
        if index != -1 or self.oldest is None:
            raise IndexError(index)
        return self.oldest


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, UserRateThrottle):
    pass
