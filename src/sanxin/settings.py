"""The one settings module of sanxin, driven entirely by the environment.

Environment variables (all optional in development and tests):

- ``SANXIN_ENV``: ``development`` (default), ``test`` (default under pytest) or ``production``.
- ``SANXIN_SECRET_KEY``: Django's secret key; required in production.
- ``DATABASE_URL``: ``sqlite:///path`` (default: ``var/sanxin.sqlite3``) or ``postgres://...``.
- ``REDIS_URL``: switches the task queue from its SQLite storage to Redis.
- ``SANXIN_FIELD_KEYS``: ``kid:base64key[,kid:base64key...]``, the AES-256-GCM keys for personal data;
  the first is used to encrypt, all are tried to decrypt. Required in production.
- ``SANXIN_INDEX_KEY``: base64 HMAC key for blind indexes. Required in production.
- ``SANXIN_CREDENTIAL_KEYS``: ``kid:base64seed[,...]``, the Ed25519 keys of the member credential; the
  first signs, the others still verify. Required in production.
- ``SANXIN_LEDGER_KEYS``: ``kid:base64seed[,...]``, the Ed25519 keys that sign the transparency ledger's
  tree heads (first signs, all verify); ``SANXIN_LEDGER_ORIGIN`` names the log. Required in production.
- ``SANXIN_DATA_DIR``: where the embedded database, task queue and uploads live (default ``./var``).
- ``ALLOWED_HOSTS``: comma-separated; ``SANXIN_CSRF_TRUSTED_ORIGINS`` likewise.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent

ENV = os.environ.get("SANXIN_ENV") or ("test" if "pytest" in sys.modules else "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"SANXIN_ENV must be development, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"
TESTING = ENV == "test"

DATA_DIR = Path(os.environ.get("SANXIN_DATA_DIR") or (Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _required(name: str, dev_default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when SANXIN_ENV=production")
    return dev_default


SECRET_KEY = _required("SANXIN_SECRET_KEY", "dev-only-insecure-key-sanxin-0000000000000000000000000000")
DEBUG = ENV == "development" and os.environ.get("SANXIN_DEBUG", "0") == "1"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver", "[::1]"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SANXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "ninja",
    "huey.contrib.djhuey",
    "sanxin.core",
    "sanxin.accounts",
    "sanxin.orgs",
    "sanxin.registry",
    "sanxin.members",
    "sanxin.transfers",
    "sanxin.meetings",
    "sanxin.points",
    "sanxin.appeals",
    "sanxin.stations",
    "sanxin.learning",
    "sanxin.community",
    "sanxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sanxin.core.middleware.RequestContextMiddleware",
    "sanxin.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sanxin.core.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sanxin.core.middleware.ServiceErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanxin.urls"
WSGI_APPLICATION = "sanxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanxin.core.context_processors.shell",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'sanxin.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    _db["CONN_MAX_AGE"] = 0 if TESTING else 600
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
        ),
    }
    _db.pop("CONN_HEALTH_CHECKS", None)
    _db["TEST"] = {"NAME": str(DATA_DIR / "test-sanxin.sqlite3")}
else:
    _db.setdefault("TEST", {})
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ---------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_ENABLED = os.environ.get("SANXIN_AXES", "1") == "1"

# --- i18n and time ------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static, uploads ----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
# Uploads live outside any served directory and are only ever streamed by core.uploads views.
UPLOAD_ROOT = DATA_DIR / "uploads"
MEDIA_ROOT = UPLOAD_ROOT
UPLOAD_MAX_BYTES = int(os.environ.get("SANXIN_UPLOAD_MAX_BYTES", 200 * 1024 * 1024))
IMPORT_MAX_BYTES = int(os.environ.get("SANXIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
IMPORT_MEMORY_LIMIT_BYTES = int(os.environ.get("SANXIN_IMPORT_MEMORY_LIMIT", 512 * 1024 * 1024))
# The defaults take files of up to 200,000 rows; a city's full registry extract of a million rows needs
# these raised together (docs/operations.md): calamine holds an .xlsx sheet in the parsing child's memory.
IMPORT_MAX_ROWS = int(os.environ.get("SANXIN_IMPORT_MAX_ROWS", 200_000))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("SANXIN_IMPORT_MAX_UNCOMPRESSED", 200 * 1024 * 1024))
IMPORT_MAX_PARSED_BYTES = int(os.environ.get("SANXIN_IMPORT_MAX_PARSED", 256 * 1024 * 1024))
IMPORT_PARSE_TIMEOUT = int(os.environ.get("SANXIN_IMPORT_PARSE_TIMEOUT", 300))
# The upload request parses the file (headers, row count, and the rows kept for the run).
IMPORT_UPLOAD_PARSE_TIMEOUT = int(os.environ.get("SANXIN_IMPORT_UPLOAD_PARSE_TIMEOUT", 50))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- personal data keys -------------------------------------------------------------------------

FIELD_KEYS = _required("SANXIN_FIELD_KEYS", "")
INDEX_KEY = _required("SANXIN_INDEX_KEY", "")
# Ed25519 signing keys (``transfers.keys``): ``kid:base64(32-byte seed)[,...]``, the first signs.
CREDENTIAL_KEYS = _required("SANXIN_CREDENTIAL_KEYS", "")
LEDGER_KEYS = _required("SANXIN_LEDGER_KEYS", "")
LEDGER_ORIGIN = os.environ.get("SANXIN_LEDGER_ORIGIN", "sanxin.local/ledger")

# --- tasks --------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("SANXIN_HUEY_NAME", "sanxin"),
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "sanxin",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- security -----------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SANXIN_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SANXIN_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sanxin.core.context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SANXIN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # the consumer (run_huey) installs its own handler for "huey"
        "huey": {"level": "WARNING" if TESTING else "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}

# --- appeals ------------------------------------------------------------------------------------

# Below this confidence the classifier's guess goes to a person (5-fold CV on the training set: 72% of
# appeals classified automatically, 88% of those correctly; docs/architecture.md, "Appeals").
APPEALS_CLASSIFY_THRESHOLD = float(os.environ.get("SANXIN_APPEALS_CLASSIFY_THRESHOLD", 0.35))
# The departments' ranking: the weights of the three rates in the score (the 12345 assessments weigh
# the resolution and the satisfaction far above the response).
APPEALS_RANKING_WEIGHTS = {"response": 0.10, "resolution": 0.45, "satisfaction": 0.45}

# --- stations -----------------------------------------------------------------------------------
# The nearest search and the 15-minute service circle estimate minutes from the straight-line
# distance times a detour factor for the street network, at the speed of the worker's way of moving
# (km/h): an electric bicycle in city traffic, on foot, a car or a truck in town.
STATIONS_DETOUR = 1.3
STATIONS_SPEEDS_KMH = {"riding": 15.0, "walking": 4.5, "driving": 25.0, "truck": 20.0}
STATIONS_NEAREST_MAX_M = 30_000
# How each kind of new-employment worker moves (members.WorkKind → a speed above); others walk.
STATIONS_MODE_OF_WORK = {"courier": "riding", "rider": "riding", "ride_hailing": "driving", "truck": "truck"}
STATIONS_CIRCLE_MINUTES = 15
STATIONS_CHECKIN_RADIUS_M = 300

# --- community ----------------------------------------------------------------------------------
# Rate limits per user: forum posts (threads and replies) a minute, letters and suggestions a day.
COMMUNITY_POSTS_PER_MINUTE = int(os.environ.get("SANXIN_COMMUNITY_POSTS_PER_MINUTE", 5))
COMMUNITY_LETTERS_PER_DAY = 5
COMMUNITY_SUGGESTIONS_PER_DAY = 5
COMMUNITY_POST_MAX_CHARS = 5000
# A letter to a secretary's mailbox without a reply after this many days is overdue (home card, counts).
COMMUNITY_LETTER_REPLY_DAYS = int(os.environ.get("SANXIN_COMMUNITY_LETTER_REPLY_DAYS", 7))

# --- learning -----------------------------------------------------------------------------------
# A media lesson is complete when the watched time the server accumulated from the player's heartbeats
# reaches this share of its duration; an interval between heartbeats longer than the gap counts nothing
# (the player was not sending: closed, backgrounded, offline for long).
LEARNING_WATCH_SHARE = Decimal(os.environ.get("SANXIN_LEARNING_WATCH_SHARE", "0.9"))
LEARNING_HEARTBEAT_SECONDS = 10  # how often the player reports
LEARNING_HEARTBEAT_MAX_GAP_S = 120
# An article's minimum reading time: its characters at this pace, at least the minimum.
LEARNING_READING_CHARS_PER_MINUTE = 400
LEARNING_READING_MIN_SECONDS = 30
# Wrong answers to a lesson's check question before its watched time starts again from zero.
LEARNING_CHECK_ATTEMPTS = 3
# The annual requirement in 学时: members, and those who held a post of a branch or committee
# (书记, 副书记, 委员) during the year.
LEARNING_REQUIRED_HOURS = {"member": Decimal("32"), "cadre": Decimal("56")}
LEARNING_CADRE_TITLES = (
    "secretary",
    "deputy_secretary",
    "committee_member",
    "organization",
    "propaganda",
    "discipline",
    "youth",
)
LEARNING_CREDITS_PER_HOUR = Decimal(os.environ.get("SANXIN_LEARNING_CREDITS_PER_HOUR", "1"))
LEARNING_MEDIA_MAX_BYTES = 300 * 1024 * 1024
