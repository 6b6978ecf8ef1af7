"""Template pieces the forum offers other templates: story comments, reaction symbols."""

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.safestring import mark_safe
from django_comments_xtd.models import XtdComment

from hub.converters import parse_id
from hub.rewards.queries import standings_for

from .. import queries, rendering
from ..forms import CommentForm
from ..models import Reaction, Topic

register = template.Library()


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
        "suspension": queries.active_suspension(user) if user else None,
        "is_moderator": queries.is_moderator(user) if user else False,
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
