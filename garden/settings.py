"""Settings for one Allmende node, read from the environment.

Every node keeps its state in a data directory (``ALLMENDE_DATA_DIR``): the
SQLite database, the secret key and the federation key pair. Several nodes can
run from one checkout, each with its own data directory and port.
"""

import hashlib
import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


if os.environ.get("ALLMENDE_DATA_DIR"):
    DATA_DIR = Path(os.environ["ALLMENDE_DATA_DIR"]).resolve()
elif "pytest" in sys.modules:
    # A test run must never touch a developer's ./data.
    DATA_DIR = Path(tempfile.mkdtemp(prefix="allmende-test-"))
else:
    DATA_DIR = (BASE_DIR / "data").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _load_secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _load_secret_key()
DEBUG = _env_flag("DEBUG")

PORT = int(os.environ.get("PORT", "8000"))
ALLMENDE_URL = os.environ.get("ALLMENDE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
_public = urlsplit(ALLMENDE_URL)
ALLMENDE_HOST = _public.netloc

# The sharing map's tiles (/share/map/). Empty MAP_TILE_URL: no tiles, the markers on a plain
# background with a scale bar (no request leaves the browser for another server).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
ALLOWED_HOSTS = sorted({_public.hostname or "127.0.0.1", "127.0.0.1", "localhost", "[::1]"})
ALLOWED_HOSTS += [h for h in os.environ.get("EXTRA_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",  # serves Swagger UI from our own static files (the CSP forbids a CDN)
    "django_tasks",
    "django_tasks_db",
    "federation",
    "garden.core",
    "garden.members",
    "garden.plots",
    "garden.shifts",
    "garden.harvests",
    "garden.sharing",
    "garden.decisions",
    "garden.conversations",
    "garden.home",
    "garden.reminders",
    "garden.posts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "garden.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "garden.members.middleware.RequestGardenMiddleware",
    "garden.core.ratelimit.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "garden.members.middleware.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "garden.core.unavailable.DatabaseUnavailableMiddleware",
]

# Endpoints that answer other servers, not people: no language to pick, so the
# garden's default language (a database query) is not looked up for them.
LANGUAGE_NEUTRAL_PATHS = ("/inbox", "/actor", "/outbox", "/.well-known/", "/nodeinfo/", "/healthz")

ROOT_URLCONF = "garden.urls"
ASGI_APPLICATION = "garden.asgi.application"

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
                "garden.members.context_processors.garden",
                "garden.home.context_processors.rendered_at",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'allmende.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process read while the other writes;
    # IMMEDIATE makes writers queue for the lock instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASE_POOL_SIZE := int(os.environ.get("DATABASE_POOL_SIZE", "8")):
    # Under ASGI every request may run on a fresh thread, and Django's persistent
    # connections are per thread: they leak until PostgreSQL refuses new clients. A pool
    # per process hands connections back at the end of each request instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 10,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The channel prefix keeps nodes that share one Redis apart.
CHANNEL_PREFIX = "allmende-" + hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:10]
REDIS_URL = os.environ.get("REDIS_URL", "")
# Pub/sub fans a group message out inside each process: one Redis message per broadcast
# and process instead of one per open page (docs/performance.md, "Live").
REDIS_CHANNEL_LAYERS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": REDIS_CHANNEL_LAYERS[os.environ.get("REDIS_CHANNEL_LAYER", "pubsub")],
            "CONFIG": {"hosts": [REDIS_URL], "prefix": CHANNEL_PREFIX},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds rate-limit counts, shared by every process of the node: Redis when
# there is one, else a table in the node's database (created by garden.core's migration).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "garden.core.redis_cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNEL_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "allmende_cache",
        }
    }
if "pytest" in sys.modules:
    # Each test starts with fresh counts (tests/conftest.py clears this cache).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# "COUNT/PERIOD" (s, m, h); 0 switches a limit off. See garden/core/ratelimit.py.
RATE_LIMITS = {
    "login": os.environ.get("RATE_LIMIT_LOGIN", "10/m"),  # per address and username
    "login-ip": os.environ.get("RATE_LIMIT_LOGIN_IP", "50/m"),  # per address
    "inbox-host": os.environ.get("RATE_LIMIT_INBOX_HOST", "600/m"),  # per sending garden
    "inbox-ip": os.environ.get("RATE_LIMIT_INBOX_IP", "1200/m"),  # per address
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "federation"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# A password reset link lives for a day; an emailed sign-in link for 20 minutes.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
LOGIN_LINK_TIMEOUT = int(os.environ.get("LOGIN_LINK_TIMEOUT", str(20 * 60)))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# A small node serves its few static files straight from the source tree,
# so it needs no collectstatic step to start.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DATA_DIR / "media"

# Daily backups (garden/core/backups/): where they go and how many are kept.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or DATA_DIR / "backups").resolve()
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "7"))
BACKUP_DAILY = _env_flag("BACKUP_DAILY", True)
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", f"allmende@{_public.hostname or 'localhost'}"
)

# Security headers; the https-only ones follow from a public https URL.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if _public.scheme == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_flag("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Federation (see docs/federation.md).
FEDERATION_ALLOW_INSECURE = _env_flag("FEDERATION_ALLOW_INSECURE")
# Web Push to plain-http push services (tests, local demos); production needs https.
PUSH_ALLOW_INSECURE = _env_flag("PUSH_ALLOW_INSECURE")
# The garden-local hour the "tomorrow" reminder emails go out (0-23).
REMINDER_EMAIL_HOUR = int(os.environ.get("REMINDER_EMAIL_HOUR", "17"))
FEDERATION_KEY_DIR = DATA_DIR / "keys"
FEDERATION_ADMIN_CHECK = "garden.members.services.is_coordinator"
# Tests shorten the retry delays; production keeps ~1 minute doubling, giving up after 3 days.
FEDERATION_RETRY_BASE_SECONDS = float(os.environ.get("FEDERATION_RETRY_BASE_SECONDS", "60"))
# The inbox worker: an Update or Delete waits this long at most for the activity that brings
# its object (docs/federation.md).
FEDERATION_INBOX_ORDER_WAIT = float(os.environ.get("FEDERATION_INBOX_ORDER_WAIT", "60"))
# Apply what the inbox stored in the web process, right after storing it. On by default
# without Redis: the in-memory channel layer reaches only this process's pages, so the live
# updates an activity causes must be sent from here (several web processes need Redis; with
# it the scheduler's inbox worker applies everything). The activity is stored first either
# way, and what this misses the worker applies.
FEDERATION_INBOX_APPLY_AT_ONCE = _env_flag("FEDERATION_INBOX_APPLY_AT_ONCE", not REDIS_URL)
# How long a web process keeps a sender's peer state and actor document (federation/inbox.py).
FEDERATION_SENDER_CACHE_SECONDS = float(os.environ.get("FEDERATION_SENDER_CACHE_SECONDS", "5"))
# How much lower the CPU priority of the worker and the scheduler (the inbox worker) is than
# that of the web processes under ``manage.py serve`` (a nice value, 0-19; systemd: Nice=).
BACKGROUND_NICE = int(os.environ.get("BACKGROUND_NICE", "10"))
# bench/inbox.py's ceiling: a bare POST view beside the inbox (garden/core/views.py).
BENCH_CEILING = _env_flag("BENCH_CEILING")
FEDERATION_REPLAY_WINDOW_SECONDS = 3600
# Delivered outbox deliveries are pruned after this many days (garden/core/housekeeping.py).
FEDERATION_KEEP_DELIVERED_DAYS = float(os.environ.get("FEDERATION_KEEP_DELIVERED_DAYS", "30"))
# A test-only inbox handler (federation/debug.py); never set in production.
FEDERATION_DEBUG_HANDLER = _env_flag("FEDERATION_DEBUG_HANDLER")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
