"""Read paths about members that pages and endpoints need."""

import re

from django.db.models import Q

from .models import User

# A username an @mention can link: what hub.mentions.MENTION matches in full (ASCII
# letters, digits and _ . + -, ending with a letter, a digit or _, at least two characters).
MENTIONABLE = r"^[A-Za-z0-9_.+-]{1,150}[A-Za-z0-9_]$"
_QUERY = re.compile(r"^[A-Za-z0-9_.+-]{1,30}$")
_NAME_QUERY_MAX = 30
SUGGESTIONS = 8


def members_to_mention(query: str, *, by=None, limit: int = SUGGESTIONS) -> list[User]:
    """Up to ``limit`` active members whose username or display name starts with ``query`` (an
    @ in front is ignored), usernames first; only members a mention can link. One query."""
    query = query.strip().removeprefix("@")[:_NAME_QUERY_MAX]
    if not query:
        return []
    match = Q(display_name__istartswith=query)
    if _QUERY.match(query):
        match |= Q(username__istartswith=query)
    members = (
        User.objects.filter(match, is_active=True, username__regex=MENTIONABLE)
        .only("pk", "username", "display_name", "avatar", "avatar_thumbnail")
        .order_by("username")
    )
    if by is not None and by.pk:
        members = members.exclude(pk=by.pk)
    found = list(members[: limit * 2])
    lowered = query.lower()
    # The member whose username starts with the words first, then display names.
    found.sort(key=lambda m: (not m.username.lower().startswith(lowered), m.username.lower()))
    return found[:limit]
