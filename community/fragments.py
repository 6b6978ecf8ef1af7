"""Forum posts and topic rows rendered once and shared between members who see them alike.

A post's HTML is kept (hub.fragments, for FRAGMENT_SECONDS) under a key made of what it shows:
the topic's page-cache version (every service that changes a post, its reactions, the accepted
answer or the topic touches ``topic:<pk>``), the post's own row (edits, hiding, deletion), the
page, the language and time zone, and the viewer's class for that post — signed in or not, own
post, moderator, suspended, may reply, may accept, and which reactions are theirs. Two plain
members who have not reacted to a post share its HTML; a moderator's links or one member's
"mine" never reach another key. Reactions and authors' standing are only read for the posts
that have to be rendered. A topic row is keyed by the values it shows (all loaded with the
listing) and the member's unread state for it, so it needs no version.
"""

import hashlib

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hub import fragments

from . import queries

POSTS = fragments.FragmentCache()
TOPIC_ROWS = fragments.FragmentCache()

POST_TEMPLATE = "community/includes/post.html"
TOPIC_ROW_TEMPLATE = "community/includes/topic_row.html"


def _file_name(field) -> str:
    return getattr(field, "name", "") or ""


def _place() -> tuple:
    return (get_language(), timezone.get_current_timezone_name())


def _post_key(post, topic, version, page, viewer, user, mine) -> tuple:
    return (
        topic.pk,
        version,
        topic.accepted_answer_id == post.pk,
        topic.locked,
        topic.slug,
        page.get("number"),
        page.get("num_pages"),
        post.pk,
        post.number,
        post.author_id,
        post.created,
        post.edited_at,
        post.hidden,
        post.hidden_reason,
        post.deleted_at,
        post.reply_to_id,
        _file_name(post.image),
        hashlib.md5(post.html.encode(), usedforsecurity=False).digest(),
        viewer,
        post.author_id is not None and post.author_id == user.pk,  # own post
        frozenset(kind for (post_id, kind) in mine if post_id == post.pk),
    )


def render_posts(request, posts, *, topic, topic_page, context, version=None) -> None:
    """Give each post its HTML as ``post.fragment``: from the kept pieces where the same post was
    rendered for a viewer of the same class, else rendered now (after reading the reactions and
    standings of those posts only). ``context`` holds is_moderator, suspension, can_reply and
    can_accept; the pieces hold ``fragments.CSRF_MARK`` for the token (see fill_csrf_token)."""
    if not posts:
        return
    user = request.user
    mine = queries.my_reactions(posts, user)
    if version is None:
        version = queries.topic_version(topic.pk)
    page = {
        name: topic_page.get(name) if isinstance(topic_page, dict) else getattr(topic_page, name)
        for name in ("number", "num_pages")
    }
    viewer = (
        user.is_authenticated,
        bool(context.get("is_moderator")),
        bool(context.get("suspension")),
        bool(context.get("can_reply")),
        bool(context.get("can_accept")),
        *_place(),
    )
    keys = {}
    missing = []
    for post in posts:
        if version is None:
            missing.append(post)
            continue
        key = _post_key(post, topic, version, page, viewer, user, mine)
        keys[post.pk] = key
        html = POSTS.get(key)
        if html is None:
            missing.append(post)
        else:
            post.fragment = html
    if not missing:
        return
    queries.decorate_posts(missing, user, mine=mine)
    base = {
        "topic": topic,
        "topic_page": topic_page,
        "user": user,
        "csrf_token": fragments.CSRF_MARK,
        "is_moderator": context.get("is_moderator"),
        "suspension": context.get("suspension"),
        "can_reply": context.get("can_reply"),
        "can_accept": context.get("can_accept"),
    }
    for post in missing:
        html = mark_safe(render_to_string(POST_TEMPLATE, {**base, "post": post}))  # noqa: S308
        post.fragment = html
        if post.pk in keys:
            POSTS.set(keys[post.pk], html)


def _row_key(topic, user, show_category) -> tuple:
    return (
        topic.pk,
        topic.title,
        topic.slug,
        topic.pinned,
        topic.locked,
        topic.accepted_answer_id is not None,
        topic.reply_count,
        topic.last_post_at,
        topic.author.public_name if topic.author_id else None,
        (topic.category.name, topic.category.colour, topic.category.slug)
        if show_category
        else None,
        getattr(topic, "unread", None),
        user.is_authenticated and getattr(topic, "is_new", False),
        *_place(),
    )


def render_topic_rows(request, topics, *, show_category: bool = False) -> None:
    """Give each topic of a listing its row's HTML as ``topic.fragment`` (shared between readers
    for whom the row reads the same)."""
    user = request.user
    for topic in topics:
        key = _row_key(topic, user, show_category) if fragments.enabled() else None
        html = TOPIC_ROWS.get(key) if key else None
        if html is None:
            html = mark_safe(  # noqa: S308  (the template's own escaped output)
                render_to_string(
                    TOPIC_ROW_TEMPLATE,
                    {"topic": topic, "user": user, "show_category": show_category},
                )
            )
            if key:
                TOPIC_ROWS.set(key, html)
        topic.fragment = html
