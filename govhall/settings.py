"""Settings for govhall, read from environment variables with safe embedded defaults."""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor  # type: ignore[import-untyped]

from govhall.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("GOVHALL_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    # Embedded mode: one random key per data directory, created on first start and kept private.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.touch(mode=0o600)
        key_file.write_text(get_random_secret_key() + get_random_secret_key(), encoding="utf-8")
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "huey.contrib.djhuey",
    "ninja",
    # Before accounts, whose admin withdraws the device admin these register.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "govhall",
    "workdays",
    "audit",
    "accounts",
    "catalog",
    "hall",
    "cases",
    "supervision",
    "feedback",
    "workorders",
    "sharing",
    "assessment",
    "stats",
    "portal",
]

MIDDLEWARE = [
    "govhall.proxy.ForwardedClientMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "govhall.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "govhall.middleware.RejectNullCharactersMiddleware",
    # Answers from the public cache still pass through the middleware above.
    "govhall.cache.PublicCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "govhall.middleware.StaffIdleTimeoutMiddleware",
    "govhall.middleware.TwoFactorRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "govhall.urls"
WSGI_APPLICATION = "govhall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "govhall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.display_modes",
            ],
        },
    },
]


def _databases() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if not url:
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": DATA_DIR / "govhall.sqlite3",
                "OPTIONS": {
                    "init_command": (
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA foreign_keys=ON;"
                    ),
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 20,
                },
                "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
            }
        }
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if config["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured(
            f"DATABASE_URL names an unsupported database: {config['ENGINE']}"
        )
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY: dict[str, Any] = {
        "huey_class": "huey.RedisHuey",
        "name": "govhall",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Shared by every process of the data directory, unlike local memory: see sessions.
        "sessions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "sessions",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "govhall",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Staff hold personal data and the power to decide: their passwords are held to more.
    {
        "NAME": "accounts.passwords.StaffPasswordValidator",
        "OPTIONS": {"min_length": env_int("STAFF_PASSWORD_MIN_LENGTH", 12)},
    },
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
# Two-factor log-in (TOTP) for staff who turn it on. Wrong codes are throttled like passwords
# (LOGIN_FAILURE_LIMIT per LOGIN_LOCKOUT_SECONDS), so django-otp's own back-off, which would
# refuse even a right code for a while after a typo, is off.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "govhall")
OTP_TOTP_THROTTLE_FACTOR = 0
# Seconds a half-finished log-in (password right, code not yet given) stays open.
TWO_FACTOR_PENDING_SECONDS = env_int("TWO_FACTOR_PENDING_SECONDS", 300)
# Roles whose holders must use two-factor log-in (e.g. "administrator,supervisor"): until they
# turn it on, they can reach only their account page. None by default.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", [])

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Pages name static files only through {% static %}, that is by their hashed names: keeping
# only those halves the folder and the compression work of every collectstatic, and lets the
# web server cache everything under /static/ for good.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Source maps are fetched only by developers' tools; compressing them took 2/5 of collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Sessions are read on every signed-in request: from a cache, written through to the database,
# which stays the record. The cache must be one that every process shares, or a log-out in one
# worker would leave the session alive in another's memory: Redis when configured, otherwise
# private files under the data directory (a read is a file read, not a query).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "default" if REDIS_URL else "sessions"

# Security: sessions expire, cookies are HTTP-only, and production runs behind TLS.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Staff are signed out after this many seconds without a request (0: never); citizens keep the
# whole SESSION_COOKIE_AGE.
STAFF_IDLE_TIMEOUT_SECONDS = env_int("STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and env_bool("HTTPS", False))
SESSION_COOKIE_SECURE = env_bool("HTTPS", False)
CSRF_COOKIE_SECURE = env_bool("HTTPS", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if env_bool("HTTPS", False) else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HTTPS", False)
SECURE_HSTS_PRELOAD = env_bool("HTTPS", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("HTTPS", False) else None
# The proxies in front of govhall (nginx on this machine, a load balancer): the only senders whose
# X-Forwarded-For names the client. Gunicorn reads the same variable (deploy/gunicorn.conf.py).
GOVHALL_TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# govhall's own settings.
GOVHALL_DEFAULT_CENTER = env_str("GOVHALL_DEFAULT_CENTER")
GOVHALL_PROMISE_RATIO = 0.6
GOVHALL_KIOSK_IDLE_SECONDS = env_int("GOVHALL_KIOSK_IDLE_SECONDS", 90)
GOVHALL_ITEMS_PER_PAGE = 20
# Public pages and catalog reads served from the cache until the catalog changes.
GOVHALL_PUBLIC_CACHE_PREFIXES = [
    "/c/",
    "/api/v1/items",
    "/api/v1/departments",
    "/feedback/figures/",
    "/api/v1/feedback/figures",
]
GOVHALL_PUBLIC_CACHE_SECONDS = env_int("GOVHALL_PUBLIC_CACHE_SECONDS", 600)
# `make bench` turns on the write floor (/healthz/write); a deployment never needs it.
GOVHALL_BENCH_ENDPOINTS = env_bool("GOVHALL_BENCH_ENDPOINTS", False)
# The certificate registry's Ed25519 signing key (PEM, PKCS#8): blank for one created on first use
# under the data directory with 0600 permissions; a path for a key kept elsewhere.
GOVHALL_CERTIFICATE_KEY_PATH = env_str("GOVHALL_CERTIFICATE_KEY_PATH")
# The audit log sits below the catalog: it learns a user's center through this hook.
GOVHALL_AUDIT_USER_CENTER = "catalog.selectors.center_for_user"
# Concluded and otherwise closed cases lose their applicants' personal data this many years after
# they closed (0: never); see docs/security.md for the basis of the default.
CASE_RETENTION_YEARS = env_int("CASE_RETENTION_YEARS", 30)
# Remote tickets (the virtual queue) an hour from one network address, all phones together: the
# hall's Wi-Fi and a carrier's NAT put many behind one. Each phone has its own limit of 3.
REMOTE_TICKETS_PER_ADDRESS_HOUR = env_int("REMOTE_TICKETS_PER_ADDRESS_HOUR", 300)
# Bookings, special-service requests, tickets' mobiles, texts and verification codes lose their
# visitors' personal data this many years after their day (0: never); see docs/security.md.
HALL_RETENTION_YEARS = env_int("HALL_RETENTION_YEARS", 3)
# Ratings lose their rater, and concluded work orders (complaints, suggestions, 12345 orders) their
# complainant, this many years after they were given or concluded (0: never).
FEEDBACK_RETENTION_YEARS = env_int("FEEDBACK_RETENTION_YEARS", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # run_huey adds its own handler to this logger.
        "huey": {"level": "INFO", "propagate": False},
    },
}
