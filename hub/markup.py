"""Member-written Markdown to safe HTML: Markdown renders, nh3 keeps only harmless markup.

Every app that shows text a member typed (forum posts, comments, reviews, ideas) renders it here,
so one allow-list decides what can reach a page: no script, no event handlers, no style, and
links only to http(s)/mailto with ``rel="nofollow ugc"``.
"""

import re
from html import unescape

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "code": {"class"},  # language-python, from fenced code blocks
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "span": {"class"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]
_CLASS = re.compile(r"^(language-[\w+-]+|mention)$")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = " ".join(c for c in value.split() if _CLASS.match(c))
        return kept or None
    return value


def sanitize_html(html: str) -> SafeString:
    """Whatever ``html`` holds, only the allow-listed tags, attributes and URL schemes survive."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308  (nh3 has just removed everything unsafe)


def render_markdown(text: str) -> SafeString:
    """Render a member's Markdown to HTML that is safe to put in a page as it is.

    Raw HTML the member typed is not trusted: Markdown passes it through, nh3 then strips
    everything outside the allow-list (so ``<script>`` and ``onerror=`` never reach a page).
    """
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return sanitize_html(html)


def plain_text(text: str, *, limit: int | None = None) -> str:
    """The words of a member's Markdown without markup, e.g. for excerpts, e-mails and search.

    Plain text, not HTML: "&" and "<" are the characters themselves (the HTML's entities are
    decoded), so whatever shows it escapes it, as templates and json_script do.
    """
    words = " ".join(unescape(strip_tags(render_markdown(text))).split())
    if limit is not None and len(words) > limit:
        words = words[: limit - 1].rstrip() + "…"
    return words
