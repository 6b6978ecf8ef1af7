"""Member-written Markdown to safe HTML: Markdown renders, nh3 keeps only harmless markup.

Every app that shows text a member typed (forum posts, comments, reviews, ideas) renders it here,
so one allow-list decides what can reach a page: no script, no event handlers, no style, and
links only to http(s)/mailto with ``rel="nofollow ugc"``.
"""

import functools
import re
import secrets
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
_CLASS = re.compile(r"^language-[\w+-]+$")
# Classes only the server's own inserts carry (an @mention link): nh3 strips them from whatever
# the member typed, so a member cannot dress a link of their own as one.
_SERVER_CLASS = re.compile(r"^(language-[\w+-]+|mention)$")


def _attribute_filter(classes: re.Pattern):
    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            kept = " ".join(c for c in value.split() if classes.match(c))
            return kept or None
        return value

    return keep


def sanitize_html(html: str, *, server_classes: bool = False) -> SafeString:
    """Whatever ``html`` holds, only the allow-listed tags, attributes and URL schemes survive
    (with ``server_classes``, also the classes of the server's own inserts)."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        attribute_filter=_attribute_filter(_SERVER_CLASS if server_classes else _CLASS),
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308  (nh3 has just removed everything unsafe)


def placeholder() -> str:
    """A word no member can guess, to stand in the Markdown where the server inserts markup."""
    return f"hubinsert{secrets.token_hex(12)}"


def render_markdown(text: str, *, inserts: dict[str, str] | None = None) -> SafeString:
    """Render a member's Markdown to HTML that is safe to put in a page as it is.

    Raw HTML the member typed is not trusted: Markdown passes it through, nh3 then strips
    everything outside the allow-list (so ``<script>`` and ``onerror=`` never reach a page).
    ``inserts`` maps ``placeholder()`` words in ``text`` to the server's own HTML (an @mention
    link), put in after the member's markup is cleaned, then cleaned again as a whole.
    """
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    cleaned = sanitize_html(html)
    if not inserts:
        return cleaned
    html = str(cleaned)
    for word, fragment in inserts.items():
        html = html.replace(word, fragment)
    return sanitize_html(html, server_classes=True)


@functools.lru_cache(maxsize=2048)
def _rendered_once(text: str) -> SafeString:
    return render_markdown(text)


def rendered(text: str) -> SafeString:
    """``render_markdown(text)``, rendered once per process and reused: for pages that show the
    same stored review, idea or comment to every reader. Keyed by the text itself, so an edit
    is a new key (nothing to invalidate) and the output never depends on who reads it."""
    text = text or ""
    if len(text) > 20_000:  # rare, long texts: not worth the memory
        return render_markdown(text)
    return _rendered_once(text)


def plain_text(text: str, *, limit: int | None = None) -> str:
    """The words of a member's Markdown without markup, e.g. for excerpts, e-mails and search.

    Plain text, not HTML: "&" and "<" are the characters themselves (the HTML's entities are
    decoded), so whatever shows it escapes it, as templates and json_script do.
    """
    words = " ".join(unescape(strip_tags(render_markdown(text))).split())
    if limit is not None and len(words) > limit:
        words = words[: limit - 1].rstrip() + "…"
    return words
