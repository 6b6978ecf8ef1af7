"""The header's bell: unread count, the latest few, and the newest id the socket starts from."""

from django import template
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hub import fragments
from hub.notifications import queries
from hub.notifications.models import Notification
from hub.notifications.services import bell_tag

register = template.Library()

# The bell as rendered for a member, kept (hub.fragments) until their notifications change: keyed
# by the version of their bell's page-cache tag (services.bell_tag, touched by every new, read or
# rewritten notification of theirs), so a page reads nothing for it. While the cache keeps
# nothing (Redis down), it is keyed by the notifications' own state, read in one aggregate query.
BELLS = fragments.FragmentCache(kept=2048)


@register.simple_tag(takes_context=True)
def notification_bell(context):
    request = context["request"]
    user = request.user
    place = (request.get_full_path(), get_language(), timezone.get_current_timezone_name())
    version = fragments.version_of(bell_tag(user.pk))
    state = None
    if version is None:
        state = _state(user)
        key = (user.pk, state["last"], state["unread"], state["total"], *place)
    else:
        key = (user.pk, version, *place)
    html = BELLS.get(key) if fragments.enabled() else None
    if html is None:
        state = state or _state(user)
        latest = queries.latest_for_bell(user) if state["total"] else []
        html = mark_safe(  # noqa: S308  (the template's own escaped output)
            render_to_string(
                "notifications/bell.html",
                {
                    "unread": state["unread"],
                    "latest": latest,
                    "last_id": latest[0].pk if latest else 0,
                    "request": request,
                    "csrf_token": fragments.CSRF_MARK,
                },
            )
        )
        BELLS.set(key, html)
    return html


def _state(user) -> dict:
    return Notification.objects.for_user(user).aggregate(
        last=Max("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)), total=Count("pk")
    )
