"""Throughput profile: what the bench's throughput phase serves with uvicorn and gunicorn.

The bench profile (DEBUG off, PostgreSQL and Redis from DATABASE_URL/REDIS_URL, the same cache
prefix, so the member session the bench signs in is valid here) plus static files as production
serves them: collected into bench-results/static and served by WhiteNoise from its manifest.
Django's template loaders are the cached ones (the default when no loaders are set).
"""

from .bench import *

STATIC_ROOT = BASE_DIR / "bench-results" / "static"
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
