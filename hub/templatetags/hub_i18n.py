"""Template helpers for a site in eight languages: one date style, isolated names, hreflang.

``{{ value|when }}`` is the one way the site shows when something happened: relative while it is
recent ("5 minutes ago", "3 days ago"), a full date in the reader's language after that
("12 May 2026", "12 mai 2026"), never a numeric "12/05/2026" whose order depends on the country.
``{{ name|bdi }}`` isolates a member's name or title inside a translated sentence, so a Hebrew
name in an English line (or the other way round) keeps its punctuation where it belongs.
"""

import datetime

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from hub.i18n import UNPREFIXED, language_codes, localized_path
from hub.i18n.formats import wall_clock, wall_clock_time

register = template.Library()

# Within this long, a time is shown relative to now; older ones as a date.
RECENT = datetime.timedelta(days=7)


@register.filter
def when(value):
    """When ``value`` (a datetime or a date) happened, in the site's one date style."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
            now = timezone.localtime()
        else:
            now = datetime.datetime.now()
        if abs(now - value) < RECENT:
            return naturaltime(value)
        return date_format(value, "DATE_FORMAT")
    return date_format(value, "DATE_FORMAT")


@register.filter
def full_when(value):
    """The full date and time (a tooltip beside ``when``, a receipt)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATETIME_FORMAT")


@register.filter
def at_wall_clock(value):
    """Date and time as they are (an event's, in its own zone), in the reader's language."""
    return wall_clock(value) if value else ""


@register.filter
def wall_time(value):
    return wall_clock_time(value) if value else ""


@register.simple_tag
def time_tag(value, css_class=""):
    """``<time datetime="…" title="full date">when</time>``: machine-readable, in one style."""
    if not value:
        return ""
    return format_html(
        '<time{} datetime="{}" title="{}">{}</time>',
        format_html(' class="{}"', css_class) if css_class else "",
        value.isoformat(),
        full_when(value),
        when(value),
    )


@register.filter
def bdi(value):
    """``value`` (escaped) inside ``<bdi>``: member text isolated in a translated sentence."""
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)


@register.simple_tag(takes_context=True)
def hreflang_links(context):
    """``<link rel="alternate" hreflang>`` for this address in every language, and x-default."""
    request = context.get("request")
    if request is None or request.path.startswith(UNPREFIXED):
        return ""
    base = f"{request.scheme}://{request.get_host()}"
    links = [
        format_html(
            '<link rel="alternate" hreflang="{}" href="{}{}">',
            code,
            base,
            localized_path(request.path, code),
        )
        for code in language_codes()
    ]
    links.append(
        format_html(
            '<link rel="alternate" hreflang="x-default" href="{}{}">',
            base,
            localized_path(request.path, settings.LANGUAGE_CODE),
        )
    )
    return format_html("\n  ".join(["{}"] * len(links)), *links)
