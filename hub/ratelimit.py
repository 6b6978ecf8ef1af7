"""Rate limits on what members post: fixed windows counted in the cache (Redis in production).

    limit = Limit("community.post", per_hour=10, per_day=50)
    check_rate(user, limit)   # raises RateLimited with a message saying when to try again

Services check their limits (a view never does): ``RateLimited`` is a ``hub.errors.Refusal``, so
the view that catches the service's refusals shows it like any other.

Counting in the shared cache makes a limit hold across every worker process. A limit counts an
attempt only when it is allowed, so being refused does not push the next chance further away.

While the cache cannot reach Redis (hub/cache.py answers as a miss) limits fail open: members'
actions go through uncounted, which is logged (at most once a minute per limit) instead of
turning every action into a 500 or refusing everyone.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import ngettext

from hub.cache import is_degraded
from hub.errors import Refusal

logger = logging.getLogger(__name__)

HOUR = 3600
DAY = 86400
FAIL_OPEN_LOG_EVERY = 60.0  # seconds between two "not enforced" warnings for one limit

_fail_open_logged: dict[str, float] = {}
_fail_open_lock = threading.Lock()


def _log_fail_open(limit_key: str) -> None:
    now = time.monotonic()
    with _fail_open_lock:
        last = _fail_open_logged.get(limit_key)
        if last is not None and now - last < FAIL_OPEN_LOG_EVERY:
            return
        _fail_open_logged[limit_key] = now
    logger.warning("ratelimit: %s not enforced: the cache is unreachable (failing open)", limit_key)


class RateLimited(Refusal):
    """Raised when a member has reached a limit; ``message`` is translated and says when to retry."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    key: str
    per_hour: int | None = None
    per_day: int | None = None
    # "post" for what members write; "action" for clicks (reactions, votes, flags, uploads),
    # whose refusal says "you have done this a lot" rather than "posted".
    kind: str = "post"

    def windows(self) -> list[tuple[int, int]]:
        return [
            (seconds, allowed)
            for seconds, allowed in ((HOUR, self.per_hour), (DAY, self.per_day))
            if allowed is not None
        ]


def _wait_message(seconds: int, kind: str = "post") -> str:
    if kind == "action":
        return _action_wait_message(seconds)
    if seconds >= HOUR:
        hours = -(-seconds // HOUR)
        return ngettext(
            "You have posted a lot recently. Please try again in %(count)d hour.",
            "You have posted a lot recently. Please try again in %(count)d hours.",
            hours,
        ) % {"count": hours}
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "You have posted a lot recently. Please try again in %(count)d minute.",
        "You have posted a lot recently. Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def _action_wait_message(seconds: int) -> str:
    if seconds >= HOUR:
        hours = -(-seconds // HOUR)
        return ngettext(
            "You have done this a lot recently. Please try again in %(count)d hour.",
            "You have done this a lot recently. Please try again in %(count)d hours.",
            hours,
        ) % {"count": hours}
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "You have done this a lot recently. Please try again in %(count)d minute.",
        "You have done this a lot recently. Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def check_rate(who, limit: Limit, *, now: float | None = None) -> int:
    """Count one attempt by ``who`` (a user, or a string such as an IP address) against ``limit``
    and return how many more the fullest window allows; or raise RateLimited without counting it
    when any window is full."""
    now = time.time() if now is None else now
    ident = f"u{who.pk}" if hasattr(who, "pk") else str(who)
    keys = []
    for seconds, allowed in limit.windows():
        window = int(now // seconds)
        key = f"ratelimit:{limit.key}:{ident}:{seconds}:{window}"
        if (cache.get(key) or 0) >= allowed:
            retry = int((window + 1) * seconds - now)
            raise RateLimited(_wait_message(retry, limit.kind), retry_after=retry)
        keys.append((key, seconds, allowed))
    left = []
    for key, seconds, allowed in keys:
        if cache.add(key, 1, timeout=seconds + 60):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=seconds + 60)
                count = 1
        left.append(max(0, allowed - count))
    if is_degraded():
        _log_fail_open(limit.key)
    return min(left, default=0)
