"""Small filters for the workspace's admin templates."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def needs_reason(actions) -> bool:
    return any(action.needs_reason for action in actions)
