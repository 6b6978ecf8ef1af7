"""Template tags other templates use: upcoming events on the home page, and "attended"."""

from django import template

from .. import queries

register = template.Library()


@register.inclusion_tag("events/tags/upcoming_events.html", takes_context=True)
def upcoming_events(context, limit: int = 3):
    return {
        "events": queries.upcoming_events(limit),
        "index_url": queries.event_index_url(),
        "request": context.get("request"),
        "user": context.get("user"),
    }


@register.simple_tag
def attended(user, event_id) -> bool:
    """``{% attended user event_id as went %}``: whether the member was checked in there."""
    try:
        return queries.attended(user, int(event_id))
    except (TypeError, ValueError):
        return False


@register.simple_tag
def events_attended(user) -> int:
    """``{% events_attended user as count %}``: how many events the member was checked in at."""
    return queries.attended_count(user) if getattr(user, "pk", None) else 0
