"""Template pieces of the feedback app: stars, member Markdown, JSON-LD, and the home page's
featured testimonials (the home template loads this library; hub imports nothing from here)."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hub.markup import rendered

from .. import queries

register = template.Library()

# As django.utils.html.json_script: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld_script(data) -> str:
    """``data`` as a ``<script type="application/ld+json">`` block, escaped like json_script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.filter
def member_markdown(text: str):
    # Rendered once per process for a given text (reviews, ideas and comments show the same
    # stored words to every reader); an edit changes the text, hence the key.
    return rendered(text)


@register.filter
def star_row(rating) -> list[bool]:
    """Five booleans, one per star: filled when the (rounded) rating reaches it."""
    try:
        filled = round(float(rating or 0))
    except (TypeError, ValueError):
        filled = 0
    return [n <= filled for n in range(1, 6)]


@register.inclusion_tag("feedback/tags/featured_testimonials.html", takes_context=True)
def featured_testimonials(context, limit: int = 3):
    """The home page's featured testimonials (one query)."""
    return {"testimonials": queries.featured_testimonials(limit), "request": context.get("request")}
