"""Member text of the forum and story comments as HTML: Markdown through hub.markup, with
@mentions of members linked to their profiles. Reading and writing both use it."""

import re

from django.contrib.auth import get_user_model
from django.utils.html import format_html

from hub.markup import placeholder, render_markdown

MENTION = re.compile(r"(?<![\w@/`])@([A-Za-z0-9_.+-]{1,150}[A-Za-z0-9_])")
CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
MAX_MENTIONS = 10


def _mention_names(body: str) -> list[str]:
    names = []
    for i, part in enumerate(CODE.split(body or "")):
        if i % 2 == 0:
            names.extend(MENTION.findall(part))
    return list(dict.fromkeys(names))[:MAX_MENTIONS]


def _link_mentions(body: str, mentioned: dict) -> tuple[str, dict[str, str]]:
    """``body`` with each @mention of a member replaced by a placeholder word, and the link
    each placeholder becomes once the member's own markup is cleaned (hub.markup): only these
    links carry the ``mention`` class, whatever HTML the member typed."""
    inserts: dict[str, str] = {}
    if not mentioned:
        return body, inserts

    def link(match) -> str:
        name = match.group(1)
        if name not in mentioned:
            return match.group(0)
        word = placeholder()
        inserts[word] = format_html(
            '<a class="mention" href="{}">@{}</a>', mentioned[name].get_absolute_url(), name
        )
        return word

    parts = CODE.split(body)
    for i in range(0, len(parts), 2):
        parts[i] = MENTION.sub(link, parts[i])
    return "".join(parts), inserts


def _members_named(names) -> dict:
    if not names:
        return {}
    users = get_user_model().objects.filter(username__in=list(names), is_active=True)
    return {u.username: u for u in users}


def render_post(body: str) -> tuple[str, list]:
    """The post's sanitized HTML with @mentions linked to profiles, and who was mentioned."""
    mentioned = _members_named(_mention_names(body))
    text, inserts = _link_mentions(body, mentioned)
    return str(render_markdown(text, inserts=inserts)), list(mentioned.values())


def render_many(bodies: list[str]) -> list[str]:
    """Sanitized HTML for many texts (a page of comments), their mentions looked up at once."""
    names = {name for body in bodies for name in _mention_names(body)}
    mentioned = _members_named(names)
    rendered = []
    for body in bodies:
        text, inserts = _link_mentions(body, mentioned)
        rendered.append(str(render_markdown(text, inserts=inserts)))
    return rendered
