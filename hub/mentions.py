"""@mentions in member text: find the @usernames, look the members up (one query for a whole
page of texts) and link each to the member's profile through hub.markup's server inserts.

Every app whose members write (forum posts, story comments, reviews, ideas and their comments)
renders with mentions here, so a mention looks and behaves the same everywhere. Only active
members are linked; an @name inside code, or of nobody, stays plain text.
"""

import functools
import re

from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hub.markup import CACHED_MAX_CHARS, placeholder, render_markdown, rendered

# What hub.accounts.queries.MENTIONABLE accepts in full: the names the composer suggests.
MENTION = re.compile(r"(?<![\w@/`])@([A-Za-z0-9_.+-]{1,150}[A-Za-z0-9_])")
CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
MAX_MENTIONS = 10


def mention_names(text: str) -> list[str]:
    """The distinct @names in ``text`` outside code, in order, at most ``MAX_MENTIONS``."""
    names = []
    for i, part in enumerate(CODE.split(text or "")):
        if i % 2 == 0:
            names.extend(MENTION.findall(part))
    return list(dict.fromkeys(names))[:MAX_MENTIONS]


def members_named(names) -> dict:
    """{username: member} of the active members among ``names`` (one query; none without names)."""
    if not names:
        return {}
    users = get_user_model().objects.filter(username__in=list(names), is_active=True)
    return {u.username: u for u in users}


def mentioned_members(text: str) -> list:
    """The active members ``text`` mentions: whom to notify when it is posted."""
    return list(members_named(mention_names(text)).values())


def _with_placeholders(text: str, links: dict[str, str]) -> tuple[str, dict[str, str]]:
    """``text`` with each linked @mention replaced by a placeholder word, and the link each
    placeholder becomes once the member's own markup is cleaned (hub.markup): only these links
    carry the ``mention`` class, whatever HTML the member typed."""
    inserts: dict[str, str] = {}

    def link(match) -> str:
        name = match.group(1)
        if name not in links:
            return match.group(0)
        word = placeholder()
        inserts[word] = format_html('<a class="mention" href="{}">@{}</a>', links[name], name)
        return word

    parts = CODE.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = MENTION.sub(link, parts[i])
    return "".join(parts), inserts


def _render(text: str, links: dict[str, str]) -> SafeString:
    if not links:
        return render_markdown(text)
    body, inserts = _with_placeholders(text, links)
    return render_markdown(body, inserts=inserts)


@functools.lru_cache(maxsize=2048)
def _rendered_once(text: str, links: tuple[tuple[str, str], ...]) -> SafeString:
    return _render(text, dict(links))


def _links_for(text: str, members: dict) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, members[name].get_absolute_url()) for name in mention_names(text) if name in members
    )


def render_with_mentions(text: str) -> tuple[SafeString, list]:
    """``text`` as safe HTML with its @mentions linked, and the members it mentions (for
    writing: the forum stores the HTML and notifies them)."""
    members = members_named(mention_names(text))
    links = {name: user.get_absolute_url() for name, user in members.items()}
    return _render(text or "", links), list(members.values())


def render_all(texts: list[str], *, cached: bool = False) -> list[SafeString]:
    """Safe HTML for many texts (a page of reviews or comments), their mentions looked up in
    one query. With ``cached``, each text is rendered once per process for the members it
    links (hub.markup.rendered's cache, keyed also by the links): a rename or a deactivation
    changes the links, hence the key, so a page never shows a stale mention."""
    texts = [text or "" for text in texts]
    members = members_named({name for text in texts for name in mention_names(text)})
    html = []
    for text in texts:
        links = _links_for(text, members)
        if not cached:
            html.append(_render(text, dict(links)))
        elif not links:
            html.append(rendered(text))
        elif len(text) > CACHED_MAX_CHARS:
            html.append(_render(text, dict(links)))
        else:
            html.append(_rendered_once(text, links))
    return html
