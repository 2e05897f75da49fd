"""Medius settings, read from the environment.

Every value has a safe default for a developer's machine (`make run` needs no server), and a bad value fails at
start-up rather than half-working: envbool refuses "maybe", production refuses to start without a SECRET_KEY.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django_guid.integrations import CeleryIntegration
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MEDIUS_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/yes/no/1/0, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envsecret(name: str, default: str = "") -> str:
    """Read FOO, or the file named by FOO_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", "false")
TESTING = envbool("MEDIUS_TESTING", "false")

# Required when DEBUG is off: the web and worker processes refuse to start without it (clinic.startup). Left empty
# here so that offline commands (makemigrations, collectstatic) still run; anything that signs fails loudly.
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-never-use-in-production-" + "x" * 20

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many reverse proxies of our own stand in front of the app: only their X-Forwarded-For entries are believed
# (audit IP addresses, per-client rate limits). 0 = use the connection's address.
NUM_PROXIES = envint("NUM_PROXIES", 0)
# How long a patient's private link to their exercise program works (days).
PROGRAM_LINK_DAYS = envint("PROGRAM_LINK_DAYS", 90)

INSTALLED_APPS = [
    "clinic.apps.MediusAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "phonenumber_field",
    "django_prometheus",
    "django_guid",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "clinic",
    "patients",
    "bookings",
    "assessments",
    "programs",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole request
    "django_guid.middleware.guid_middleware",  # a request id in every log line and the Celery tasks it queues
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clinic.middleware.ApiErrorMiddleware",  # every error under /api/ is JSON, 500 included
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "clinic.middleware.InputPolicyMiddleware",  # NUL and lone surrogates refused in every field (clinic.validation)
    "clinic.middleware.CommonMiddleware",  # Django's, without slash-appending redirects under /api/
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinic.security.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinic.middleware.PracticeTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lockout into the sign-in page's message (clinic.security)
    "clinic.unavailable.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last: sees the view that answered
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.medius",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise. SQLite runs in WAL mode with IMMEDIATE
# transactions, so concurrent writers queue on the database lock instead of failing half-way (the no-double-booking
# guarantee relies on writers being serialised there).
VAR_DIR.mkdir(parents=True, exist_ok=True)
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("CONN_MAX_AGE", envint("DB_CONN_MAX_AGE", 60))
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Behind PgBouncer in transaction mode (docs/deploy.md) a session lives only as long as one transaction: no
        # server-side cursors (they outlive it). Django already sends no prepared statements with psycopg 3, and the
        # booking and outbox locks are transaction-scoped (pg_advisory_xact_lock, SET LOCAL, FOR UPDATE SKIP LOCKED).
        if envbool("DB_TRANSACTION_POOLING", "false"):
            DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        # A database host that drops packets must fail a request within seconds, not hang it (clinic.unavailable).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", envint("DB_CONNECT_TIMEOUT", 5))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "medius.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
if "TEST" not in DATABASES["default"] and os.environ.get("MEDIUS_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["MEDIUS_TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinic.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Redis: the broker and cache when REDIS_URL is set. Without it, Celery uses kombu's filesystem transport under var/
# (works across the web, worker and beat processes with no server) and the cache is a file cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is unreachable: callers fall back (clinic.throttling) rather than wait.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # A hostname the transport ignores, so kombu does not warn "No hostname was supplied" at every start.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "cache"}
    }

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {}
# Queues by kind of work (clinic/celery_routes.py): notifications, pdf and maintenance each have their own queue, so a
# worker per kind can be scaled on its own. CELERY_QUEUE_PREFIX lets several installations share one Redis.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE_PREFIX", "") + "celery"
CELERY_QUEUES_BY_KIND = {
    kind: os.environ.get("CELERY_QUEUE_PREFIX", "") + kind for kind in ("notifications", "pdf", "maintenance")
}
CELERY_TASK_ROUTES = ("clinic.celery_routes.route_by_kind",)
# A worker started without -Q consumes every queue (make run's single worker); `-Q pdf` makes a PDF-only worker.
CELERY_TASK_QUEUES = [Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, *CELERY_QUEUES_BY_KIND.values())]
CELERY_TIMEZONE = "UTC"

# Notifications (clinic.notifications, docs/reminders.md): the dispatcher runs every minute and sends what is due.
NOTIFICATIONS_DISPATCH_SECONDS = envint("NOTIFICATIONS_DISPATCH_SECONDS", 60)
NOTIFICATIONS_BATCH_SIZE = envint("NOTIFICATIONS_BATCH_SIZE", 200)  # rows claimed at a time, one SMTP connection
NOTIFICATIONS_CLAIM_TIMEOUT = envint("NOTIFICATIONS_CLAIM_TIMEOUT", 300)  # seconds before a stuck claim is taken over
NOTIFICATIONS_MAX_ATTEMPTS = envint("NOTIFICATIONS_MAX_ATTEMPTS", 6)
NOTIFICATIONS_RETRY_SECONDS = envint("NOTIFICATIONS_RETRY_SECONDS", 60)  # first retry; doubles up to an hour
# Hours past the time a message was due to go after which it is marked expired, not sent (an outage, a restore).
NOTIFICATIONS_REMINDER_STALE_HOURS = envint("NOTIFICATIONS_REMINDER_STALE_HOURS", 6)
NOTIFICATIONS_STALE_HOURS = envint("NOTIFICATIONS_STALE_HOURS", 24)  # every other kind
SMS_BACKEND = os.environ.get("SMS_BACKEND", "clinic.notifications.sms.ConsoleBackend")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = envsecret("SMS_GATEWAY_TOKEN")
SMS_SENDER = os.environ.get("SMS_SENDER", "Medius")
SMS_TIMEOUT = envint("SMS_TIMEOUT", 10)
CELERY_BEAT_SCHEDULE["clinic.dispatch-notifications"] = {
    "task": "clinic.tasks.dispatch_notifications",
    "schedule": float(NOTIFICATIONS_DISPATCH_SECONDS),
}

# Work queued after a commit is written to the database first (clinic.pending_tasks); this relays what the broker
# could not take at the time (Redis down).
PENDING_TASKS_RELAY_SECONDS = envint("PENDING_TASKS_RELAY_SECONDS", 30)
CELERY_BEAT_SCHEDULE["clinic.relay-pending-tasks"] = {
    "task": "clinic.tasks.relay_pending_tasks",
    "schedule": float(PENDING_TASKS_RELAY_SECONDS),
}

# Bookings: stored Idempotency-Key responses are kept for a day, then deleted (bookings.tasks).
CELERY_BEAT_SCHEDULE["bookings.purge-idempotency-records"] = {
    "task": "bookings.tasks.purge_idempotency_records",
    "schedule": 3600.0,
}

# Email: without EMAIL_URL, messages are written to var/mail (one file each) so nothing leaves the machine.
if os.environ.get("EMAIL_URL"):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Medius <no-reply@medius.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored times are UTC; display uses the practice's zone (PracticeTimezoneMiddleware)
CLINIC_TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "Europe/London")
try:
    ZoneInfo(CLINIC_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"CLINIC_TIME_ZONE {CLINIC_TIME_ZONE!r} is not a known time zone") from None

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files that hold patient data (progress reports, exports) go to the "private" storage: a folder outside MEDIA_ROOT
# that no URL maps to; only views that check the role and audit the download read it (clinic/storage.py,
# docs/security.md). With S3_BUCKET set (below) it is a private bucket instead (docs/deploy.md).
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
if PRIVATE_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured("PRIVATE_ROOT must not be inside MEDIA_ROOT: the web server serves MEDIA_ROOT")
# What the web server may serve from MEDIA_ROOT (and `make run` serves): exercise pictures, staff photos, the logo.
PUBLIC_MEDIA_PREFIXES = ("exercises/", "practitioners/", "practice/")
STORAGES = {
    "private": {
        "BACKEND": "clinic.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "directory_permissions_mode": 0o700, "file_permissions_mode": 0o600},
    },
    # Uploads and rendered PDFs are written atomically: never a half-written or empty file (clinic.files).
    "default": {"BACKEND": "clinic.files.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Object storage (docs/deploy.md): with S3_BUCKET set, files go to S3-compatible buckets instead of this machine's disk,
# so any web or worker node can read what another wrote. Public uploads (exercise pictures, the logo) go to S3_BUCKET;
# files with patient data go to S3_PRIVATE_BUCKET as private objects, read only through the app's audited views.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    S3_PRIVATE_BUCKET = os.environ.get("S3_PRIVATE_BUCKET", "")
    if not S3_PRIVATE_BUCKET or S3_PRIVATE_BUCKET == S3_BUCKET:
        raise ImproperlyConfigured("S3_PRIVATE_BUCKET must be a bucket of its own: patient files never share one")
    _s3 = {
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": envsecret("S3_ACCESS_KEY_ID"),
        "secret_key": envsecret("S3_SECRET_ACCESS_KEY"),
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": S3_BUCKET,
            # Empty when the bucket is public by policy (most providers now turn object ACLs off).
            "default_acl": os.environ.get("S3_PUBLIC_ACL", "public-read") or None,
            "querystring_auth": False,
            "custom_domain": os.environ.get("S3_PUBLIC_DOMAIN") or None,
        },
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3, "bucket_name": S3_PRIVATE_BUCKET, "default_acl": "private", "querystring_expire": 60},
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns "not signed in" into a proper 401.
        "clinic.security.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clinic.permissions.HasCapability"],
    "DEFAULT_SCHEMA_CLASS": "clinic.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "clinic.api.PageNumberPagination",
    # JSON bodies (request bodies nest objects); an endpoint that takes uploads names its own parsers.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "clinic.api.exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "public_write": os.environ.get("PUBLIC_WRITE_RATE", "20/minute"),
        "token": "10/minute",
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Medius API",
    "DESCRIPTION": "Clinic software for physiotherapy practices. Staff endpoints need a session or a token "
    "(POST /api/v1/auth/token/); public endpoints need none.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["clinic.permissions.HasCapability"],
}
# Assessments: seven tests share one status choice set, and several apps have a "status" field; name them once.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "TestStatusEnum": "assessments.models.TestStatus",
    "AssessmentStatusEnum": "assessments.models.Assessment.Status",
    "SexEnum": "patients.models.Patient.Sex",
}

# Bookings: the appointment status enum gets its own name in the schema (several models have a "status").
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "AppointmentStatusEnum": "bookings.models.Appointment.Status",
}

PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONENUMBER_DEFAULT_REGION", "GB")

# Security: strict by default; plain-HTTP development only with DEBUG on.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts only from our own origin (static/js, the vendored htmx), or an inline
# script carrying the per-response nonce; never 'unsafe-inline' or eval for scripts. Inline style *attributes* stay
# allowed (the calendar positions blocks with CSS variables); <style> elements do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy: Medius uses none of the browser's powerful features; say so, so an injected script can't either.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Logs: one JSON object per line in production (LOG_FORMAT=json, the default with DEBUG off), plain text for a
# person at a terminal. Every line carries the request id (django-guid), which Celery tasks inherit from the request
# that queued them, so one booking can be followed from the web node into the worker that sent its email.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        # Capability tokens (manage, plan, feed and claim links) are removed from every line (clinic/log_redaction.py).
        "redact_tokens": {"()": "clinic.log_redaction.RedactTokensFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_tokens", "request_id"],
            "formatter": LOG_FORMAT,
        },
        # runserver's request lines (replaces Django's default handler of the same name, which has no filter).
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # django-guid narrates every id it sets at INFO; the id itself is on every line already.
        "django_guid": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,  # an id sent by a client or proxy is kept only when it is a UUID; otherwise a new one
    # Celery tasks carry the request id of whoever queued them; workers log with these settings too.
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=False)],
}
# Backups (clinic/backups.py, docs/backups.md): encrypted to age public keys; the secret key is needed only to restore
# and belongs on the machine that restores, not on the one that backs up.
BACKUP_RECIPIENTS = os.environ.get("BACKUP_RECIPIENTS", "")
BACKUP_IDENTITY = envsecret("BACKUP_IDENTITY")
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# Prometheus (clinic/metrics.py, docs/deploy.md): GET /metrics with "Authorization: Bearer $METRICS_TOKEN", or as a
# clinic admin. Unset: only admins. Run several processes with PROMETHEUS_MULTIPROC_DIR set to an empty folder.
METRICS_TOKEN = envsecret("METRICS_TOKEN")

# seed_demo runs these in order; each module has seed(password=..., stdout=...) and is idempotent.
MEDIUS_DEMO_MODULES = [
    "clinic.demo",
    "patients.demo",
    "bookings.demo",
    "assessments.demo",
    "programs.demo",
    "bookings.demo_messages",  # after the others: sends what is due so the outbox shows sent, failed and skipped
]

# Security (docs/security.md): two-factor sign-in, lockout, password-reset limits and API tokens.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
# New practices require two-factor sign-in for all staff unless DEBUG is on (`make run` stays one click). The practice
# settings page changes it; this only decides the starting value.
TWO_FACTOR_REQUIRED_DEFAULT = envbool("TWO_FACTOR_REQUIRED_DEFAULT", "true" if not DEBUG else "false")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Medius")
# Passkeys are bound to a host name and need https, except on localhost: with SITE_URL on a bare IP address (the
# `make run` default) they work at http://localhost:8000.
_site = urlsplit(SITE_URL)
_passkey_origin = SITE_URL if _site.scheme == "https" or _site.hostname == "localhost" else "http://localhost:8000"
OTP_WEBAUTHN_RP_ID = os.environ.get("OTP_WEBAUTHN_RP_ID", urlsplit(_passkey_origin).hostname)
OTP_WEBAUTHN_RP_NAME = os.environ.get("OTP_WEBAUTHN_RP_NAME", "Medius")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("OTP_WEBAUTHN_ALLOWED_ORIGINS", default=[_passkey_origin])
# Passkeys are a second factor only: the password (and its lockout) always comes first.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: one account, or one address
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "clinic.audit.client_ip"
AXES_USERNAME_CALLABLE = "clinic.security.lockout.username_from"
AXES_LOCKOUT_CALLABLE = "clinic.security.lockout.lockout_response"
AXES_ENABLE_ADMIN = False  # locks are seen and cleared on the in-app Sign-in security page
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail already
# A successful sign-in does not clear the count: it would clear the address's count too, so anyone with one account
# could keep guessing other accounts' passwords from their address. Counts end with the cool-off.
AXES_RESET_ON_SUCCESS = False
AXES_SENSITIVE_PARAMETERS = ["username", "password", "otp", "code", "token"]  # masked in stored attempts
PASSWORD_RESET_PER_ACCOUNT_HOUR = envint("PASSWORD_RESET_PER_ACCOUNT_HOUR", 3)
PASSWORD_RESET_PER_ADDRESS_HOUR = envint("PASSWORD_RESET_PER_ADDRESS_HOUR", 10)

API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 30)
KNOX_TOKEN_MODEL = "clinic.ApiToken"  # noqa: S105 (a model name, not a secret)
# knox's own migrations would create its default token table even though clinic.ApiToken replaces it (and a table
# nobody maps breaks flushing the test database): skip them, the swapped-out model gets no table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": timedelta(days=API_TOKEN_DAYS), "AUTH_HEADER_PREFIX": "Token"}
AXES_VERBOSE = False  # no banner on every start; lockouts are in the audit trail
