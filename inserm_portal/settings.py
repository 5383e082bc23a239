"""Settings of the Inserm international cooperation portal.

Everything that differs between a laptop and production comes from environment variables:
with none set, the portal runs on a SQLite file, an embedded (filesystem) Celery broker and a
mail folder, so `make run` works on a machine with nothing installed. Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and the e-mail
variables.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from inserm_portal import storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# manage.py commands that neither serve pages, send mail nor sign anything: a fresh clone runs
# them with no settings at all (`makemigrations --check`, as the conventions ask). The command is
# read from the command line, not from a variable a deployment could set by mistake.
OFFLINE_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "makemessages", "compilemessages"}


def _offline_command(argv):
    return len(argv) > 1 and Path(argv[0]).name in {"manage.py", "django-admin"} and argv[1] in OFFLINE_COMMANDS


SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
    elif _offline_command(sys.argv):
        SECRET_KEY = "django-insecure-offline-command-signs-nothing-0123456789abcdef"
    else:
        # The web server, the Celery worker and every other command.
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address used in e-mails ("a link to the page concerned").
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_NAME = _("Inserm international cooperation portal")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    # Django admin whose default site asks staff for their second factor (accounts/admin_site.py).
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_countries",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 files served by whitenoise, no CDN
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rules",  # permissions as named predicates; no autodiscovery (calls/rules is the programmes')
    "rest_framework",  # the open API at /api/v1/ (cooperation/api)
    "drf_spectacular",  # its OpenAPI schema
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here: no CDN
    "mozilla_django_oidc",  # single sign-on for Inserm agents (accounts/oidc.py), off unless OIDC_* are set
    # Our apps, from the bottom of the import order to the top.
    "accounts",
    "notifications",
    "calls",
    "applications",
    "reviews",
    "projects",
    "cooperation",
    "inserm_portal",
]

MIDDLEWARE = [
    # First: the request's id, in every log line and in the tasks it queues (observability.py).
    "inserm_portal.observability.RequestIdMiddleware",
    "inserm_portal.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "inserm_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inserm_portal.context_processors.portal",
                "accounts.context_processors.security",
            ],
        },
    },
]

WSGI_APPLICATION = "inserm_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded first-run database is shared by the web server and the worker's processes:
    # writers wait for each other (and take the lock when their transaction starts) instead of
    # failing at once with "database is locked"; WAL lets pages read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is even checked.
    "accounts.backends.ThrottledLoginBackend",
    "accounts.backends.PortalModelBackend",
    # The portal's permissions, declared with django-rules in each app's permissions.py.
    "rules.permissions.ObjectPermissionBackend",
    # Single sign-on (OpenID Connect): answers nothing unless the OIDC_* settings below are set.
    "accounts.oidc.PortalOIDCBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Where each person lands after logging in (accounts.views.landing_url): the first that fits.
LANDING_PAGES = [
    ("perm:reviews.see_calls", "reviews:staff_calls"),
    ("role:is_staff", "admin:index"),
    ("role:is_reviewer", "reviews:queue"),
    ("role:is_researcher", "applications:dashboard"),
]
LOGOUT_REDIRECT_URL = "home"

# Internationalisation: French first, English second; dates in Paris time.
LANGUAGE_CODE = "fr"
# The portal's own English formats (a 24-hour clock): inserm_portal/formats/en/formats.py.
FORMAT_MODULE_PATH = ["inserm_portal.formats"]
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"  # never served directly: attachments go through permission-checked views
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Shared storage (issue 20; inserm_portal/storage_settings.py): STORAGE_URL, e.g.
# s3://BUCKET?endpoint_url=http://127.0.0.1:9000&region=eu-west-3, or AWS_STORAGE_BUCKET_NAME with
# AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY put files in
# a private S3-compatible bucket; with neither, the local disk (MEDIA_ROOT). A download is checked by
# the portal, then redirected to a link signed for STORAGE_URL_EXPIRY_SECONDS, or streamed by the
# portal itself with STORAGE_DOWNLOADS=stream (always so from the local disk).
STORAGE_URL_EXPIRY_SECONDS = int(env("STORAGE_URL_EXPIRY_SECONDS", "60"))
STORAGE_DOWNLOADS = env("STORAGE_DOWNLOADS", "redirect")
if STORAGE_DOWNLOADS not in {"redirect", "stream"}:
    raise ImproperlyConfigured("STORAGE_DOWNLOADS is redirect or stream.")
STORAGES = {
    "default": storage_settings.default_storage(os.environ, STORAGE_URL_EXPIRY_SECONDS),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: a folder a developer can read by default; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Inserm DPRE <international@inserm.fr>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if env("EMAIL_BACKEND"):
    EMAIL_BACKEND = env("EMAIL_BACKEND")
elif env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))

# Celery: Redis when CELERY_BROKER_URL is set, else kombu's filesystem transport, which needs no
# server and survives restarts (messages are files under var/broker).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = {
    # The outbox sweeper: resets deliveries stuck in "sending", queues what is due (scheduled
    # reminders, notifications whose queueing failed because the broker was down).
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 20.0},
    # Funded projects: statuses follow their dates, report reminders go out. Every hour of the
    # working day (idempotent: a reminder is sent once whatever the runs), so a portal started
    # after 07:00 sends the day's reminders within the hour rather than the next morning.
    "projects-daily": {"task": "projects.daily", "schedule": crontab(hour="7-19", minute=0)},
    # Drafts not yet submitted: their applicant is reminded 7 days and 1 day before the call
    # closes. Every hour, day and night (each reminder's window is a day wide and calls close at
    # any hour; idempotent: a reminder is sent once whatever the runs).
    "applications-draft-reminders": {"task": "applications.draft_reminders", "schedule": crontab(minute=30)},
    # Once a day, the discussions' new messages to their participants.
    "reviews-discussion-digest": {"task": "reviews.discussion_digest", "schedule": crontab(hour=8, minute=0)},
    # Partner teams that have not answered their invitation 7 days later are reminded, once
    # (idempotent: reminded_at and a key per team and link). Every hour, at a quarter past.
    "applications-partner-reminders": {"task": "applications.partner_reminders", "schedule": crontab(minute=15)},
    # Requests for more information whose deadline passed unanswered: the staff who asked are
    # told, once (idempotent: lapsed_at). Every hour, at a quarter to.
    "applications-lapsed-information-requests": {
        "task": "applications.lapsed_information_requests",
        "schedule": crontab(minute=45),
    },
}
# Notifications outbox (see notifications/services.py for the delivery guarantee).
NOTIFICATIONS_MAX_ATTEMPTS = int(env("NOTIFICATIONS_MAX_ATTEMPTS", "5"))  # SMTP tries before "failed"
NOTIFICATIONS_RETRY_BACKOFF = float(env("NOTIFICATIONS_RETRY_BACKOFF", "60"))  # seconds, doubled each try
NOTIFICATIONS_BATCH_SIZE = 100  # notifications per Celery message when many are queued at once
# A pending notification never queued (the broker was down at its commit) is queued by the next
# sweep once it is NOTIFICATIONS_PENDING_GRACE seconds old: its own queueing runs milliseconds after
# its commit, so a few seconds are enough. One queued but still pending NOTIFICATIONS_REQUEUE_AFTER
# seconds later is queued again: its Celery message may have died with a worker (taken, never
# acknowledged, and Redis gives it back only after the visibility timeout, an hour). The trade-off:
# behind a backlog longer than that, a batch is queued twice; the second copy finds its rows sent
# or sending and does nothing (one locked read), never a second e-mail. (bench/faults measures both.)
NOTIFICATIONS_PENDING_GRACE = 10
NOTIFICATIONS_REQUEUE_AFTER = 30
# A delivery's claim on its rows (seconds): a worker renews it every NOTIFICATIONS_LEASE_RENEW
# seconds while it sends (and one message takes at most EMAIL_TIMEOUT), so a live worker is never
# overtaken, and a dead worker's rows are taken back by the sweeper (every 20 s) within a minute.
NOTIFICATIONS_SENDING_TIMEOUT = int(env("NOTIFICATIONS_SENDING_TIMEOUT", "30"))
NOTIFICATIONS_LEASE_RENEW = 5

# Attachments: all the Flate streams of one PDF may inflate to this much, no more (a small file
# can expand a thousandfold in a reviewer's viewer); see applications/documents.py.
ATTACHMENT_MAX_INFLATED_BYTES = int(env("ATTACHMENT_MAX_INFLATED_BYTES", str(100 * 1024 * 1024)))

# Production hardening: on whenever DEBUG is off (check --deploy reports nothing).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the nodes over plain HTTP: their two paths answer without a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Every session ends 8 hours after login; a staff session also ends after an hour without a
# request (accounts.middleware), since staff reach every application and decision.
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(60 * 60 * 8)))
STAFF_SESSION_IDLE_TIMEOUT = int(env("STAFF_SESSION_IDLE_TIMEOUT", str(60 * 60)))

# Personal data: decided applications are grant records, kept this many years after the call's
# year before they are deleted (README, "Personal data"); everything else is erased on request.
GRANT_RECORDS_RETENTION_YEARS = int(env("GRANT_RECORDS_RETENTION_YEARS", "10"))

# Staff (and Django admin) need a second factor, a TOTP code from an authenticator app, whenever
# DEBUG is off. `make run` (DEBUG=1) relaxes it, and every staff page says so in a banner.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Inserm DPRE"
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next try

# Single sign-on for Inserm agents (OpenID Connect, accounts/oidc.py; README "Single sign-on"): on
# only when the client and the provider's four endpoints are all set; `make run` has local logins.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", "")  # when set, the id_token's `iss` must be this
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = int(env("OIDC_TIMEOUT", "10"))  # seconds, each call to the provider
OIDC_PROBE_TIMEOUT = float(env("OIDC_PROBE_TIMEOUT", "2"))  # the login page's check that it answers
OIDC_CLOCK_LEEWAY = 30  # seconds of clock difference tolerated on the id_token's times
# Staff status from a claim only when this group is named (and found in the `groups` claim).
OIDC_STAFF_GROUP = env("OIDC_STAFF_GROUP", "")
# Multi-factor authentication asserted by the provider (`amr` values, or these `acr` values): staff
# skip the portal's TOTP code.
OIDC_MFA_AMR = env_list("OIDC_MFA_AMR", "mfa,otp,hwk")
OIDC_MFA_ACR = env_list("OIDC_MFA_ACR", "")
# Claims that pre-fill a new researcher's profile.
OIDC_UNIT_CLAIM = env("OIDC_UNIT_CLAIM", "inserm_unit")
OIDC_TEAM_CLAIM = env("OIDC_TEAM_CLAIM", "inserm_team")
OIDC_GRADE_CLAIM = env("OIDC_GRADE_CLAIM", "inserm_grade")

# Login throttling (django-axes): 5 failures for one e-mail address from one IP address lock that
# pair out for 15 minutes; a successful login resets the count. Behind the HTTPS proxy the client's
# address is the last one the proxy appends to X-Forwarded-For (AXES_PROXY_COUNT proxies).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.backends.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.backends.login_username"
AXES_IPWARE_PROXY_COUNT = int(env("AXES_PROXY_COUNT", "0" if DEBUG else "1")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Sign-up and password reset (accounts.throttle): at most one e-mail per address and purpose in
# ACCOUNT_EMAIL_INTERVAL, whether or not the address has an account; beyond
# ACCOUNT_REQUESTS_PER_IP_PER_HOUR requests from one IP address (the one django-axes reads), a 429.
ACCOUNT_EMAIL_INTERVAL = timedelta(minutes=10)
ACCOUNT_REQUESTS_PER_IP_PER_HOUR = 20

# The cache holds those counts. They only hold across processes (gunicorn workers, the Celery
# worker that sends the e-mails) in a shared cache: Redis in production. Without CACHE_URL each
# process counts in its own memory, which is enough for `make run` and the tests.
CACHE_URL = env("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// address.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Cached page fragments (accounts/page_cache.py): on when the cache is shared by every process that
# writes (CACHE_URL), since a write drops the stamp the fragments are keyed by; PAGE_CACHE=1 turns
# them on with one process's memory (the tests). PAGE_CACHE_SECONDS bounds how long one is kept.
PAGE_CACHE = env_bool("PAGE_CACHE", bool(CACHE_URL))
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "600"))

# Content-Security-Policy (django-csp 4): no inline script or style anywhere, Django admin included
# (its templates load every script from a file); QR codes are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# The open API (issue 19, cooperation/api): read-only for everyone, JSON only, paginated,
# filtered, throttled per IP address in the default cache. The version is the URL's prefix
# (/api/v1/, inserm_portal/urls.py): a v2 would be a second include beside it.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],  # read-only: GET views only, else 405
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "cooperation.api.policies.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["cooperation.api.policies.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", "120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # ?format= is an ordinary (ignored) query parameter: JSON is the only format.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Inserm international cooperation portal — open API",
    "DESCRIPTION": (
        "Read-only public data: open and upcoming calls for projects, funded projects, Inserm's "
        "sites abroad and the yearly figures. Nothing personal. Texts in French and English."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Prometheus metrics at /metrics (inserm_portal/metrics.py): only these client addresses (the
# scraper's; REMOTE_ADDR, never a forwarded header). Several gunicorn workers: PROMETHEUS_MULTIPROC_DIR.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")

# Logs: one JSON object per line with the request id in production (LOG_FORMAT=json, the default
# when DEBUG is off), plain text for a developer's console (LOG_FORMAT=plain, the default with DEBUG).
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "inserm_portal.observability.JsonFormatter"},
        "plain": {"()": "inserm_portal.observability.PlainFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "plain"}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
