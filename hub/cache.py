"""The Redis cache, degrading to "always a miss" while Redis cannot be reached.

The database is the source of truth; the cache only saves work. So when Redis is stopped,
restarting or timing out, a cache call must not turn a member's action into a 500:

- reads answer as misses (``get`` returns the default, ``get_many`` an empty dict,
  ``has_key`` False), so callers compute the value from the database as on a cold cache;
- writes are dropped (``set``/``delete``/``touch`` report that nothing was stored,
  ``set_many`` returns every key as not stored);
- ``add`` returns True, as if the key was absent and is now stored: callers using it as a lock
  or a once-only marker proceed (fail open). allauth's rate limits take such a lock before every
  sign-in; refusing it would lock every member out while Redis is down. The cost is that
  "at most once a minute" writes (API key last use, the day's activity row) happen on each
  request during the outage;
- ``incr``/``decr`` raise ValueError, as for a key that is not there (callers already handle it);
- one warning is logged when Redis is first found down and one when it answers again, not one
  per call; and for ``RETRY_SECONDS`` after a failure calls do not even try (a circuit
  breaker), so a page does not pay a connection attempt for each of its cache reads.

Rate limits (hub.ratelimit) and the API's per-key throttle count in this cache: while it is
down they let every attempt through (fail open), and hub.ratelimit says so in the log.

``is_degraded()`` tells whether the cache is currently answering as a miss; ``check()`` (used
by /healthz) talks to Redis itself and raises what it raises.

Settings: ``CACHES["default"]["OPTIONS"]`` holds redis-py's socket timeouts (hub.settings.base
sets short ones, so a hung Redis costs a second, not a request); ``CACHE_RETRY_SECONDS`` (default
5) is how long the cache stays bypassed after a failure before Redis is tried again.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

DEFAULT_RETRY_SECONDS = 5.0


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions

    # Connection refused or reset, Redis loading its data set (BusyLoadingError is a
    # ConnectionError), a read or connect that timed out, or the socket itself failing.
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _Breaker:
    """The outage state of one Redis server, shared by every thread's cache object (Django
    makes one per thread), so an outage is logged once per process, not once per thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0  # monotonic time before which calls skip Redis
        self.down_since: float | None = None  # wall time of the first failure of this outage
        self.skipped = 0  # calls answered as a miss during this outage (reported on recovery)


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that answers as a miss while Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._errors = _unreachable_errors()
        self._breaker = _breaker_for(repr(self._servers))

    # -- the circuit breaker ---------------------------------------------------------------

    @property
    def retry_seconds(self) -> float:
        return float(getattr(settings, "CACHE_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))

    def is_degraded(self) -> bool:
        return self._breaker.down_since is not None

    def _skipping(self) -> bool:
        breaker = self._breaker
        if breaker.down_until and time.monotonic() < breaker.down_until:
            with breaker.lock:
                breaker.skipped += 1
            return True
        return False

    def _failed(self, operation: str, exc: BaseException) -> None:
        breaker = self._breaker
        with breaker.lock:
            breaker.down_until = time.monotonic() + self.retry_seconds
            breaker.skipped += 1
            first = breaker.down_since is None
            if first:
                breaker.down_since = time.time()
        if first:
            logger.warning(
                "cache: Redis unreachable (%s: %r); answering as a miss and retrying every %.0f s",
                operation,
                exc,
                self.retry_seconds,
            )
        else:
            logger.debug("cache: %s failed again: %r", operation, exc)

    def _succeeded(self) -> None:
        breaker = self._breaker
        if breaker.down_since is None:
            return
        with breaker.lock:
            if breaker.down_since is None:
                return
            outage = time.time() - breaker.down_since
            skipped, breaker.skipped = breaker.skipped, 0
            breaker.down_since = None
            breaker.down_until = 0.0
        logger.warning(
            "cache: Redis reachable again after %.1f s; %d call(s) answered as a miss meanwhile",
            outage,
            skipped,
        )

    def _call(self, operation: str, fallback, method, *args, **kwargs):
        if self._skipping():
            return fallback()
        try:
            result = method(*args, **kwargs)
        except self._errors as exc:
            self._failed(operation, exc)
            return fallback()
        self._succeeded()
        return result

    # -- the cache API ---------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")

        return self._call("incr", missing, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._call("set_many", lambda: keys, super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", lambda: False, super().clear)

    def check(self) -> None:
        """Write and read a key on Redis itself, raising what Redis raises (for /healthz);
        a success ends the outage at once."""
        super().set("healthz", "ok", 10)
        if super().get("healthz") != "ok":
            raise RuntimeError("cache did not return what was stored")
        self._succeeded()


def is_degraded(alias: str = "default") -> bool:
    """Whether that cache is answering as a miss because its server is unreachable."""
    backend = caches[alias]
    return bool(getattr(backend, "is_degraded", lambda: False)())
