"""``{% keep "name" key… %}…{% endkeep %}``: a piece of a page rendered once and reused.

The piece is kept in the process (hub.fragments) for FRAGMENT_SECONDS under its name, its key
values, the language and the time zone, and rendered with ``hub.fragments.CSRF_MARK`` in place
of the CSRF token (filled in per response). A key value of None means "do not keep": the piece is
rendered for this request alone (a bound form, a form with a quote in it).

``{% versions "pages" "events" page as v %}`` gives the current page-cache versions of those tags
(a page stands for its ``page:<pk>`` tag), read once per request, to key a piece by what it shows:
``{% keep "home-events" v %}``. It is None while the cache keeps nothing (the piece is rendered
afresh), so a piece keyed by it changes as soon as a service or a publish touches one of its tags,
when the anonymous page cache would show the change too.
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hub import fragments, pagecache

register = template.Library()

KEPT = fragments.FragmentCache(kept=2048)


class KeepNode(template.Node):
    def __init__(self, nodelist, name, keys):
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context):
        values = tuple(key.resolve(context) for key in self.keys)
        keep = fragments.enabled() and None not in values
        key = (self.name, values, get_language(), timezone.get_current_timezone_name())
        if keep:
            html = KEPT.get(key)
            if html is not None:
                return html
        with context.push(csrf_token=fragments.CSRF_MARK):
            html = mark_safe(self.nodelist.render(context))  # noqa: S308  (rendered template)
        if keep:
            KEPT.set(key, html)
        return html


@register.tag
def keep(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% keep %} needs a name")
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


@register.simple_tag(takes_context=True)
def versions(context, *tags):
    names = [tag if isinstance(tag, str) else f"page:{tag.pk}" for tag in tags if tag]
    if not fragments.enabled():
        return None
    found = pagecache.request_versions(context.get("request"), names)
    values = tuple(found[name] for name in names)
    return None if None in values else values
