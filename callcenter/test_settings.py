"""Settings for the test suite: the real settings, with a test-only secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Plain static files (no collectstatic before the suite; tests/security/test_static_and_csp.py
# collects them itself to check what production serves), looked up per request, not scanned
# for each test client.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True  # .delay() runs inline; the Redis test has its own app
# Tests live through a day in minutes with one signed-in client: sessions last as long as
# Django's default here; tests/security/test_idle_sessions.py puts the idle time back.
IDLE_SECONDS = SESSION_COOKIE_AGE  # noqa: F405 (what callcenter.settings makes of the env)
SESSION_COOKIE_AGE = 14 * 24 * 3600
