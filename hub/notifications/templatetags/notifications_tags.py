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

register = template.Library()

# The bell as rendered for a member, kept a few seconds (hub.fragments) under a key that changes
# with every notification they get, read or delete: one aggregate query instead of two and a render.
BELLS = fragments.FragmentCache(kept=2048)


@register.simple_tag(takes_context=True)
def notification_bell(context):
    request = context["request"]
    user = request.user
    state = Notification.objects.for_user(user).aggregate(
        last=Max("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)), total=Count("pk")
    )
    key = (
        user.pk,
        state["last"],
        state["unread"],
        state["total"],
        request.get_full_path(),
        get_language(),
        timezone.get_current_timezone_name(),
    )
    html = BELLS.get(key) if fragments.enabled() else None
    if html is None:
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
