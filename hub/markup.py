"""Member-written Markdown to safe HTML: Markdown renders, nh3 keeps only harmless markup.

Every app that shows text a member typed (forum posts, comments, reviews, ideas) renders it here,
so one allow-list decides what can reach a page: no script, no event handlers, no style, and
links only to http(s)/mailto with ``rel="nofollow ugc noopener"``. Bare web addresses become
links (not inside code), and pictures show only from the site's own uploads (``MEDIA_URL``): a
picture from elsewhere becomes a link to it, so no reader's browser fetches a stranger's tracker.
"""

import functools
import re
import secrets
from html import unescape

import markdown
import nh3
from django.conf import settings
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


# A web address typed as it is: http(s)://… or www.…, up to a space, a quote or a tag.
_BARE_URL = re.compile(r"(?<![\w/.@-])((?:https?://|www\.)[^\s<>\"']+)", re.I)
_TRAILING = ".,;:!?*_~'\""
# Where a bare address is left alone: already a link, or code.
_NO_LINKS = {"a", "code", "pre"}
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z0-9]+)")
_ENTITY_END = re.compile(r"&(amp|lt|gt|quot|#\d+)$")
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')


def _trim(url: str) -> str:
    """The address without the sentence's punctuation after it: "see https://x.org." links
    https://x.org; a closing bracket stays only when the address opened one."""
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url.endswith("&gt;") or url.endswith("&lt;"):
            url = url[:-4]
        elif url[-1] == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        elif _ENTITY_END.search(url):
            url = _ENTITY_END.sub("", url)
        else:
            break
    return url


def _link_bare_urls(html: str) -> str:
    """Clean HTML with every bare web address in its text made a link, except inside links and
    code. The text is escaped already (nh3's output), so an address is put back as it is."""
    parts = _TAG.split(html)
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:
            name = _TAG_NAME.match(part)
            if name and name.group(1).lower() in _NO_LINKS:
                depth += -1 if part.startswith("</") else 1
            continue
        if depth > 0 or ("://" not in part and "www." not in part.lower()):
            continue

        def link(match) -> str:
            url = _trim(match.group(1))
            rest = match.group(1)[len(url) :]
            if not url or url.lower() in ("http://", "https://", "www."):
                return match.group(0)
            href = url if "://" in url else f"http://{url}"
            return f'<a href="{href}">{url}</a>{rest}'

        parts[i] = _BARE_URL.sub(link, part)
    return "".join(parts)


def is_own_media(src: str) -> bool:
    """Whether ``src`` is one of the site's uploaded files (a picture a page may show)."""
    media = settings.MEDIA_URL
    return bool(src) and src.startswith(media) and ".." not in src and "\\" not in src


def _own_pictures_only(html: str) -> str:
    """Clean HTML whose pictures from elsewhere are links to them instead (their alt text, or
    the address, as the link's words)."""

    def picture(match) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        src = attrs.get("src", "")
        if is_own_media(unescape(src)):
            return match.group(0)
        words = attrs.get("alt") or src
        if not src:
            return words
        return f'<a href="{src}">{words}</a>'

    return _IMG.sub(picture, html)


def placeholder() -> str:
    """A word no member can guess, to stand in the Markdown where the server inserts markup."""
    return f"hubinsert{secrets.token_hex(12)}"


def render_markdown(text: str, *, inserts: dict[str, str] | None = None) -> SafeString:
    """Render a member's Markdown to HTML that is safe to put in a page as it is.

    Bare web addresses become links (not in code), and a picture from outside ``MEDIA_URL``
    becomes a link to it. Raw HTML the member typed is not trusted: Markdown passes it through, nh3 then strips
    everything outside the allow-list (so ``<script>`` and ``onerror=`` never reach a page).
    ``inserts`` maps ``placeholder()`` words in ``text`` to the server's own HTML (an @mention
    link), put in after the member's markup is cleaned, then cleaned again as a whole.
    """
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    cleaned = str(sanitize_html(html))
    # Both passes work on nh3's tidy output, and what they add is cleaned again below.
    finished = _own_pictures_only(_link_bare_urls(cleaned))
    if finished != cleaned:
        cleaned = sanitize_html(finished)
    if not inserts:
        return cleaned
    html = str(cleaned)
    for word, fragment in inserts.items():
        html = html.replace(word, fragment)
    return sanitize_html(html, server_classes=True)


# Longer texts are rare and not worth the memory: rendered every time.
CACHED_MAX_CHARS = 20_000


@functools.lru_cache(maxsize=2048)
def _rendered_once(text: str) -> SafeString:
    return render_markdown(text)


def rendered(text: str) -> SafeString:
    """``render_markdown(text)``, rendered once per process and reused: for pages that show the
    same stored review, idea or comment to every reader. Keyed by the text itself, so an edit
    is a new key (nothing to invalidate) and the output never depends on who reads it."""
    text = text or ""
    if len(text) > CACHED_MAX_CHARS:
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
