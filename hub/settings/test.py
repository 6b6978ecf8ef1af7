"""Test profile: fast hashing, in-process tasks, no manifest; DATABASE_URL/REDIS_URL still apply."""

from .base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key-with-enough-characters-to-look-real-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Jobs run inline so tests see their effects; digest tests call the job themselves.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"
# Rate limits are exercised by their own tests, which turn them back on.
ACCOUNT_RATE_LIMITS = False
LOGGING["root"]["level"] = "WARNING"
# Concurrency tests open one connection per thread; a pool would make them queue instead.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
if REDIS_URL:
    # A separate key space so a test run never reads the demo site's cache or sockets.
    CACHES["default"]["KEY_PREFIX"] = "hub-test"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "hub-test"
# The webhook tests deliver to a receiver on 127.0.0.1.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
# The anonymous page cache is off for the suite (tests change rows behind the services' back and
# read pages again at once); tests/test_pagecache.py turns it on.
PAGECACHE_ENABLED = False
