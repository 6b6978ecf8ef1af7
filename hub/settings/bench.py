"""Benchmark profile: production-like (DEBUG off, real password hasher), driven by the test client.

Run with DATABASE_URL pointing at a PostgreSQL database of its own and REDIS_URL at a Redis
database of its own: `manage.py bench` fills them with a large data set.
"""

import warnings

from .base import *

DEBUG = False
SECRET_KEY = SECRET_KEY or (
    "bench-only-secret-key-never-used-to-sign-anything-that-leaves-the-machine"  # noqa: S105
)
# django.test.Client sends Host: testserver.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# No collectstatic step (the bench requests pages, not assets), so no manifest and no STATIC_ROOT.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
warnings.filterwarnings("ignore", message="No directory at: ", module="django.core.handlers.base")
MEDIA_ROOT = BASE_DIR / "bench-results" / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "WARNING")
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = "hub-bench"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "hub-bench"
# No worker runs during the bench: background jobs the seeders cause (search and reference index
# updates) run in-process, so the data set is complete before the first request.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The order-ingestion probe (hub.shop.bench) queues its orders' tasks in the database, as in
# production, and starts real workers with this set so they read the same queue.
if os.environ.get("BENCH_TASKS_IN_DATABASE"):
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
