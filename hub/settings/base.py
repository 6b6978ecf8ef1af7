"""Settings shared by every profile; everything that differs per machine is read from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "hub"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # daphne first: its runserver serves ASGI (HTTP and WebSocket) in development.
    "daphne",
    "hub",
    "hub.accounts",
    "hub.content",
    "hub.notifications",
    "hub.rewards",
    "hub.workspace",
    "hub.shop",
    "hub.api",
    "hub.webhooks",
    "community",
    "feedback",
    "events",
    # Editor-defined names (tiers, badges, categories, products…) and the brand settings get a
    # column per language; it must come before the apps whose models it patches are used.
    "modeltranslation",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    # Translating pages in the admin (replaces wagtail.locales' locale management).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "django_comments_xtd",
    "django_comments",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hub.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A dropped or unavailable database connection: retried when safe, else 503 + Retry-After.
    "hub.dbfaults.DatabaseFaultMiddleware",
    # Runs what a page view queued with hub.deferred.after_response once the response is sent.
    "hub.deferred.AfterResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # 413 for an oversized body (by its Content-Length, before it is read), 400 for a NUL byte.
    "hub.middleware.RequestGuardMiddleware",
    "hub.middleware.AdminBadInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LocaleMiddleware, after authentication: the URL's language prefix, else the
    # signed-in member's own language, else the cookie, else Accept-Language, else English.
    "hub.i18n.middleware.MemberLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Anonymous readers' pages from the shared cache; ETag/304 for members (hub/pagecache.py).
    "hub.pagecache.PageCacheMiddleware",
    # The request's own CSRF token into page pieces kept without it (hub/fragments.py).
    "hub.fragments.CsrfMarkMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # One MemberActivity row per signed-in member and day, for the KPIs (cache-guarded).
    "hub.workspace.activity.ActivityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Wagtail's site for a page from a copy kept per host and page-tree version (no query).
    "hub.content.sites.KeptSiteMiddleware",
]

ROOT_URLCONF = "hub.urls"
ASGI_APPLICATION = "hub.asgi.application"
WSGI_APPLICATION = "hub.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Wagtail's settings, each kept a few seconds per site (hub/context_processors.py).
                "hub.context_processors.kept_settings",
                "hub.context_processors.site_chrome",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------------
# SQLite by default so a bare machine runs; DATABASE_URL=postgres://… selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        # An empty DATABASE_URL (as `make test` sets for the SQLite pass) means the default too.
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_POOL", True
):
    # A connection pool per process: under ASGI every request and socket runs in its own thread,
    # so persistent connections would pile up, and opening one per request costs milliseconds.
    # Each request in flight holds at most one connection: size the pool to the requests a
    # process serves at once (uvicorn's --limit-concurrency), and keep processes x max_size
    # below PostgreSQL's max_connections. A request that finds the pool empty waits up to
    # DATABASE_POOL_TIMEOUT seconds, then gets 503 + Retry-After (hub.dbfaults), never a 500.
    # Connections are checked before they are handed out (CONN_HEALTH_CHECKS), so those the
    # server closed (a restart, pg_terminate_backend) are replaced instead of failing a request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "20")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "5")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer in at a time. So that a second writer (another request, the task
    # worker) waits its turn instead of failing with "database is locked":
    # - timeout: wait up to 20 s for the write lock (the busy timeout);
    # - IMMEDIATE: a transaction takes the write lock when it begins, so two transactions never
    #   both read and then both try to upgrade to writing (SQLite cannot wait there: it fails);
    # - WAL: readers never block the writer nor the writer them, and synchronous=NORMAL is
    #   the safe setting for WAL (a power cut may lose the last commits, never corrupt).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that answers as a miss (and logs) while Redis is down: see hub/cache.py.
            "BACKEND": "hub.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hub"),
            # A hung Redis costs a request a second or two, not a worker forever.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    # Sessions read from Redis (written to the database too, read from it when Redis misses or
    # is down): a member's page does not query the session table. Only with a shared cache: a
    # per-process one would keep a signed-out session alive in the other processes.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, which races the layer's
                # 5 s BZPOPMIN and drops idle sockets (django/channels_redis#422); stay above it.
                # A connect to a Redis that does not answer gives up after 2 s (pushes are
                # best-effort and sockets retry; see hub/realtime.py and hub/sockets.py).
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 2}
                ],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "hub"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# After the cache finds Redis unreachable, it answers as a miss without trying Redis for this
# many seconds, then tries again (hub/cache.py).
CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS", "5"))
# Anonymous readers' pages from the shared cache (hub/pagecache.py): an entry lives at most
# PAGECACHE_SECONDS (a change a service touches drops it at once); browsers and CDNs may keep it
# PAGECACHE_MAX_AGE seconds, then serve it stale for PAGECACHE_STALE_SECONDS while refetching.
PAGECACHE_ENABLED = env_bool("PAGECACHE_ENABLED", True)
PAGECACHE_SECONDS = int(os.environ.get("PAGECACHE_SECONDS", "10"))
PAGECACHE_MAX_AGE = int(os.environ.get("PAGECACHE_MAX_AGE", "5"))
PAGECACHE_STALE_SECONDS = int(os.environ.get("PAGECACHE_STALE_SECONDS", "5"))
# Threads per ASGI server process running requests' synchronous middleware and views, reused
# from request to request (hub.serving.SyncChainASGIHandler); a request waits for a free one.
ASGI_SYNC_THREADS = int(os.environ.get("ASGI_SYNC_THREADS", "2"))
# Pieces of members' pages, and what they are made from, kept in each process and shared between
# members for at most FRAGMENT_SECONDS (a change a service touches replaces them at once).
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE_ENABLED", True)
FRAGMENT_SECONDS = int(os.environ.get("FRAGMENT_SECONDS", "10"))
# Every this many seconds an open WebSocket re-joins its channel-layer group (lost when Redis
# restarts empty) and sends what it may have missed meanwhile (hub.sockets.GroupConsumer).
SOCKET_RESYNC_SECONDS = float(os.environ.get("SOCKET_RESYNC_SECONDS", "30"))

# Background jobs run by `manage.py db_worker` (make run starts one) from the database queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker writes a heartbeat this often; a task left RUNNING by a worker silent for the lease
# runs again (hub.worker), at most TASKS_MAX_ATTEMPTS times in all.
TASKS_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("TASKS_WORKER_HEARTBEAT_SECONDS", "10"))
TASKS_WORKER_LEASE_SECONDS = float(os.environ.get("TASKS_WORKER_LEASE_SECONDS", "60"))
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", "3"))

# Notification e-mails arriving within this many seconds of the first go out as one digest.
NOTIFICATIONS_EMAIL_DIGEST_SECONDS = int(
    os.environ.get("NOTIFICATIONS_EMAIL_DIGEST_SECONDS", "300")
)
# Kinds a member set to "daily summary" wait this long after the first of them still waiting,
# then go out together (the worker's sweep sends them, within a few minutes of that time).
NOTIFICATIONS_DAILY_DIGEST_SECONDS = int(
    os.environ.get("NOTIFICATIONS_DAILY_DIGEST_SECONDS", "86400")
)

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # ModelBackend with each member's permissions kept in the cache (hub/accounts/backends.py).
    "hub.accounts.backends.CachedModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile_edit"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:profile_edit"
ACCOUNT_ADAPTER = "hub.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "hub.accounts.forms.LoginForm"}
SIGNUP_OPEN = env_bool("SIGNUP_OPEN", True)
# allauth rate-limits sign-in, sign-up and password reset through the cache.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")  # for the file-based backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Advocate Hub <hello@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("ka", _("Georgian")),
    ("af", _("Afrikaans")),
    ("he", _("Hebrew")),
    ("hy", _("Armenian")),
    ("fi", _("Finnish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# django-modeltranslation: a value set without a language (``Tier(name=...)``) is also the
# default language's, and an empty translation falls back to the default language.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
MODELTRANSLATION_AUTO_POPULATE = "default"
# Our adjustments to Django's per-language formats (hub/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["hub.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Django serves uploads itself unless a proxy or object storage does (production).
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads above this are streamed to disk rather than held in memory; the image forms reject
# anything above their own limit before Pillow opens it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# A request body above this is refused (413) from its Content-Length, before it is read: four
# review photos at their limit with the form around them fit, and so do the admin's uploads.
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", 40 * 1024 * 1024))

# --- Wagtail ---------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Advocate Hub")
# The address links in e-mails, feeds and calendars use; in development it follows PORT.
WAGTAILADMIN_BASE_URL = os.environ.get(
    "BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
)
# Words only, never query syntax: hub.search wraps Wagtail's database backend (FTS5 / PostgreSQL).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "hub.search"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# No Gravatar: the admin must not call out to a third party (and works offline).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
TAGGIT_CASE_INSENSITIVE = True

# --- Comments (django-comments-xtd, used by the community issue) -----------------------------
COMMENTS_APP = "django_comments_xtd"
# Story comments are threaded three deep: a comment (level 0), replies, and replies to those.
COMMENTS_XTD_MAX_THREAD_LEVEL = 2
COMMENTS_XTD_CONFIRM_EMAIL = False


def _story_comment_url(comment) -> str:
    # django-comments links a comment through its redirect view, but its URLconf is not mounted:
    # members post, flag and delete comments through the community app's own views (limits,
    # suspensions, nh3). A comment's link is its story's page at the comment's anchor instead.
    return import_string("community.queries.comment_url")(comment)


ABSOLUTE_URL_OVERRIDES = {"django_comments_xtd.xtdcomment": _story_comment_url}

# --- Uploaded pictures (hub.images): checked, then stored re-encoded as WebP ------------------
# Any one upload's pixel budget, checked before it is decoded (8000 x 8000).
IMAGE_MAX_PIXELS = 64_000_000
# Avatars: stored as squares of AVATAR_SIZE (and 64) pixels.
AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_MAX_DIMENSION = 6000
AVATAR_MIN_DIMENSION = 64
AVATAR_SIZE = 256
# Review photos (up to four per review): stored at most FEEDBACK_PHOTO_STORED_SIDE a side.
FEEDBACK_PHOTO_MAX_BYTES = 8 * 1024 * 1024
FEEDBACK_PHOTO_MAX_DIMENSION = 8000
FEEDBACK_PHOTO_MIN_DIMENSION = 200
FEEDBACK_PHOTO_STORED_SIDE = 1600
# Images attached to forum posts: stored at most COMMUNITY_IMAGE_STORED_SIDE a side.
COMMUNITY_IMAGE_MAX_BYTES = 5 * 1024 * 1024
COMMUNITY_IMAGE_MAX_DIMENSION = 8000
COMMUNITY_IMAGE_MIN_DIMENSION = 16
COMMUNITY_IMAGE_STORED_SIDE = 2048
# Pictures pasted, dropped or attached into the text of a post, comment, review or idea
# (hub.composer): stored under MEDIA_ROOT/composer/<member>/, at most this many pixels a side.
COMPOSER_IMAGE_MAX_BYTES = 5 * 1024 * 1024
COMPOSER_IMAGE_MAX_DIMENSION = 8000
COMPOSER_IMAGE_MIN_DIMENSION = 16
COMPOSER_IMAGE_STORED_SIDE = 1600

# --- Advocate programme: a referral bonus for every this many qualified friends; more than
# this many referred sign-ups from one IP address in 24 hours are flagged.
REFERRAL_BONUS_EVERY = int(os.environ.get("REFERRAL_BONUS_EVERY", 5))
REFERRAL_MAX_SIGNUPS_PER_IP = int(os.environ.get("REFERRAL_MAX_SIGNUPS_PER_IP", 3))

# --- REST API for integrations (hub.api) ------------------------------------------------------
# hub.api's views set their own authentication, permissions, throttling, pagination and error
# handling, so nothing here changes Wagtail's own use of Django REST framework.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Advocate Hub API",
    "DESCRIPTION": (
        "Look members up, award or deduct points, list perks, redemptions, events and RSVPs. "
        "Authenticate with an API key created in the Wagtail admin (Settings › API keys): "
        "`Authorization: Bearer ahk_…`. Errors are problem details (RFC 9457)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc come from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "PREPROCESSING_HOOKS": ["hub.api.schema.only_api"],
}
# Requests per minute a new API key may make (editors can change it per key).
API_DEFAULT_RATE_PER_MINUTE = int(os.environ.get("API_DEFAULT_RATE_PER_MINUTE", "120"))
# How long an Idempotency-Key is remembered.
API_IDEMPOTENCY_HOURS = int(os.environ.get("API_IDEMPOTENCY_HOURS", "24"))

# --- Outgoing webhooks (hub.webhooks) ----------------------------------------------------------
# Production refuses to deliver to private, loopback and link-local addresses (SSRF); the
# development and test profiles allow them so a receiver on this machine can be used.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOKS_CONNECT_TIMEOUT = float(os.environ.get("WEBHOOKS_CONNECT_TIMEOUT", "5"))
WEBHOOKS_READ_TIMEOUT = float(os.environ.get("WEBHOOKS_READ_TIMEOUT", "10"))
# An endpoint is paused once every attempt has failed for this long, with at least this many
# failed attempts in a row.
WEBHOOKS_PAUSE_AFTER_SECONDS = int(os.environ.get("WEBHOOKS_PAUSE_AFTER_SECONDS", str(24 * 3600)))
WEBHOOKS_PAUSE_AFTER_FAILURES = int(os.environ.get("WEBHOOKS_PAUSE_AFTER_FAILURES", "5"))

# --- Demo data: `manage.py seed_demo` refuses to run where this is off (production).
DEMO_DATA_ALLOWED = True

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Per-task and per-page chatter drowns out what matters in the console.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "daphne": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
