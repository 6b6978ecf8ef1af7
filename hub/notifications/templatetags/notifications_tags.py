"""The header's bell: unread count, the latest few, and the newest id the socket starts from."""

from django import template

from hub.notifications import queries

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context):
    user = context["request"].user
    latest = queries.latest_for_bell(user)
    return {
        "unread": queries.unread_count(user),
        "latest": latest,
        "last_id": latest[0].pk if latest else 0,
        "request": context["request"],
    }
