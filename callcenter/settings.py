"""Settings read from the environment, with safe defaults for a local demo.

Production (DEBUG off) refuses to start without SECRET_KEY; the embedded defaults
(SQLite file, filesystem broker) need no server at all.
"""

import ipaddress
import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.contrib.messages import constants as message_levels
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("HUIFANG_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    TIME_ZONE=(str, "Asia/Shanghai"),
    LANGUAGE_CODE=(str, "zh-hans"),
)

DEBUG = env("DEBUG")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (DEBUG is off, so no default "
            "key is used)."
        )
    SECRET_KEY = "django-insecure-local-demo-only-never-in-production"  # noqa: S105 (DEBUG only)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "phonenumber_field",
    "scripts",
    "followups",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (collectstatic), compressed and cached: no other server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signs out after HUIFANG_SESSION_IDLE_MINUTES without activity (callcenter/idle_sessions.py).
    "callcenter.idle_sessions.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

# django-axes first, so a locked-out username+IP is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with each user's permission set cached (followups/auth_backend.py).
    "followups.auth_backend.CachedPermissionsBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Which address a request comes from (callcenter/client_ip.py), for the lockout and the API
# throttles. Behind a proxy REMOTE_ADDR is the proxy's, the same for every client: name the
# header the proxy sets (X-Forwarded-For, X-Real-IP, Forwarded) and how many proxies append
# to it. Never set where clients reach gunicorn directly: they could write the header.
HUIFANG_CLIENT_IP_HEADER = env.str("HUIFANG_CLIENT_IP_HEADER", default="")
HUIFANG_TRUSTED_PROXY_HOPS = env.int("HUIFANG_TRUSTED_PROXY_HOPS", default=1)
# Optional: read the header only on requests from these proxies (addresses or networks).
HUIFANG_TRUSTED_PROXY_IPS = env.list("HUIFANG_TRUSTED_PROXY_IPS", default=[])
for _proxy in HUIFANG_TRUSTED_PROXY_IPS:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"HUIFANG_TRUSTED_PROXY_IPS: {error}") from error
AXES_CLIENT_IP_CALLABLE = "callcenter.client_ip.client_ip"

# A session ends this long after the person last did something (polls do not count).
HUIFANG_SESSION_IDLE_MINUTES = env.int("HUIFANG_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = max(1, HUIFANG_SESSION_IDLE_MINUTES) * 60

ROOT_URLCONF = "callcenter.urls"
WSGI_APPLICATION = "callcenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "followups.views.context.navigation",
            ],
        },
    },
]

# The PostgreSQL driver: psycopg2 unless HUIFANG_PG_DRIVER=psycopg. Django takes psycopg 3
# whenever it can import it, so psycopg2 is kept by hiding psycopg 3 from the import.
PG_DRIVER = env.str("HUIFANG_PG_DRIVER", default="psycopg2")
if PG_DRIVER not in ("psycopg2", "psycopg"):
    raise ImproperlyConfigured("HUIFANG_PG_DRIVER is psycopg2 or psycopg.")
if PG_DRIVER == "psycopg2":
    sys.modules.setdefault("psycopg", None)

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'huifang.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
SILENCED_SYSTEM_CHECKS = []
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default has no covering indexes (INCLUDE): the reports read the same
    # columns from the table there; said once here rather than on every command.
    SILENCED_SYSTEM_CHECKS += ["models.W039", "models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env("LANGUAGE_CODE")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times in the UI language's way; Chinese as the centre writes them (2026-11-23
# 15:30, a 24-hour clock) rather than Django's 2026年11月23日.
FORMAT_MODULE_PATH = ["callcenter.formats"]
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
if not DEBUG:
    # Hashed names (cached for a year by browsers) and gzip, served by WhiteNoise; needs
    # `manage.py collectstatic` (the Dockerfile runs it). DEBUG serves the sources as they are.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Content-Security-Policy: the app's own scripts, styles, fonts and images only, nothing
# inline unless it carries the response's nonce (templates use request.csp_nonce), no
# eval, no framing. htmx's own indicator style is in static/css/huifang.css instead
# (includeIndicatorStyles off in templates/base.html). HUIFANG_CSP_REPORT_ONLY=true sends
# it as Content-Security-Policy-Report-Only: violations show in the browser console only.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env.bool("HUIFANG_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Messages are Bootstrap alerts (base.html): an error is red, as Bootstrap names it.
MESSAGE_TAGS = {message_levels.ERROR: "danger"}

PHONENUMBER_DEFAULT_REGION = "CN"
PHONENUMBER_DB_FORMAT = "E164"

# Staff satisfaction assessment: a satisfied share of at least `good` is good, below
# `poor` is poor; nobody is judged on fewer than `min_sample` rated calls.
HUIFANG_ASSESSMENT = {"min_sample": 20, "good": 0.9, "poor": 0.7}

# The call queue: a claimed call stays with its agent this long unless renewed; once their
# own calls are done, agents also take unassigned calls and those of agents not on duty
# (the pool). Escalations are due this many hours after they are raised, by severity.
HUIFANG_LEASE_MINUTES = env.int("HUIFANG_LEASE_MINUTES", default=15)
HUIFANG_CLAIM_FROM_POOL = env.bool("HUIFANG_CLAIM_FROM_POOL", default=True)
# On PostgreSQL a claim is one round trip (followups/services/claim_sql.py); False runs the
# ORM version every database has (the tests hold both to the same behaviour).
HUIFANG_CLAIM_IN_ONE_STATEMENT = env.bool("HUIFANG_CLAIM_IN_ONE_STATEMENT", default=True)
# What a call takes an agent, wrap-up included, on average: the retry planner weighs how
# full a calling window is with it (agents on duty × window minutes ÷ this).
HUIFANG_EXPECTED_HANDLE_MINUTES = env.float("HUIFANG_EXPECTED_HANDLE_MINUTES", default=4.0)
# Calls to one person in one day, across all their follow-ups (and never two in one window).
HUIFANG_CALLS_PER_PERSON_PER_DAY = env.int("HUIFANG_CALLS_PER_PERSON_PER_DAY", default=2)
HUIFANG_ESCALATION_SLA_HOURS = {"urgent": 2, "high": 24, "normal": 72}


def _rate(name: str, default: str) -> str | None:
    value = env.str(name, default=default).strip()
    return None if value.lower() in {"", "off", "none"} else value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "followups.api.parsers.JSONBodyParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Requests per client address (anonymous) and per user, counted in the cache; a rate
    # set to "off" turns that throttle off (callcenter/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "callcenter.throttling.AnonThrottle",
        "callcenter.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _rate("HUIFANG_API_THROTTLE_ANON", "60/minute"),
        "user": _rate("HUIFANG_API_THROTTLE_USER", "1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Huifang API",
    "VERSION": "1.0.0",
    # Separate request and response components, so read-only fields are not asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's vendored files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind` or `status`: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "followups.models.CaseKind",
        "CaseStatusEnum": "followups.models.CaseStatus",
        "TaskKindEnum": "followups.models.TaskKind",
        "TaskStatusEnum": "followups.models.TaskStatus",
        "QueueEntryStatusEnum": "followups.models.QueueEntryStatus",
        "EscalationStatusEnum": "followups.models.EscalationStatus",
        "ScriptVersionStatusEnum": "scripts.models.ScriptVersionStatus",
    },
}

# Celery: the embedded default is kombu's filesystem transport, so the demo needs no
# broker server; CELERY_BROKER_URL=redis://… switches to Redis with no code change.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_celery_queue_dir = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (_celery_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue_dir / "queue"),
        "data_folder_out": str(_celery_queue_dir / "queue"),
        "processed_folder": str(_celery_queue_dir / "processed"),
        "control_folder": str(_celery_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# Production hardening, on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
    if not SECURE_SSL_REDIRECT:
        # HTTPS is terminated, and HTTP redirected, by the proxy in front of gunicorn; set
        # SECURE_SSL_REDIRECT=true where Django faces the browsers itself.
        SILENCED_SYSTEM_CHECKS += ["security.W008"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a TLS-terminating proxy, trust its X-Forwarded-Proto header (opt in): only where
    # the proxy sets it on every request and clients cannot reach gunicorn directly.
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs name ids and events, never people: no names, phones or diagnoses.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
