"""A rate limit per API key: a fixed one-minute window counted in the shared cache.

Counting with ``cache.add`` + ``cache.incr`` is atomic on Redis, so every worker process shares
one count. Each answer carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset``; a refusal is 429 with ``Retry-After``.
"""

import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from .models import ApiKey

WINDOW = 60


class ApiKeyThrottle(BaseThrottle):
    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return True  # refused by authentication anyway
        now = time.time()
        window = int(now // WINDOW)
        counter = f"api:rate:{key.pk}:{window}"
        cache.add(counter, 0, WINDOW + 10)
        try:
            used = cache.incr(counter)
        except ValueError:  # expired between add() and incr()
            cache.set(counter, 1, WINDOW + 10)
            used = 1
        limit = key.rate_per_minute
        self.reset = int((window + 1) * WINDOW - now) or 1
        request._rate_limit = (limit, max(0, limit - used), self.reset)
        return used <= limit

    def wait(self):
        return self.reset
