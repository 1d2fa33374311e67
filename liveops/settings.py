"""LiveOps settings, read from environment variables.

Defaults give the embedded set-up: SQLite in WAL mode under ``data/`` of the project, DEBUG off unless
``LIVEOPS_DEBUG=1``. ``DATABASE_URL`` switches to PostgreSQL (psycopg 3). ``LIVEOPS_PRODUCTION=1`` turns on
the HTTPS-only settings that ``manage.py check --deploy`` asks for.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from liveops.core import storage as _storage

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("LIVEOPS_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("LIVEOPS_PRODUCTION")
DEBUG = env_bool("LIVEOPS_DEBUG", default=False)


def _secret_key() -> str:
    """A secret key from the environment, or one generated once and kept in the data folder."""
    if key := os.environ.get("LIVEOPS_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key() + get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h for h in os.environ.get("LIVEOPS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("LIVEOPS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "axes",
    "liveops.core",
    "liveops.org",
    "liveops.sourcing",
    "liveops.quality",
    "liveops.commerce",
    "liveops.talent",
    "liveops.live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "liveops.core.middleware.RequestIdMiddleware",
    "liveops.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liveops.core.db_router.ReplicaReadsMiddleware",
    "liveops.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "liveops.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liveops.urls"
WSGI_APPLICATION = "liveops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "liveops" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liveops.core.context_processors.navigation",
            ],
        },
    }
]

# Database: embedded SQLite (WAL) by default, PostgreSQL when DATABASE_URL is set.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("LIVEOPS_TEST_DB_NAME", "test_liveops")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("LIVEOPS_SQLITE_PATH", str(DATA_DIR / "liveops.sqlite3")),
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE avoids
                # "database is locked" on lock upgrades inside transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per-process memory cache: the rendered sidebar per user and language (60 s), dashboard figures. Nothing
# whose staleness matters for permissions is cached; views always check access themselves. With several
# nodes, LIVEOPS_CACHE_URL=redis://host:6379/0 shares one Redis cache (Django's own backend, redis-py).
if os.environ.get("LIVEOPS_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["LIVEOPS_CACHE_URL"],
            "KEY_PREFIX": os.environ.get("LIVEOPS_CACHE_PREFIX", "liveops"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "liveops"}}

# Read replica: LIVEOPS_REPLICA_URL adds the "replica" alias; pages marked heavy and read-only
# (liveops.core.db_router.replica_reads) read from it, everything else and every write uses the
# primary, and a user who wrote in the last LIVEOPS_READ_YOUR_WRITES_SECONDS reads the primary.
if os.environ.get("LIVEOPS_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["LIVEOPS_REPLICA_URL"], conn_max_age=60)
    # Tests run against the primary's test database only (the replica mirrors it).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["liveops.core.db_router.ReplicaRouter"]
LIVEOPS_READ_YOUR_WRITES_SECONDS = int(os.environ.get("LIVEOPS_READ_YOUR_WRITES_SECONDS", "30"))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("LIVEOPS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LIVEOPS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Failures and lock-outs are rows in the shared database (not in a node's memory or cache), so a
# lock-out that starts on one node holds on every node, and survives a cache flush.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Sessions end after 8 working hours or when the browser closes.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("LIVEOPS_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Internationalisation: Chinese first, English available per user. Stored in UTC, shown in Beijing time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["liveops.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
CURRENCY = "CNY"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LIVEOPS_STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end assets come from the npm registry (package-lock.json) and are served by LiveOps itself:
# nothing loads from a CDN, so the product works on a company network without internet.
STATICFILES_DIRS = [BASE_DIR / "liveops" / "static"] + [
    (prefix, NODE_MODULES / path)
    for prefix, path in [
        ("vendor/bootstrap", "bootstrap/dist"),
        ("vendor/bootstrap-icons", "bootstrap-icons/font"),
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/echarts", "echarts/dist"),
    ]
    if (NODE_MODULES / path).exists()
]
# Stored files (liveops/core/storage.py): the local data folder by default; an S3-compatible bucket
# shared by every node when LIVEOPS_STORAGE_URL=s3://bucket?endpoint=http://host:9000 is set.
STORAGES = _storage.storages_setting(
    data_dir=DATA_DIR,
    storage_url=os.environ.get("LIVEOPS_STORAGE_URL", ""),
    static_backend="whitenoise.storage.CompressedStaticFilesStorage"
    if not DEBUG
    else "django.contrib.staticfiles.storage.StaticFilesStorage",
)
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest import file accepted (bytes). Larger uploads are refused before they are read.
# Buyers' contact data is sealed under a key derived from this (default: the secret key).
LIVEOPS_DATA_KEY = os.environ.get("LIVEOPS_DATA_KEY", "")

# A million-line 抖店 export is about 630 MB; 1 GiB leaves room and still refuses multi-GB uploads.
LIVEOPS_IMPORT_MAX_BYTES = int(os.environ.get("LIVEOPS_IMPORT_MAX_BYTES", str(1024 * 1024 * 1024)))
# PostgreSQL: connections that write an import's batches at once (write-behind kinds). Each holds one
# prepared batch in memory; two keep a two-core server busy while the runner prepares the next batch.
LIVEOPS_IMPORT_WRITERS = int(os.environ.get("LIVEOPS_IMPORT_WRITERS", "2"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "liveops.core.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["liveops.core.api.permissions.HasCapability"],
    "DEFAULT_PAGINATION_CLASS": "liveops.core.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "liveops.core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LiveOps API",
    "DESCRIPTION": "REST API of LiveOps. Authenticate with `Authorization: Bearer <token>` (per-user API tokens).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "ActionItemStatusEnum": "liveops.org.models.ActionItem.Status",
        "PlanStatusEnum": "liveops.org.models.Plan.Status",
        "ImportStatusEnum": "liveops.core.models.ImportStatus",
        "MerchantKindEnum": "liveops.sourcing.models.Merchant.Kind",
        "MerchantLevelEnum": "liveops.sourcing.models.Merchant.Level",
        "MerchantStatusEnum": "liveops.sourcing.models.Merchant.Status",
        "CredentialKindEnum": "liveops.sourcing.models.Credential.Kind",
        "CredentialVerificationEnum": "liveops.sourcing.models.Credential.Verification",
        "PriceKindEnum": "liveops.sourcing.models.PriceRecord.Kind",
    },
    "SERVE_AUTHENTICATION": [
        "liveops.core.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LIVEOPS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_one_line": {"()": "liveops.core.logging.ClientErrorsOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors_one_line"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LIVEOPS_LOG_LEVEL", "WARNING")},
}

LIVEOPS_BRAND = _("LiveOps")
