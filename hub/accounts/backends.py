"""Django's model permissions, read once per member and kept in the cache for a short while.

Every forum page asks whether the member is a moderator; Django's ModelBackend answers with two
queries per request. Here a member's permission set is kept in the cache for PERMISSIONS_SECONDS
under a version that any change of groups or permissions (the admin's user and group forms)
bumps at once, so a change applies on the next request; superusers need no lookup at all.
"""

import logging

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

logger = logging.getLogger(__name__)

VERSION_KEY = "hub:perms:version"
SECONDS = 60


def _key(user_id) -> str:
    return f"hub:perms:{user_id}"


def bump_permissions_version(**kwargs) -> None:
    """Drop every kept permission set (a group's permissions or a member's groups changed)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # never bumped yet
        cache.set(VERSION_KEY, 1, None)
    except Exception:  # the cache is down: nothing is kept there either
        logger.warning("could not drop kept permission sets", exc_info=True)


class CachedModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if hasattr(user_obj, "_perm_cache") or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        found = cache.get_many([VERSION_KEY, _key(user_obj.pk)])
        version = found.get(VERSION_KEY, 0)
        kept = found.get(_key(user_obj.pk))
        if kept is not None and kept[0] == version:
            user_obj._perm_cache = set(kept[1])
            return user_obj._perm_cache
        perms = super().get_all_permissions(user_obj, obj)
        cache.set(_key(user_obj.pk), (version, frozenset(perms)), SECONDS)
        return perms
