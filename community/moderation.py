"""What the forum gives the one moderation queue (hub.moderation): flagged posts and comments,
each with its place on the site, its review page in the admin and its author's record."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django_comments_xtd.models import XtdComment

from hub.markup import plain_text
from hub.moderation import ModerationItem

from . import queries
from .models import Flag, Post


def _reasons(flags: list[Flag]) -> str:
    labels = dict(Flag.REASONS)
    parts = []
    for flag in flags:
        text = str(labels.get(flag.reason, flag.reason))
        parts.append(f"{text}: {flag.note}" if flag.note else text)
    return "; ".join(dict.fromkeys(parts))


def _grouped(field: str, limit: int):
    return list(
        Flag.objects.filter(state=Flag.OPEN, **{f"{field}__isnull": False})
        .values(field)
        .annotate(n=Count("pk"), since=Min("created"))
        .order_by("since")[:limit]
    )


def _flags_by(field: str, ids) -> dict[int, list[Flag]]:
    found: dict[int, list[Flag]] = {}
    for flag in Flag.objects.filter(state=Flag.OPEN, **{f"{field}__in": ids}).order_by("created"):
        found.setdefault(getattr(flag, f"{field}_id"), []).append(flag)
    return found


def _authors_record(user_ids) -> tuple[dict[int, int], set[int]]:
    """How many of each author's posts and comments are hidden, and who is suspended."""
    ids = [pk for pk in set(user_ids) if pk]
    hidden = queries.hidden_post_counts(ids)
    for author, n in queries.hidden_comment_counts(ids).items():
        hidden[author] = hidden.get(author, 0) + n
    return hidden, queries.suspended_ids(ids) if ids else set()


def flagged_post_count() -> int:
    return (
        Flag.objects.filter(state=Flag.OPEN, post__isnull=False).values("post").distinct().count()
    )


def flagged_post_items(limit: int, actions) -> list[ModerationItem]:
    rows = _grouped("post", limit)
    ids = [r["post"] for r in rows]
    posts = Post.objects.select_related("topic", "author").in_bulk(ids)
    flags = _flags_by("post", ids)
    hidden, suspended = _authors_record(p.author_id for p in posts.values())
    items = []
    for row in rows:
        post = posts.get(row["post"])
        if post is None:
            continue
        items.append(
            ModerationItem(
                source="community.post",
                pk=post.pk,
                kind=_("Forum post"),
                title=post.topic.title,
                excerpt=plain_text(post.body, limit=240),
                author=post.author,
                reason=_reasons(flags.get(post.pk, [])),
                waiting_since=row["since"],
                reports=row["n"],
                url=post.get_absolute_url(),
                admin_url=reverse("community-flags:index") + f"?post={post.pk}",
                actions=[a for a in actions if a.code != ("hide" if post.hidden else "restore")],
                author_prior_flags=hidden.get(post.author_id, 0) if post.author_id else None,
                author_suspended=post.author_id in suspended,
            )
        )
    return items


def _comment_title(comment, story) -> str:
    if getattr(story, "title", ""):
        return _("Comment by %(name)s on “%(story)s”") % {
            "name": comment.user_name,
            "story": story.title,
        }
    return _("Comment by %(name)s") % {"name": comment.user_name}


def flagged_comment_count() -> int:
    return (
        Flag.objects.filter(state=Flag.OPEN, comment__isnull=False)
        .values("comment")
        .distinct()
        .count()
    )


def flagged_comment_items(limit: int, actions) -> list[ModerationItem]:
    rows = _grouped("comment", limit)
    ids = [r["comment"] for r in rows]
    comments = XtdComment.objects.select_related("user").in_bulk(ids)
    flags = _flags_by("comment", ids)
    targets = queries.comment_targets(comments.values())
    hidden, suspended = _authors_record(c.user_id for c in comments.values())
    items = []
    for row in rows:
        comment = comments.get(row["comment"])
        if comment is None:
            continue
        items.append(
            ModerationItem(
                source="community.comment",
                pk=comment.pk,
                kind=_("Story comment"),
                title=_comment_title(comment, targets.get(comment.pk)),
                excerpt=plain_text(comment.comment, limit=240),
                author=comment.user,
                reason=_reasons(flags.get(comment.pk, [])),
                waiting_since=row["since"],
                reports=row["n"],
                url=queries.comment_url(comment, targets.get(comment.pk)),
                admin_url=reverse("community_review_comment", args=[comment.pk]),
                actions=[
                    a for a in actions if a.code != ("hide" if comment.is_removed else "restore")
                ],
                author_prior_flags=hidden.get(comment.user_id, 0) if comment.user_id else None,
                author_suspended=comment.user_id in suspended,
            )
        )
    return items
