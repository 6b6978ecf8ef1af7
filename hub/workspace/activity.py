"""Recording who is active: at most one MemberActivity row per member and day.

The middleware asks the cache first (``cache.add`` is atomic: only the first request of the day
per member gets True), so a signed-in member's later requests that day cost no query. When the
cache is cold (restart, eviction) the unique constraint still keeps one row per day.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from hub.deferred import after_response

from .models import MemberActivity

logger = logging.getLogger(__name__)

# Files and probes are not visits; the Wagtail admin is the team at work, not the community;
# the REST API is an integration calling, not a member.
SKIPPED_PREFIXES = ("/static/", "/media/", "/healthz", "/favicon", "/admin/", "/api/")


def _cache_key(user_id: int, day: date) -> str:
    return f"workspace:active:{day.isoformat()}:{user_id}"


def _seconds_left_today(now: datetime) -> int:
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
    return max(60, int((tomorrow - now).total_seconds()) + 60)


def record_activity(user, *, when: datetime | None = None) -> bool:
    """Note that ``user`` was active (today by default). False when the cache already knew, so
    no query ran; True when it wrote the row (or found it there: the constraint keeps one).

    Apps may call it for contributions that do not come through a signed-in page view (a reply
    by e-mail, an API call); page views are recorded by ActivityMiddleware.
    """
    if user is None or not user.is_authenticated or user.pk is None:
        return False
    now = timezone.localtime(when) if when else timezone.localtime()
    day = now.date()
    key = _cache_key(user.pk, day)
    if not cache.add(key, 1, _seconds_left_today(now)):
        return False
    try:
        MemberActivity.objects.bulk_create(
            [MemberActivity(user_id=user.pk, day=day)], ignore_conflicts=True
        )
    except DatabaseError:
        cache.delete(key)  # try again on the next request
        raise
    return True


class ActivityMiddleware:
    """Records a signed-in member's day of activity once, after their first response of the day
    has been sent (hub.deferred)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(SKIPPED_PREFIXES) or response.status_code >= 500:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Written once the response is sent, so the member's page never waits on it.
            after_response(request, _record_quietly, user)
        return response


# (member id, day) this process already recorded: later requests skip even the cache.
_RECORDED: set = set()


def _record_quietly(user) -> None:
    seen = (user.pk, timezone.localdate())
    if seen in _RECORDED:
        return
    try:
        record_activity(user)
        if len(_RECORDED) > 100_000:
            _RECORDED.clear()
        _RECORDED.add(seen)
    except DatabaseError:  # a missed day of statistics must not fail the member's page
        logger.warning("could not record activity for user %s", user.pk, exc_info=True)
