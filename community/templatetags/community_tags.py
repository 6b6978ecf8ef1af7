"""Template pieces the forum offers other templates: story comments, reaction symbols."""

import threading
from collections import OrderedDict

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_comments_xtd.models import XtdComment

from hub.converters import parse_id
from hub.rewards.queries import standings_for

from .. import queries, rendering
from ..forms import CommentForm
from ..models import Reaction, Topic

register = template.Library()

# Author chips rendered once per process and reused: keyed by everything the chip shows (so a
# renamed member, a new avatar, tier or badge, or another language is simply another key).
_CHIPS: OrderedDict = OrderedDict()
_CHIPS_LOCK = threading.Lock()
CHIPS_KEPT = 4096


def _file_name(field) -> str:
    return getattr(field, "name", "") or ""


def _chip_key(member, standing) -> tuple | None:
    if member is None:
        return ("gone", get_language())
    tier = getattr(standing, "tier", None)
    badges = tuple(
        (b.name, b.description, b.symbol) for b in list(getattr(standing, "badges", None) or [])[:3]
    )
    return (
        member.pk,
        member.username,
        member.public_name,
        _file_name(getattr(member, "avatar", None)),
        _file_name(getattr(member, "avatar_thumbnail", None)),
        getattr(member, "avatar_hue", None),
        (tier.name, tier.colour) if tier else None,
        badges,
        get_language(),
    )


@register.simple_tag
def author_chip(member, standing=None):
    """community/includes/author.html for ``member``, rendered once and reused."""
    key = _chip_key(member, standing)
    with _CHIPS_LOCK:
        html = _CHIPS.get(key)
        if html is not None:
            _CHIPS.move_to_end(key)
            return html
    html = mark_safe(  # noqa: S308  (a template's own escaped output)
        render_to_string("community/includes/author.html", {"member": member, "standing": standing})
    )
    with _CHIPS_LOCK:
        _CHIPS[key] = html
        while len(_CHIPS) > CHIPS_KEPT:
            _CHIPS.popitem(last=False)
    return html


@register.filter
def reaction_symbol(kind: str) -> str:
    return Reaction.EMOJI.get(kind, "")


def story_thread(page, user) -> list[XtdComment]:
    """The page's public comments in thread order, each with its HTML, reactions and author's
    standing: six queries whatever the number of comments."""
    content_type = ContentType.objects.get_for_model(page)
    comments = list(
        XtdComment.norel_objects.filter(
            content_type=content_type, object_pk=str(page.pk), is_public=True
        )
        .select_related("user")
        .order_by("thread_id", "order")
    )
    queries.decorate_comments(comments, user)
    standings = standings_for({c.user_id for c in comments if c.user_id})
    rendered = rendering.render_many([c.comment for c in comments if not c.is_removed])
    for comment in comments:
        comment.html = "" if comment.is_removed else mark_safe(rendered.pop(0))  # noqa: S308
        comment.standing = standings.get(comment.user_id)
        comment.can_reply = comment.level < settings.COMMENTS_XTD_MAX_THREAD_LEVEL
    # A removed comment stays only as the place its replies hang from.
    keep = []
    for i, comment in enumerate(comments):
        has_replies = i + 1 < len(comments) and comments[i + 1].parent_id == comment.pk
        if not comment.is_removed or has_replies:
            keep.append(comment)
    return keep


@register.inclusion_tag("community/includes/story_comments.html", takes_context=True)
def story_comments(context, page):
    request = context.get("request")
    user = request.user if request else None
    comments = story_thread(page, user) if user is not None else []
    form = context.get("comment_form")
    if form is None:
        # "Reply" on a comment, without JavaScript: the page again, its form answering it.
        answered = parse_id(request.GET.get("reply")) if request else None
        form = CommentForm(initial={"parent": answered} if answered else None)
    parent = parse_id(form["parent"].value())
    suspension = queries.shown_suspension(user)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "page": page,
        "comments": comments,
        "count": sum(1 for c in comments if not c.is_removed),
        "form": form,
        "replying_to": next(
            (c for c in comments if c.pk == parent and c.can_reply and not c.is_removed), None
        ),
        "reactions": Reaction.CHOICES,
        "suspension": suspension,
        "is_moderator": queries.is_moderator(user) if user else False,
        # The blank comment form reads the same for every member who may comment (its token is
        # filled in per response): kept, unless it holds what one member posted, answers a
        # comment, or tells of a suspension.
        "form_key": None if form.is_bound or parent or suspension else "blank",
    }


@register.inclusion_tag("community/includes/home_topics.html")
def community_latest(count: int = 5):
    """The latest active forum topics, for the home page: one query."""
    topics = list(
        Topic.objects.filter(hidden=False, merged_into__isnull=True)
        .select_related("category", "last_poster")
        .order_by("-last_post_at")[:count]
    )
    return {"topics": topics}
