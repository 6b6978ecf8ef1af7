"""``{% keep "name" key… %}…{% endkeep %}``: a piece of a page rendered once and reused.

The piece is kept in the process (hub.fragments) for FRAGMENT_SECONDS under its name, its key
values, the language and the time zone, and rendered with ``hub.fragments.CSRF_MARK`` in place
of the CSRF token (filled in per response). A key value of None means "do not keep": the piece is
rendered for this request alone (a bound form, a form with a quote in it).
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hub import fragments

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
