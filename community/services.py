"""Every change to the forum and to story comments: one function per intent, one transaction,
then points (hub.rewards) and notifications (hub.notifications); moderation is logged in
Wagtail's history with who did it and why.

Locks, always in this order, so that two actions never wait for each other in a circle:
the reaction (or flag) row, then the topic, then the post, then a member's points (``Balance``,
inside ``rewards.award`` / ``rewards.reverse``). A topic or post row is locked with
``FOR NO KEY UPDATE`` (``select_for_update(no_key=True)``), which does not block the inserts
that merely point at it (a read marker, a reaction). Read markers are written outside the
locked section. A transaction that still loses a deadlock runs again
(``hub.transactions.retry_on_conflict``).
"""

import functools
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site as DjangoSite
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_comments_xtd.models import MaxThreadLevelExceededException, XtdComment
from wagtail.log_actions import log

from hub import pagecache, realtime
from hub.accounts.services import record_said_hello
from hub.errors import Refusal
from hub.images import reencode
from hub.notifications.services import notify
from hub.ratelimit import Limit, check_rate
from hub.rewards import services as rewards
from hub.transactions import retry_on_conflict

from . import queries
from .models import (
    Category,
    Flag,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Subscription,
    Suspension,
    Topic,
)
from .rendering import render_post

TOPIC_CREATED = "community.topic.created"
POST_CREATED = "community.post.created"
REACTION_RECEIVED = "community.reaction.received"
ANSWER_ACCEPTED = "community.answer.accepted"
COMMENT_POSTED = "community.comment.posted"

KIND_REPLY = "community.post.replied"
KIND_WATCHED = "community.topic.replied"
KIND_NEW_TOPIC = "community.topic.created"
KIND_MENTION = "community.post.mentioned"
KIND_REACTION = "community.post.reacted"
KIND_ANSWER = "community.answer.accepted"
KIND_MODERATED = "community.post.moderated"
KIND_SUSPENDED = "community.member.suspended"
KIND_COMMENT_REPLY = "community.comment.replied"

LINK_TAG = re.compile(r"<a\b([^>]*)>", re.I)
# Clicks, per member: enough for any reader, not for a script.
REACTION_LIMIT = Limit("community.reaction", per_hour=200, per_day=1000, kind="action")
FLAG_LIMIT = Limit("community.flag", per_hour=20, per_day=60, kind="action")


class CommunityError(Refusal):
    """A refused forum action, with a message fit for the member who tried."""


def topic_group(topic_id: int) -> str:
    return f"community.topic.{topic_id}"


def _page_tags(value) -> tuple[str, ...]:
    """The page-cache tags of the forum pages that show ``value`` (a post or a topic)."""
    if isinstance(value, Post):
        value = value.topic
    if isinstance(value, Topic):
        return (f"topic:{value.pk}", f"category:{value.category_id}")
    return ()


def _shown_on_forum_pages(func):
    """After ``func`` commits, drop the cached anonymous pages that show what it changed: the
    topic, its category (before and after a move), the forum's listings and the home page."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        first = args[0] if args else kwargs.get("topic")
        before = _page_tags(first)
        result = func(*args, **kwargs)
        pagecache.touch(*before, *_page_tags(result), *_page_tags(kwargs.get("into")), "forum")
        return result

    return wrapper


def _shown_on_story_pages(func):
    """After ``func`` commits, drop the cached anonymous page of the story it commented on."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        target = kwargs.get("target")
        story_id = target.pk if target is not None else getattr(args[0], "object_pk", None)
        if story_id:
            pagecache.touch(f"page:{story_id}")
        return result

    return wrapper


# --- Checks -------------------------------------------------------------------------------------
def _require_member(user) -> None:
    if not user or not user.is_authenticated or not user.is_active:
        raise CommunityError(_("Sign in to take part."))
    suspension = queries.active_suspension(user)
    if suspension is not None:
        raise CommunityError(
            _("Your account is read-only until %(until)s: %(reason)s")
            % {
                "until": date_format(timezone.localtime(suspension.until), "DATETIME_FORMAT"),
                "reason": suspension.reason,
            }
        )


def _require_moderator(user) -> None:
    if not queries.is_moderator(user):
        raise CommunityError(_("Only moderators can do that."))


def _has_links_or_images(html: str) -> bool:
    if "<img" in html:
        return True
    return any('class="mention"' not in attrs for attrs in LINK_TAG.findall(html))


def _check_posting(user, html: str, *, image=None) -> None:
    """New members may not post links or images; everyone is held to the posting rate."""
    limits = queries.community_settings()
    posted = Post.objects.filter(author=user, deleted_at__isnull=True).count()
    new_member = posted < limits.new_member_posts and not queries.is_moderator(user)
    if new_member and (image or _has_links_or_images(html)):
        raise CommunityError(
            ngettext(
                "New members can add links and images after their first post.",
                "New members can add links and images after their first %(count)d posts.",
                limits.new_member_posts,
            )
            % {"count": limits.new_member_posts}
        )
    if new_member:
        limit = Limit(
            "community.post.new",
            per_hour=limits.new_member_posts_per_hour,
            per_day=limits.new_member_posts_per_day,
        )
    else:
        limit = Limit(
            "community.post", per_hour=limits.posts_per_hour, per_day=limits.posts_per_day
        )
    check_rate(user, limit)


def _stored_image(upload):
    """What is kept of an attached image: re-encoded, without its EXIF (GPS included) or name."""
    if not upload:
        return None
    return reencode(upload, fit=settings.COMMUNITY_IMAGE_STORED_SIDE).content


def _notify_mentions(users, post: Post, *, actor, skip=()) -> set[int]:
    recipients = [u for u in users if u.pk not in skip]
    if recipients:
        notify(
            recipients,
            KIND_MENTION,
            text=lambda: (
                _("%(name)s mentioned you in “%(topic)s”")
                % {"name": actor.public_name, "topic": post.topic.title}
            ),
            actor=actor,
            target=post,
            url=post.get_absolute_url(),
        )
    return {u.pk for u in recipients}


# --- Topics and replies -------------------------------------------------------------------------
def _slug(title: str) -> str:
    return slugify(title, allow_unicode=True)[:80] or "topic"


def _mark_read(user, topic: Topic, number: int) -> None:
    updated = ReadState.objects.filter(user=user, topic=topic, last_read_number__lt=number).update(
        last_read_number=number, updated=timezone.now()
    )
    if not updated and not ReadState.objects.filter(user=user, topic=topic).exists():
        try:
            with transaction.atomic():
                ReadState.objects.create(user=user, topic=topic, last_read_number=number)
        except IntegrityError:  # a parallel request made it
            ReadState.objects.filter(user=user, topic=topic, last_read_number__lt=number).update(
                last_read_number=number
            )


def mark_read(user, topic: Topic, number: int) -> None:
    """Remember that ``user`` has read ``topic`` up to post ``number`` (never moves back)."""
    if user.is_authenticated:
        _mark_read(user, topic, min(number, topic.last_number))


@_shown_on_forum_pages
def create_topic(
    *, by, category: Category, title: str, body: str, image=None, enforce_limits: bool = True
) -> Topic:
    _require_member(by)
    if not queries.may_start_topic(by, category):
        raise CommunityError(_("You cannot start topics in this category."))
    title = " ".join((title or "").split())
    if not title:
        raise CommunityError(_("Give your topic a title."))
    if not (body or "").strip():
        raise CommunityError(_("Write something before posting."))
    html, mentioned = render_post(body)
    if enforce_limits:  # off only for seeded demo and bench content
        _check_posting(by, html, image=image)
    stored_image = _stored_image(image)
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            category=category,
            title=title,
            slug=_slug(title),
            author=by,
            created=now,
            last_post_at=now,
            last_poster=by,
            last_number=1,
        )
        post = Post(topic=topic, number=1, author=by, body=body, html=html, created=now)
        if stored_image:
            post.image = stored_image
        post.save()
        Category.objects.filter(pk=category.pk).update(
            topic_count=F("topic_count") + 1,
            post_count=F("post_count") + 1,
            last_post_at=now,
            last_topic=topic,
        )
        Subscription.objects.get_or_create(
            user=by, topic=topic, defaults={"level": Subscription.WATCH}
        )
        ReadState.objects.create(user=by, topic=topic, last_read_number=1)
        rewards.award(by, TOPIC_CREATED, source=topic)
        record_said_hello(by=by)
        skip = _notify_mentions(mentioned, post, actor=by)
        watchers = (
            Subscription.objects.filter(
                category=category, level__in=[Subscription.WATCH, Subscription.FOLLOW]
            )
            .exclude(user__in=skip)
            .values_list("user_id", flat=True)
        )
        notify(
            list(watchers),
            KIND_NEW_TOPIC,
            text=lambda: (
                _("New topic in %(category)s: “%(title)s”")
                % {"category": category.name, "title": title}
            ),
            actor=by,
            target=topic,
            url=topic.get_absolute_url(),
        )
    return topic


def _check_open(topic: Topic, user) -> None:
    if topic.hidden or topic.merged_into_id:
        raise CommunityError(_("This topic is no longer open."))
    if topic.locked and not queries.is_moderator(user):
        raise CommunityError(_("This topic is locked: it takes no new replies."))


@_shown_on_forum_pages
def create_reply(
    *,
    by,
    topic: Topic,
    body: str,
    image=None,
    reply_to: Post | None = None,
    enforce_limits: bool = True,
):
    _require_member(by)
    _check_open(topic, by)
    if not (body or "").strip():
        raise CommunityError(_("Write something before posting."))
    if reply_to is not None and (reply_to.topic_id != topic.pk or not reply_to.visible):
        reply_to = None
    html, mentioned = render_post(body)
    if enforce_limits:  # off only for seeded demo and bench content
        _check_posting(by, html, image=image)
    stored_image = _stored_image(image)
    now = timezone.now()

    @retry_on_conflict
    def write() -> Post:
        # The topic's row lock hands out post numbers one at a time.
        locked = (
            Topic.objects.select_for_update(no_key=True).only("pk", "last_number").get(pk=topic.pk)
        )
        number = locked.last_number + 1
        post = Post(
            topic=topic,
            number=number,
            author=by,
            body=body,
            html=html,
            created=now,
            reply_to=reply_to,
        )
        if stored_image:
            post.image = stored_image
        post.save()
        Topic.objects.filter(pk=topic.pk).update(
            last_number=number,
            reply_count=F("reply_count") + 1,
            last_post_at=now,
            last_poster=by,
        )
        topic.last_number, topic.last_post_at, topic.last_poster = number, now, by
        Category.objects.filter(pk=topic.category_id).update(
            post_count=F("post_count") + 1, last_post_at=now, last_topic=topic
        )
        rewards.award(by, POST_CREATED, source=post)
        _notify_reply(post, by, mentioned)
        transaction.on_commit(
            lambda: realtime.send_to_groups(
                [
                    (
                        topic_group(topic.pk),
                        {"type": "topic.post", "post_id": post.pk, "number": number},
                    )
                ]
            )
        )
        return post

    post = write()
    # After the topic's lock is released: the author's own page view may be writing it too.
    _mark_read(by, topic, post.number)
    record_said_hello(by=by)
    return post


def _notify_reply(post: Post, author, mentioned) -> None:
    topic = post.topic
    muted = set(
        Subscription.objects.filter(topic=topic, level=Subscription.MUTE).values_list(
            "user_id", flat=True
        )
    )
    muted |= set(
        Subscription.objects.filter(
            category_id=topic.category_id, level=Subscription.MUTE
        ).values_list("user_id", flat=True)
    )
    notified = {author.pk} | muted
    notified |= _notify_mentions(mentioned, post, actor=author, skip=notified)
    replied_to = post.reply_to.author_id if post.reply_to_id else topic.author_id
    if replied_to and replied_to not in notified:
        notify(
            [replied_to],
            KIND_REPLY,
            text=lambda: (
                _("%(name)s replied to your post in “%(topic)s”")
                % {"name": author.public_name, "topic": topic.title}
            ),
            actor=author,
            target=post,
            url=post.get_absolute_url(),
        )
        notified.add(replied_to)
    topic_watchers = set(
        Subscription.objects.filter(topic=topic, level=Subscription.WATCH).values_list(
            "user_id", flat=True
        )
    )
    category_watchers = set(
        Subscription.objects.filter(
            category_id=topic.category_id, level=Subscription.WATCH
        ).values_list("user_id", flat=True)
    )
    # A topic-level choice (following without watching) wins over watching its category.
    followers = set(
        Subscription.objects.filter(topic=topic, level=Subscription.FOLLOW).values_list(
            "user_id", flat=True
        )
    )
    watchers = (topic_watchers | (category_watchers - followers)) - notified
    if watchers:
        notify(
            sorted(watchers),
            KIND_WATCHED,
            text=lambda: (
                _("New reply from %(name)s in “%(topic)s”")
                % {"name": author.public_name, "topic": topic.title}
            ),
            actor=author,
            target=post,
            url=post.get_absolute_url(),
        )


def _can_change(post: Post, user) -> bool:
    return queries.is_moderator(user) or (post.author_id == user.pk and post.visible)


@_shown_on_forum_pages
def edit_post(post: Post, *, by, body: str, title: str | None = None) -> Post:
    if not queries.is_moderator(by):
        _require_member(by)
    if not _can_change(post, by):
        raise CommunityError(_("You can only edit your own posts."))
    if not (body or "").strip():
        raise CommunityError(_("Write something before posting."))
    html, _mentioned = render_post(body)
    topic = post.topic
    new_title = " ".join((title or "").split()) if post.is_first and title is not None else None
    if post.is_first and title is not None and not new_title:
        raise CommunityError(_("Give your topic a title."))
    if post.author_id == by.pk and not queries.is_moderator(by) and _has_links_or_images(html):
        limits = queries.community_settings()
        posted = Post.objects.filter(author=by, deleted_at__isnull=True).count()
        if posted <= limits.new_member_posts and not _has_links_or_images(post.html):
            raise CommunityError(_("New members can add links and images after a few posts."))
    with transaction.atomic():
        PostRevision.objects.create(
            post=post, body=post.body, title=topic.title if post.is_first else "", edited_by=by
        )
        post.body, post.html, post.edited_at = body, html, timezone.now()
        post.save(update_fields=["body", "html", "edited_at"])
        if new_title and new_title != topic.title:
            topic.title, topic.slug = new_title, _slug(new_title)
            topic.save(update_fields=["title", "slug"])
        if by.pk != post.author_id:
            log(instance=post, action="community.post.edited", user=by, data={"reason": ""})
    return post


@_shown_on_forum_pages
def delete_post(post: Post, *, by, reason: str = "") -> Post:
    """Soft-delete: the post keeps its place ("deleted") and its revisions; its points go."""
    moderating = by.pk != post.author_id
    if moderating:
        _require_moderator(by)
    else:
        _require_member(by)
    if post.deleted_at is not None:
        return post
    with transaction.atomic():
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at"])
        _reverse_points(post, reason or _("Deleted"))
        if post.is_first:
            Topic.objects.filter(pk=post.topic_id).update(hidden=True)
            Category.objects.filter(pk=post.topic.category_id).update(
                topic_count=F("topic_count") - 1
            )
            _refresh_latest(post.topic.category_id)
        else:
            Topic.objects.filter(pk=post.topic_id, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
        if moderating:
            log(instance=post, action="community.post.deleted", user=by, data={"reason": reason})
    return post


def _refresh_latest(category_id: int) -> None:
    """Point the category's "Latest" at its newest visible topic again (after one was hidden,
    deleted, merged away or moved out)."""
    latest = (
        Topic.objects.filter(category_id=category_id, hidden=False, merged_into__isnull=True)
        .order_by("-last_post_at", "-pk")
        .values_list("pk", "last_post_at")
        .first()
    )
    last_topic, last_post_at = latest or (None, None)
    Category.objects.filter(pk=category_id).update(last_topic=last_topic, last_post_at=last_post_at)


# --- Reactions ----------------------------------------------------------------------------------
def _check_kind(kind: str) -> None:
    if kind not in Reaction.EMOJI:
        raise CommunityError(_("That reaction is not available."))


@_shown_on_forum_pages
def react(post: Post, kind: str = Reaction.LIKE, *, by) -> bool:
    """Add ``by``'s reaction; True when this call added it. Twice, or from many threads at
    once, counts once: the unique constraint decides."""
    _require_member(by)
    _check_kind(kind)
    if not post.visible:
        raise CommunityError(_("This post is no longer shown."))
    if post.author_id == by.pk:
        raise CommunityError(_("You cannot react to your own post."))
    check_rate(by, REACTION_LIMIT)
    return _add_reaction(post, kind, by)


@retry_on_conflict
def _add_reaction(post: Post, kind: str, by) -> bool:
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(post=post, user=by, kind=kind)
    except IntegrityError:
        return False
    # The post, then the author's points (the module's lock order).
    Post.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") + 1)
    if post.author_id:
        rewards.award(post.author, REACTION_RECEIVED, source=reaction)
        notify(
            [post.author_id],
            KIND_REACTION,
            text=lambda: (
                _("%(name)s reacted %(symbol)s to your post in “%(topic)s”")
                % {"name": by.public_name, "symbol": reaction.symbol, "topic": post.topic.title}
            ),
            actor=by,
            target=post,
            url=post.get_absolute_url(),
        )
    return True


@_shown_on_forum_pages
def unreact(post: Post, kind: str = Reaction.LIKE, *, by) -> bool:
    _require_member(by)
    _check_kind(kind)
    return _remove_reaction(post, kind, by)


@retry_on_conflict
def _remove_reaction(post: Post, kind: str, by) -> bool:
    reaction = Reaction.objects.select_for_update().filter(post=post, user=by, kind=kind).first()
    if reaction is None:
        return False
    # The post, then the author's points, as when the reaction was added.
    Post.objects.filter(pk=post.pk, reaction_count__gt=0).update(
        reaction_count=F("reaction_count") - 1
    )
    if post.author_id:
        rewards.reverse(
            post.author, REACTION_RECEIVED, source=reaction, reason=_("Reaction withdrawn")
        )
    reaction.delete()
    return True


# --- Answers ------------------------------------------------------------------------------------
@_shown_on_forum_pages
def accept_answer(post: Post, *, by) -> Topic:
    topic = Topic.objects.select_related("category").get(pk=post.topic_id)
    moderator = queries.is_moderator(by)
    if not (moderator or topic.author_id == by.pk):
        raise CommunityError(_("Only the person who asked, or a moderator, can accept an answer."))
    if not moderator:
        _require_member(by)
    if not topic.category.is_qa:
        raise CommunityError(_("Answers are accepted in question-and-answer categories only."))
    if post.is_first or not post.visible:
        raise CommunityError(_("Choose a reply as the answer."))
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.accepted_answer_id == post.pk:
            return locked
        if locked.accepted_answer_id:
            previous = Post.objects.select_related("author").get(pk=locked.accepted_answer_id)
            if previous.author_id:
                rewards.reverse(
                    previous.author,
                    ANSWER_ACCEPTED,
                    source=previous,
                    reason=_("Another answer was accepted"),
                )
        locked.accepted_answer = post
        locked.save(update_fields=["accepted_answer"])
        if post.author_id and post.author_id != topic.author_id:
            rewards.award(post.author, ANSWER_ACCEPTED, source=post)
        if post.author_id:
            notify(
                [post.author_id],
                KIND_ANSWER,
                text=lambda: (
                    _("Your reply was accepted as the answer to “%(topic)s”")
                    % {"topic": topic.title}
                ),
                actor=by,
                target=post,
                url=post.get_absolute_url(),
            )
        if moderator and topic.author_id != by.pk:
            log(
                instance=locked, action="community.answer.accepted", user=by, data={"post": post.pk}
            )
    return locked


@_shown_on_forum_pages
def unaccept_answer(topic: Topic, *, by) -> Topic:
    if not (queries.is_moderator(by) or topic.author_id == by.pk):
        raise CommunityError(_("Only the person who asked, or a moderator, can accept an answer."))
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.accepted_answer_id:
            answer = Post.objects.select_related("author").get(pk=locked.accepted_answer_id)
            if answer.author_id:
                rewards.reverse(
                    answer.author, ANSWER_ACCEPTED, source=answer, reason=_("Answer unaccepted")
                )
            locked.accepted_answer = None
            locked.save(update_fields=["accepted_answer"])
    return locked


# --- Subscriptions ------------------------------------------------------------------------------
def set_subscription(user, level: str, *, topic: Topic | None = None, category=None) -> str:
    """Watch, follow or mute a topic or a category; "" returns to the default."""
    if not user.is_authenticated:
        raise CommunityError(_("Sign in to take part."))
    if level not in {"", Subscription.WATCH, Subscription.FOLLOW, Subscription.MUTE}:
        raise CommunityError(_("Choose watching, following or muted."))
    target = {"topic": topic} if topic is not None else {"category": category}
    with transaction.atomic():
        if not level:
            Subscription.objects.filter(user=user, **target).delete()
        else:
            Subscription.objects.update_or_create(user=user, **target, defaults={"level": level})
    return level


# --- Flags and moderation -----------------------------------------------------------------------
def flag_post(post: Post, *, by, reason: str, note: str = "") -> Flag:
    _require_member(by)
    if reason not in dict(Flag.REASONS):
        raise CommunityError(_("Choose why you are flagging this post."))
    if post.author_id == by.pk:
        raise CommunityError(_("You cannot flag your own post."))
    check_rate(by, FLAG_LIMIT)
    try:
        with transaction.atomic():
            return Flag.objects.create(post=post, flagged_by=by, reason=reason, note=note[:500])
    except IntegrityError:
        raise CommunityError(
            _("You have already flagged this post. Moderators will look at it.")
        ) from None


def _reverse_points(post: Post, reason: str, *, by=None) -> None:
    """Take back what the post earned its author; ``by`` is the moderator, if one hid it."""
    if not post.author_id:
        return
    author = post.author
    if post.is_first:
        rewards.reverse(author, TOPIC_CREATED, source=post.topic, reason=reason, by=by)
    else:
        rewards.reverse(author, POST_CREATED, source=post, reason=reason, by=by)
    rewards.reverse(author, ANSWER_ACCEPTED, source=post, reason=reason, by=by)
    for reaction in Reaction.objects.filter(post=post):
        rewards.reverse(author, REACTION_RECEIVED, source=reaction, reason=reason, by=by)


def _resolve_flags(by, state: str, **target) -> int:
    return Flag.objects.filter(state=Flag.OPEN, **target).update(
        state=state, resolved_by=by, resolved_at=timezone.now()
    )


@_shown_on_forum_pages
def hide_post(post: Post, *, by, reason: str) -> Post:
    """A moderator hides a post: it leaves the page, its points are reversed, its flags close."""
    _require_moderator(by)
    reason = (reason or "").strip()
    with transaction.atomic():
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("topic", "author")
            .get(pk=post.pk)
        )
        if not post.hidden:
            post.hidden, post.hidden_reason = True, reason[:255]
            post.save(update_fields=["hidden", "hidden_reason"])
            _reverse_points(post, reason or _("Hidden by a moderator"), by=by)
            if post.is_first:
                Topic.objects.filter(pk=post.topic_id).update(hidden=True)
                _refresh_latest(post.topic.category_id)
            log(instance=post, action="community.post.hidden", user=by, data={"reason": reason})
            if post.author_id:
                notify(
                    [post.author_id],
                    KIND_MODERATED,
                    text=lambda: (
                        _("A moderator hid your post in “%(topic)s”: %(reason)s")
                        % {"topic": post.topic.title, "reason": reason or _("no reason given")}
                    ),
                    actor=by,
                    target=post,
                    url=post.topic.get_absolute_url(),
                )
        _resolve_flags(by, Flag.ACTIONED, post=post)
    return post


@_shown_on_forum_pages
def restore_post(post: Post, *, by, reason: str = "") -> Post:
    _require_moderator(by)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.hidden:
            post.hidden, post.hidden_reason = False, ""
            post.save(update_fields=["hidden", "hidden_reason"])
            if post.is_first and post.deleted_at is None:
                Topic.objects.filter(pk=post.topic_id).update(hidden=False)
                _refresh_latest(post.topic.category_id)
            log(instance=post, action="community.post.restored", user=by, data={"reason": reason})
        _resolve_flags(by, Flag.DISMISSED, post=post)
    return post


def dismiss_flags(*, by, reason: str = "", post: Post | None = None, comment=None) -> int:
    _require_moderator(by)
    target = {"post": post} if post is not None else {"comment": comment}
    with transaction.atomic():
        count = _resolve_flags(by, Flag.DISMISSED, **target)
        log(
            instance=post if post is not None else comment,
            action="community.flags.dismissed",
            user=by,
            data={"reason": reason, "flags": count},
        )
    return count


def _moderate_topic(topic: Topic, *, by, action: str, reason: str, **changes) -> Topic:
    if not by.has_perm("community.moderate_topic"):
        raise CommunityError(_("Only moderators can do that."))
    with transaction.atomic():
        for name, value in changes.items():
            setattr(topic, name, value)
        topic.save(update_fields=list(changes))
        log(instance=topic, action=action, user=by, data={"reason": reason})
    return topic


@_shown_on_forum_pages
def lock_topic(topic: Topic, *, by, locked: bool = True, reason: str = "") -> Topic:
    action = "community.topic.locked" if locked else "community.topic.unlocked"
    return _moderate_topic(topic, by=by, action=action, reason=reason, locked=locked)


@_shown_on_forum_pages
def pin_topic(topic: Topic, *, by, pinned: bool = True, reason: str = "") -> Topic:
    action = "community.topic.pinned" if pinned else "community.topic.unpinned"
    return _moderate_topic(topic, by=by, action=action, reason=reason, pinned=pinned)


@_shown_on_forum_pages
def move_topic(topic: Topic, *, to: Category, by, reason: str = "") -> Topic:
    if not by.has_perm("community.moderate_topic"):
        raise CommunityError(_("Only moderators can do that."))
    if to.pk == topic.category_id:
        return topic
    source = topic.category_id
    with transaction.atomic():
        posts = topic.last_number
        Category.objects.filter(pk=source).update(
            topic_count=F("topic_count") - 1, post_count=F("post_count") - posts
        )
        Category.objects.filter(pk=to.pk).update(
            topic_count=F("topic_count") + 1, post_count=F("post_count") + posts
        )
        topic.category = to
        topic.save(update_fields=["category"])
        _refresh_latest(source)
        _refresh_latest(to.pk)
        log(
            instance=topic,
            action="community.topic.moved",
            user=by,
            data={"reason": reason, "from": source, "to": to.pk},
        )
    return topic


@_shown_on_forum_pages
def merge_topics(source: Topic, *, into: Topic, by, reason: str = "") -> Topic:
    """Append ``source``'s posts to ``into`` (numbered after its last post); ``source`` then
    points readers to ``into``."""
    if not by.has_perm("community.moderate_topic"):
        raise CommunityError(_("Only moderators can do that."))
    if source.pk == into.pk or into.merged_into_id:
        raise CommunityError(_("Choose another topic to merge into."))
    with transaction.atomic():
        target = Topic.objects.select_for_update().get(pk=into.pk)
        moving = Topic.objects.select_for_update().get(pk=source.pk)
        offset = target.last_number
        Post.objects.filter(topic=moving).update(topic=target, number=F("number") + offset)
        target.last_number = offset + moving.last_number
        target.reply_count = target.reply_count + moving.reply_count + 1
        target.last_post_at = max(target.last_post_at, moving.last_post_at)
        target.save(update_fields=["last_number", "reply_count", "last_post_at"])
        moving.merged_into, moving.hidden = target, True
        moving.save(update_fields=["merged_into", "hidden"])
        Category.objects.filter(pk=moving.category_id).update(topic_count=F("topic_count") - 1)
        _refresh_latest(moving.category_id)
        ReadState.objects.filter(topic=moving).delete()
        log(
            instance=target,
            action="community.topic.merged",
            user=by,
            data={"reason": reason, "merged": moving.pk, "title": moving.title},
        )
    return target


def suspend_member(user, *, by, until, reason: str):
    """Make ``user`` read-only until ``until``; they see the reason on every refused action."""
    _require_moderator(by)
    reason = (reason or "").strip()
    if not reason:
        raise CommunityError(_("Say why: the member sees the reason."))
    if until <= timezone.now():
        raise CommunityError(_("Choose a date in the future."))
    if user.pk == by.pk:
        raise CommunityError(_("You cannot suspend yourself."))
    # Editors and administrators (anyone who works in the admin) answer to the site's
    # administrators, not to moderators; nobody suspends an administrator.
    works_in_admin = user.is_staff or user.has_perm("wagtailadmin.access_admin")
    if user.is_superuser or (works_in_admin and not by.is_superuser):
        raise CommunityError(_("Moderators cannot suspend editors or administrators."))
    with transaction.atomic():
        suspension = Suspension.objects.create(user=user, until=until, reason=reason, created_by=by)
        queries.forget_shown_suspension(user.pk)
        transaction.on_commit(lambda: queries.forget_shown_suspension(user.pk), robust=True)
        log(
            instance=suspension,
            action="community.member.suspended",
            user=by,
            data={"reason": reason, "until": until.isoformat()},
        )
        notify(
            user,
            KIND_SUSPENDED,
            text=lambda: (
                _("Your account is read-only until %(until)s: %(reason)s")
                % {
                    "until": date_format(timezone.localtime(until), "DATETIME_FORMAT"),
                    "reason": reason,
                }
            ),
            actor=None,
        )
    return suspension


def lift_suspension(suspension, *, by, reason: str = ""):
    """End a suspension early: the member may post again at once. Lifting twice changes nothing."""
    _require_moderator(by)
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        if suspension.lifted_at is not None:
            return suspension
        suspension.lifted_at = timezone.now()
        suspension.save(update_fields=["lifted_at"])
        queries.forget_shown_suspension(suspension.user_id)
        transaction.on_commit(
            lambda: queries.forget_shown_suspension(suspension.user_id), robust=True
        )
        log(
            instance=suspension,
            action="community.member.unsuspended",
            user=by,
            data={"reason": reason.strip()},
        )
    return suspension


# --- Comments on brand stories ------------------------------------------------------------------
@_shown_on_story_pages
def post_comment(
    *,
    by,
    target,
    body: str,
    parent: XtdComment | None = None,
    followup: bool = True,
    enforce_limits: bool = True,
):
    """A member's comment on a story page (``target``), threaded under ``parent``."""
    _require_member(by)
    body = (body or "").strip()
    if not body:
        raise CommunityError(_("Write something before posting."))
    html, mentioned = render_post(body)
    if enforce_limits:
        _check_posting(by, html)
    content_type = ContentType.objects.get_for_model(target)
    if parent is not None and (
        parent.content_type_id != content_type.pk
        or parent.object_pk != str(target.pk)
        or parent.is_removed
    ):
        raise CommunityError(_("That comment is no longer there to reply to."))
    with transaction.atomic():
        comment = XtdComment(
            content_type=content_type,
            object_pk=str(target.pk),
            site=DjangoSite.objects.get_current(),
            user=by,
            user_name=by.public_name[:50],
            user_email=by.email,
            comment=body,
            submit_date=timezone.now(),
            is_public=True,
            followup=followup,
            parent_id=parent.pk if parent else 0,
        )
        try:
            comment.save()
        except MaxThreadLevelExceededException:
            raise CommunityError(
                _("This conversation cannot go deeper: reply higher up.")
            ) from None
        rewards.award(by, COMMENT_POSTED, source=comment)
        record_said_hello(by=by)
        url = target.url + f"#c{comment.pk}" if getattr(target, "url", "") else ""
        notified = {by.pk}
        mentioned = [u for u in mentioned if u.pk not in notified]
        if mentioned:
            notify(
                mentioned,
                KIND_MENTION,
                text=lambda: (
                    _("%(name)s mentioned you in a comment on “%(title)s”")
                    % {"name": by.public_name, "title": getattr(target, "title", "")}
                ),
                actor=by,
                target=comment,
                url=url,
            )
            notified |= {u.pk for u in mentioned}
        if parent is not None:
            followers = set(
                XtdComment.objects.filter(
                    thread_id=comment.thread_id, followup=True, is_removed=False
                )
                .exclude(user__isnull=True)
                .values_list("user_id", flat=True)
            )
            followers.add(parent.user_id)
            followers.discard(None)
            followers -= notified
            notify(
                sorted(followers),
                KIND_COMMENT_REPLY,
                text=lambda: (
                    _("%(name)s replied in the conversation on “%(title)s”")
                    % {"name": by.public_name, "title": getattr(target, "title", "")}
                ),
                actor=by,
                target=comment,
                url=url,
            )
    return comment


@_shown_on_story_pages
def react_comment(comment: XtdComment, kind: str = Reaction.LIKE, *, by) -> bool:
    _require_member(by)
    _check_kind(kind)
    if comment.user_id == by.pk:
        raise CommunityError(_("You cannot react to your own comment."))
    check_rate(by, REACTION_LIMIT)
    try:
        with transaction.atomic():
            Reaction.objects.create(comment=comment, user=by, kind=kind)
    except IntegrityError:
        return False
    return True


@_shown_on_story_pages
def unreact_comment(comment: XtdComment, kind: str = Reaction.LIKE, *, by) -> bool:
    _require_member(by)
    return Reaction.objects.filter(comment=comment, user=by, kind=kind).delete()[0] > 0


def flag_comment(comment: XtdComment, *, by, reason: str, note: str = "") -> Flag:
    _require_member(by)
    if reason not in dict(Flag.REASONS):
        raise CommunityError(_("Choose why you are flagging this comment."))
    if comment.user_id == by.pk:
        raise CommunityError(_("You cannot flag your own comment."))
    check_rate(by, FLAG_LIMIT)
    try:
        with transaction.atomic():
            return Flag.objects.create(
                comment=comment, flagged_by=by, reason=reason, note=note[:500]
            )
    except IntegrityError:
        raise CommunityError(
            _("You have already flagged this comment. Moderators will look at it.")
        ) from None


def _set_removed(comment: XtdComment, removed: bool) -> bool:
    """Hide or show a comment in one UPDATE, whose row lock decides between two moderators at
    once: True for the one call that changed it. ``is_removed`` lives on django-comments' parent
    table, so this updates that table directly: an update through XtdComment selects the ids
    first, then updates them all, and both moderators would find the comment still shown."""
    comments = XtdComment._meta.get_field("is_removed").model.objects
    return bool(comments.filter(pk=comment.pk, is_removed=not removed).update(is_removed=removed))


@_shown_on_story_pages
def hide_comment(comment: XtdComment, *, by, reason: str) -> XtdComment:
    """A moderator hides a story comment: its text leaves the story, its points are reversed,
    its flags close and its author is told why."""
    _require_moderator(by)
    reason = (reason or "").strip()
    with transaction.atomic():
        if _set_removed(comment, True):
            if comment.user_id:
                rewards.reverse(
                    comment.user,
                    COMMENT_POSTED,
                    source=comment,
                    reason=reason or _("Hidden by a moderator"),
                    by=by,
                )
            log(
                instance=comment,
                action="community.comment.hidden",
                user=by,
                data={"reason": reason},
            )
            if comment.user_id:
                target = comment.content_object
                notify(
                    [comment.user_id],
                    KIND_MODERATED,
                    text=lambda: (
                        _("A moderator hid your comment on “%(story)s”: %(reason)s")
                        % {
                            "story": getattr(target, "title", ""),
                            "reason": reason or _("no reason given"),
                        }
                    ),
                    actor=by,
                    target=comment,
                    url=queries.target_url(target, anchor="#comments"),
                )
        comment.is_removed = True
        _resolve_flags(by, Flag.ACTIONED, comment=comment)
    return comment


@_shown_on_story_pages
def restore_comment(comment: XtdComment, *, by, reason: str = "") -> XtdComment:
    _require_moderator(by)
    with transaction.atomic():
        if _set_removed(comment, False):
            log(
                instance=comment,
                action="community.comment.restored",
                user=by,
                data={"reason": reason},
            )
        comment.is_removed = False
        _resolve_flags(by, Flag.DISMISSED, comment=comment)
    return comment


@_shown_on_story_pages
def delete_comment(comment: XtdComment, *, by) -> XtdComment:
    """The author withdraws their comment; replies stay, the text shows as removed."""
    if comment.user_id != by.pk:
        raise CommunityError(_("You can only delete your own comments."))
    with transaction.atomic():
        XtdComment.objects.filter(pk=comment.pk).update(is_removed=True)
        comment.is_removed = True
        rewards.reverse(by, COMMENT_POSTED, source=comment, reason=_("Deleted"))
    return comment


# --- The moderation queue (hub.moderation) ------------------------------------------------------
def moderate_flagged_post(pk: int, action: str, *, by, reason: str = "") -> str:
    post = Post.objects.select_related("topic", "author").filter(pk=pk).first()
    if post is None:
        raise CommunityError(_("That post no longer exists."))
    if action == "hide":
        hide_post(post, by=by, reason=reason)
        return _("Post hidden; its points were reversed.")
    if action == "restore":
        restore_post(post, by=by, reason=reason)
        return _("Post restored.")
    if action == "dismiss":
        dismiss_flags(by=by, reason=reason, post=post)
        return _("Flags dismissed.")
    raise CommunityError(_("Unknown action."))


def moderate_flagged_comment(pk: int, action: str, *, by, reason: str = "") -> str:
    comment = XtdComment.objects.filter(pk=pk).first()
    if comment is None:
        raise CommunityError(_("That comment no longer exists."))
    if action == "hide":
        hide_comment(comment, by=by, reason=reason)
        return _("Comment hidden; its points were reversed.")
    if action == "restore":
        restore_comment(comment, by=by, reason=reason)
        return _("Comment restored.")
    if action == "dismiss":
        dismiss_flags(by=by, reason=reason, comment=comment)
        return _("Flags dismissed.")
    raise CommunityError(_("Unknown action."))
