"""Read paths of the forum: listings, topic pages, read state and search, each a fixed number of
queries whatever the size of the forum."""

import copy
import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import InvalidPage, Paginator
from django.db import connections, router
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django_comments_xtd.models import XtdComment
from wagtail.models import ModelLogEntry, Page, Site

from hub import fragments
from hub.rewards.models import Balance
from hub.rewards.queries import standings_for, tier_for

from .models import (
    Category,
    CommunitySettings,
    Flag,
    Post,
    Reaction,
    ReadState,
    Subscription,
    Suspension,
    Topic,
)
from .rendering import render_many

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20
# Topics started this recently count as unread for a member who has not opened them.
NEW_WINDOW = timedelta(days=7)
REACTORS_SHOWN = 10


def community_settings() -> CommunitySettings:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return CommunitySettings()
    return CommunitySettings.for_site(site)


def is_moderator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("community.change_post"))


def active_suspension(user) -> Suspension | None:
    if not user or not user.is_authenticated:
        return None
    return (
        Suspension.objects.filter(user=user, lifted_at__isnull=True, until__gt=timezone.now())
        .order_by("-until")
        .first()
    )


SHOWN_SUSPENSION_SECONDS = 30


def _suspension_key(user_id) -> str:
    return f"community:suspension:{user_id}"


def shown_suspension(user) -> Suspension | None:
    """The member's active suspension as forum pages show it (the notice, the hidden buttons):
    kept in the cache for a few seconds and dropped by suspend_member and lift_suspension, so a
    page needs no query for it. Services check ``active_suspension`` itself."""
    if not user or not user.is_authenticated:
        return None
    from django.core.cache import cache

    kept = cache.get(_suspension_key(user.pk))
    if kept is None:
        kept = active_suspension(user) or 0
        cache.set(_suspension_key(user.pk), kept, SHOWN_SUSPENSION_SECONDS)
    if not kept or kept.until <= timezone.now() or kept.lifted_at is not None:
        return None
    return kept


def forget_shown_suspension(user_id) -> None:
    from django.core.cache import cache

    cache.delete(_suspension_key(user_id))


def may_start_topic(user, category: Category) -> bool:
    if not user.is_authenticated:
        return False
    if category.who_may_start == Category.STAFF:
        return user.is_staff or is_moderator(user)
    if category.who_may_start == Category.TIER and category.min_tier_id:
        if is_moderator(user):
            return True
        tier = standings_for([user.pk])[user.pk].tier
        return tier is not None and tier.threshold >= category.min_tier.threshold
    return True


class CountedPaginator(Paginator):
    """A paginator told its count by a kept counter, so a page never counts the table."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self):
        return self._known


def page_of(paginator: Paginator, number):
    try:
        return paginator.page(number or 1)
    except InvalidPage:
        raise Http404 from None


# Per category, the member's unread topics: topics they read before that have new posts, plus
# topics started recently that they have not opened, leaving out what they muted. Two index
# scans bounded by the member's own read state and the recent window, never the whole forum;
# plain SQL because it runs on every forum index a member opens, and compiling it in the ORM
# cost several times the database's work. Table names from the models, values as parameters.
_UNREAD_BY_CATEGORY_SQL = (
    "SELECT unread.category_id, COUNT(*) FROM ("  # noqa: S608
    f" SELECT t.category_id, t.id FROM {ReadState._meta.db_table} r"
    f" JOIN {Topic._meta.db_table} t ON t.id = r.topic_id"
    " WHERE r.user_id = %s AND t.hidden = %s AND t.merged_into_id IS NULL"
    " AND t.last_number > r.last_read_number"
    " UNION ALL"
    f" SELECT t.category_id, t.id FROM {Topic._meta.db_table} t"
    " WHERE t.created >= %s AND t.hidden = %s AND t.merged_into_id IS NULL"
    f" AND NOT EXISTS (SELECT 1 FROM {ReadState._meta.db_table} r"
    " WHERE r.topic_id = t.id AND r.user_id = %s)"
    ") unread"
    f" WHERE unread.category_id NOT IN (SELECT m.category_id FROM {Subscription._meta.db_table} m"
    " WHERE m.user_id = %s AND m.level = %s AND m.category_id IS NOT NULL)"
    f" AND unread.id NOT IN (SELECT m.topic_id FROM {Subscription._meta.db_table} m"
    " WHERE m.user_id = %s AND m.level = %s AND m.topic_id IS NOT NULL)"
    " GROUP BY unread.category_id"
)


def unread_by_category(user) -> dict[int, int]:
    """Per category, how many topics this member has unread (see _UNREAD_BY_CATEGORY_SQL)."""
    since = timezone.now() - NEW_WINDOW
    mute = Subscription.MUTE
    params = [user.pk, False, since, False, user.pk, user.pk, mute, user.pk, mute]
    with connections[router.db_for_read(ReadState)].cursor() as cursor:
        cursor.execute(_UNREAD_BY_CATEGORY_SQL, params)
        return dict(cursor.fetchall())


# The forum's categories with their latest topics, shared while the ``forum`` page-cache tag
# (touched by every change in the forum) keeps its version.
KEPT_CATEGORY_LISTS = fragments.FragmentCache(kept=64)


def categories_index(user) -> list[Category]:
    version = fragments.version_of("forum")
    kept = KEPT_CATEGORY_LISTS.get_or_read(
        version,
        lambda: tuple(Category.objects.select_related("last_topic", "last_topic__last_poster")),
        keep=bool(version),
    )
    categories = [copy.copy(category) for category in kept]
    unread = unread_by_category(user) if user.is_authenticated else {}
    for category in categories:
        category.unread = unread.get(category.pk, 0)
    return categories


def _with_read_state(topics: list[Topic], user) -> list[Topic]:
    states = {}
    if user.is_authenticated and topics:
        states = dict(
            ReadState.objects.filter(user=user, topic__in=[t.pk for t in topics]).values_list(
                "topic_id", "last_read_number"
            )
        )
    for topic in topics:
        read = states.get(topic.pk)
        topic.read_number = read
        topic.unread = (topic.last_number - read) if read is not None else None
        topic.is_new = read is None
    return topics


def _listing(queryset, *related):
    # A row shows its author (and its category in mixed listings), never the last poster.
    return queryset.select_related("author", *related).filter(
        hidden=False, merged_into__isnull=True
    )


# Categories by address and pages of a category's topics, shared like KEPT_TOPICS: a page of
# rows while the category's page-cache version (``category:<pk>``, touched with every change to
# one of its topics) stays the same; a category itself for FRAGMENT_SECONDS (a rename in the
# admin shows within that, as on the anonymous pages).
KEPT_CATEGORIES = fragments.FragmentCache(kept=256)
KEPT_TOPIC_ROWS = fragments.FragmentCache(kept=1024)


def category_by_slug(slug: str) -> Category:
    kept = KEPT_CATEGORIES.get_or_read(
        slug,
        lambda: Category.objects.select_related("min_tier").filter(slug=slug).first(),
        keep=fragments.enabled(),
    )
    if kept is None:
        raise Http404
    return copy.copy(kept)


def category_topics(category: Category, user, page_number):
    version = fragments.version_of(f"category:{category.pk}")

    def read():
        topics = _listing(category.topics.all()).order_by("-pinned", "-last_post_at", "-pk")
        page = page_of(
            CountedPaginator(topics, TOPICS_PER_PAGE, count=category.topic_count), page_number
        )
        return page, tuple(page.object_list)

    kept = KEPT_TOPIC_ROWS.get_or_read(
        (category.pk, version, page_number), read, keep=bool(version)
    )
    page = copy.copy(kept[0])
    rows = [copy.copy(topic) for topic in kept[1]]
    for topic in rows:
        topic.category = category  # the one category, not a copy joined into every row
    page.object_list = _with_read_state(rows, user)
    return page


def latest_topics(user, page_number, *, unanswered: bool = False):
    topics = _listing(Topic.objects.all(), "category")
    if unanswered:
        topics = topics.filter(category__kind=Category.QA, accepted_answer__isnull=True)
    elif user.is_authenticated:
        muted = Subscription.objects.filter(user=user, level=Subscription.MUTE)
        topics = topics.exclude(
            category__in=muted.filter(category__isnull=False).values("category")
        ).exclude(pk__in=muted.filter(topic__isnull=False).values("topic"))
    topics = topics.order_by("-last_post_at", "-pk")
    page = page_of(Paginator(topics, TOPICS_PER_PAGE), page_number)
    page.object_list = _with_read_state(list(page.object_list), user)
    return page


@dataclass
class TopicPage:
    number: int
    num_pages: int
    posts: list[Post]
    read_number: int | None = None
    my_reactions: set = field(default_factory=set)
    subscription: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def paginator(self):
        return self  # the pagination include reads page_obj.paginator.num_pages


def page_for_number(number: int) -> int:
    return max(1, math.ceil(number / POSTS_PER_PAGE))


def num_pages(topic: Topic) -> int:
    return page_for_number(topic.last_number)


def my_reactions(posts: list[Post], user) -> set:
    """The (post id, kind) pairs of ``user``'s own reactions to ``posts``: one query."""
    if not user.is_authenticated or not posts:
        return set()
    return set(
        Reaction.objects.filter(post__in=[p.pk for p in posts], user=user).values_list(
            "post_id", "kind"
        )
    )


def decorate_posts(posts: list[Post], user, *, mine: set | None = None) -> set:
    """Reactions (counts and who), authors' standing and the member's own reactions (unless
    given as ``mine``), in four queries for any number of posts."""
    if not posts:
        return mine or set()
    ids = [p.pk for p in posts]
    summary: dict[int, dict[str, dict]] = {pid: {} for pid in ids}
    for row in (
        Reaction.objects.filter(post__in=ids)
        .values("post_id", "kind")
        .annotate(n=Count("pk"))
        .order_by("post_id", "kind")
    ):
        summary[row["post_id"]][row["kind"]] = {"count": row["n"], "names": []}
    reacted = [pid for pid in ids if summary[pid]]
    if reacted:
        for row in (
            Reaction.objects.filter(post__in=reacted)
            .select_related("user")
            .only("post_id", "kind", "user__username", "user__display_name")
            .order_by("-created")[: REACTORS_SHOWN * len(reacted) * 2]
        ):
            names = summary[row.post_id][row.kind]["names"]
            if len(names) < REACTORS_SHOWN:
                names.append(row.user.public_name)
    if mine is None:
        mine = set()
        if user.is_authenticated and reacted:
            mine = set(
                Reaction.objects.filter(post__in=reacted, user=user).values_list("post_id", "kind")
            )
    standings = standings_for({p.author_id for p in posts if p.author_id})
    symbols = dict(Reaction.EMOJI)
    labels = dict(Reaction.CHOICES)
    for post in posts:
        post.reaction_summary = [
            {
                "kind": kind,
                "symbol": symbols[kind],
                "label": labels[kind],
                "count": data["count"],
                "names": data["names"],
                "mine": (post.pk, kind) in mine,
            }
            for kind, data in summary[post.pk].items()
        ]
        post.standing = standings.get(post.author_id)
    return mine


def decorate_comments(comments: list, user) -> None:
    """Story comments' reactions (counts, and the member's own) in two queries."""
    ids = [c.pk for c in comments]
    counts: dict[int, dict[str, int]] = {}
    for row in (
        Reaction.objects.filter(comment__in=ids)
        .values("comment_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(row["comment_id"], {})[row["kind"]] = row["n"]
    mine = set()
    if user is not None and user.is_authenticated and counts:
        mine = set(
            Reaction.objects.filter(comment__in=list(counts), user=user).values_list(
                "comment_id", "kind"
            )
        )
    labels = dict(Reaction.CHOICES)
    for comment in comments:
        comment.reaction_summary = [
            {
                "kind": kind,
                "symbol": Reaction.EMOJI[kind],
                "label": labels[kind],
                "count": n,
                "mine": (comment.pk, kind) in mine,
            }
            for kind, n in sorted(counts.get(comment.pk, {}).items())
        ]


# Topics and pages of posts as they were read, shared between requests while their topic's
# page-cache version (``topic:<pk>``, touched by every service that changes the topic or one of
# its posts) stays the same, and never longer than FRAGMENT_SECONDS (what no tag names, such as
# a renamed category or member). Each request gets its own shallow copies to decorate.
KEPT_TOPICS = fragments.FragmentCache(kept=1024)
KEPT_POST_PAGES = fragments.FragmentCache(kept=1024)


def topic_version(pk: int) -> str | None:
    """The topic's page-cache version, or None when nothing may be kept (Redis down, or kept
    pieces turned off)."""
    return fragments.version_of(f"topic:{pk}")


def _page_posts(topic: Topic, first: int, version: str | None) -> list[Post]:
    kept = KEPT_POST_PAGES.get_or_read(
        (topic.pk, version, first),
        lambda: tuple(
            Post.objects.filter(topic=topic, number__gte=first, number__lt=first + POSTS_PER_PAGE)
            .select_related("author", "reply_to", "reply_to__author")
            .order_by("number")
        ),
        keep=bool(version),
    )
    return [copy.copy(post) for post in kept]


# The member's read marker and subscription level for a topic (each row unique per member and
# topic) in one statement: table names from the models, values bound as parameters.
_READER_STATE_SQL = (
    f"SELECT (SELECT last_read_number FROM {ReadState._meta.db_table}"  # noqa: S608
    " WHERE user_id = %s AND topic_id = %s),"
    f" (SELECT level FROM {Subscription._meta.db_table} WHERE user_id = %s AND topic_id = %s)"
)


def _reader_state(topic: Topic, user) -> tuple:
    """(read marker, subscription level). Plain SQL: this runs on every topic page a member
    reads, and compiling two correlated subqueries in the ORM cost more than the database's
    work."""
    with connections[router.db_for_read(ReadState)].cursor() as cursor:
        cursor.execute(_READER_STATE_SQL, [user.pk, topic.pk, user.pk, topic.pk])
        return cursor.fetchone() or (None, None)


def topic_page(
    topic: Topic, user, page_number: int, *, decorate: bool = True, version: str | None = None
) -> TopicPage:
    """A page of the topic's posts; ``decorate=False`` leaves reactions and standings to the
    caller (community.fragments decorates only the posts it has to render). With the topic's
    ``version`` the posts are read once per version (see KEPT_POST_PAGES)."""
    pages = num_pages(topic)
    if page_number < 1 or page_number > pages:
        raise Http404
    first = (page_number - 1) * POSTS_PER_PAGE + 1
    posts = _page_posts(topic, first, version)
    if decorate:
        decorate_posts(posts, user)
    page = TopicPage(number=page_number, num_pages=pages, posts=posts)
    if user.is_authenticated:
        page.read_number, subscription = _reader_state(topic, user)
        page.subscription = subscription or ""
    return page


def posts_after(
    topic: Topic, user, after: int, limit: int = POSTS_PER_PAGE, *, decorate: bool = True
) -> list[Post]:
    posts = list(
        Post.objects.filter(topic=topic, number__gt=after)
        .select_related("author", "reply_to", "reply_to__author")
        .order_by("number")[:limit]
    )
    if decorate:
        decorate_posts(posts, user)
    return posts


def subscription_level(user, *, topic=None, category=None) -> str:
    if not user.is_authenticated:
        return ""
    if topic is not None:
        return (
            Subscription.objects.filter(user=user, topic=topic)
            .values_list("level", flat=True)
            .first()
            or ""
        )
    return (
        Subscription.objects.filter(user=user, category=category)
        .values_list("level", flat=True)
        .first()
        or ""
    )


def first_unread_number(topic: Topic, user) -> int:
    read = (
        ReadState.objects.filter(user=user, topic=topic)
        .values_list("last_read_number", flat=True)
        .first()
        if user.is_authenticated
        else None
    )
    if read is None:
        return 1
    return min(read + 1, topic.last_number)


def visible_topic(pk: int, user, *, version: str | None = None) -> Topic:
    """The topic, unless it is hidden from ``user``. With the topic's ``version`` (topic_version)
    it is read once per version and each caller gets its own copy."""
    kept = KEPT_TOPICS.get_or_read(
        (pk, version),
        lambda: (
            Topic.objects.select_related("category", "author", "accepted_answer__author")
            .filter(pk=pk)
            .first()
        ),
        keep=bool(version),
    )
    topic = copy.copy(kept) if kept is not None else None
    # A merged topic stays reachable, so its old links can lead on to the topic it joined.
    if topic is None or (topic.hidden and not topic.merged_into_id and not is_moderator(user)):
        raise Http404
    return topic


def search_posts(query: str):
    """Visible posts matching ``query`` in their words or their topic's title, best first."""
    from wagtail.search.backends import get_search_backend

    return get_search_backend().search(
        query, Post.objects.filter(hidden=False, deleted_at__isnull=True)
    )


def search_topics(query: str, partial: bool = False):
    from wagtail.search.backends import get_search_backend

    topics = Topic.objects.filter(hidden=False)
    backend = get_search_backend()
    return backend.autocomplete(query, topics) if partial else backend.search(query, topics)


# --- Story comments ------------------------------------------------------------------------------
# Where a comment sits on its story's page: django-comments' own anchor pattern, which the story
# template gives each comment as its id.
COMMENT_ANCHOR = "#c{pk}"
THREAD_SHOWN = 50


def comment_targets(comments) -> dict[int, object]:
    """What each comment is on (a story page), by comment pk: one query per kind of target."""
    wanted: dict[int, set[str]] = {}
    for comment in comments:
        wanted.setdefault(comment.content_type_id, set()).add(comment.object_pk)
    found: dict[tuple[int, str], object] = {}
    for content_type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:  # its app was removed
            continue
        for target in model._default_manager.filter(pk__in=pks):
            found[(content_type_id, str(target.pk))] = target
    return {c.pk: found.get((c.content_type_id, c.object_pk)) for c in comments}


def comment_url(comment, target=None) -> str:
    """The comment on the site: its story's page, scrolled to the comment ("" if the story is gone).

    django-comments builds this link through its own redirect view, whose URLconf is not
    mounted here (members post, flag and delete comments through the community views, with their
    limits and checks), so hub.settings points XtdComment.get_absolute_url at this function.
    """
    if target is None:
        target = comment.content_object
    return target_url(target, anchor=COMMENT_ANCHOR.format(pk=comment.pk))


def target_url(target, *, anchor: str = "") -> str:
    """Where what a comment is on shows on the site ("" when nowhere): a page's URL, or any
    other object's get_absolute_url(); ``anchor`` is added to it."""
    if target is None:
        return ""
    url = target.get_url() if isinstance(target, Page) else target.get_absolute_url()
    return f"{url}{anchor}" if url else ""


def comment_thread(comment) -> tuple[list, int]:
    """The conversation a comment belongs to, in thread order, with each comment's HTML (hidden
    ones too: moderators read them), and how many more there are than THREAD_SHOWN. Two queries."""
    thread = XtdComment.norel_objects.filter(thread_id=comment.thread_id).select_related("user")
    total = thread.count()
    shown = list(thread.order_by("order")[:THREAD_SHOWN])
    if comment.pk not in {c.pk for c in shown}:
        shown.append(comment)
    for item, html in zip(shown, render_many([c.comment for c in shown]), strict=True):
        item.html = mark_safe(html)  # noqa: S308  (sanitized by hub.markup)
    return shown, max(0, total - len(shown))


# --- Moderation --------------------------------------------------------------------------------
def open_flags():
    return Flag.objects.filter(state=Flag.OPEN)


@dataclass
class MemberRecord:
    """What moderators weigh before deciding on a member's post or comment."""

    user: object
    joined: object
    tier: object
    lifetime: int
    posts: int
    comments: int
    hidden_posts: int
    hidden_comments: int
    suspension: Suspension | None

    @property
    def hidden(self) -> int:
        return self.hidden_posts + self.hidden_comments


def hidden_comment_counts(user_ids) -> dict[int, int]:
    """How many of each member's comments a moderator hid and left hidden: two queries."""
    removed = dict(
        XtdComment.objects.filter(user_id__in=user_ids, is_removed=True).values_list(
            "pk", "user_id"
        )
    )
    if not removed:
        return {}
    counts: dict[int, int] = {}
    for object_id in (
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(XtdComment),
            action="community.comment.hidden",
            object_id__in=[str(pk) for pk in removed],
        )
        .values_list("object_id", flat=True)
        .distinct()
    ):
        author = removed[int(object_id)]
        counts[author] = counts.get(author, 0) + 1
    return counts


def hidden_post_counts(user_ids) -> dict[int, int]:
    return dict(
        Post.objects.filter(author_id__in=user_ids, hidden=True)
        .values("author")
        .annotate(n=Count("pk"))
        .values_list("author", "n")
    )


def suspended_ids(user_ids) -> set[int]:
    return set(
        Suspension.objects.filter(
            user_id__in=user_ids, lifted_at__isnull=True, until__gt=timezone.now()
        ).values_list("user_id", flat=True)
    )


def member_record(user) -> MemberRecord | None:
    """A member's standing and moderation record, for the review page: seven queries."""
    if user is None:
        return None
    lifetime = Balance.objects.filter(user=user).values_list("lifetime", flat=True).first() or 0
    return MemberRecord(
        user=user,
        joined=user.date_joined,
        tier=tier_for(lifetime),
        lifetime=lifetime,
        posts=Post.objects.filter(author=user, deleted_at__isnull=True).count(),
        comments=XtdComment.objects.filter(user=user).count(),
        hidden_posts=hidden_post_counts([user.pk]).get(user.pk, 0),
        hidden_comments=hidden_comment_counts([user.pk]).get(user.pk, 0),
        suspension=active_suspension(user),
    )


def revisions_of(post: Post):
    return post.revisions.select_related("edited_by")


DASHBOARD_CACHE_KEY = "community:dashboard"
DASHBOARD_TTL = 300


def dashboard() -> dict:
    """Figures for the admin home: the forum's last seven days and what waits for moderators.
    Five aggregate queries, cached for five minutes."""
    from django.core.cache import cache

    figures = cache.get(DASHBOARD_CACHE_KEY)
    if figures is None:
        since = timezone.now() - timedelta(days=7)
        posts = Post.objects.filter(created__gte=since, deleted_at__isnull=True, hidden=False)
        figures = {
            "topics_week": Topic.objects.filter(created__gte=since, hidden=False).count(),
            "posts_week": posts.count(),
            "authors_week": posts.values("author").distinct().count(),
            "unanswered": Topic.objects.filter(
                category__kind=Category.QA, accepted_answer__isnull=True, hidden=False
            ).count(),
            "open_flags": open_flags().count(),
        }
        cache.set(DASHBOARD_CACHE_KEY, figures, DASHBOARD_TTL)
    return figures


# --- Site search ---------------------------------------------------------------------------------
def topic_hits(topics, words: str) -> list:
    """Topics as site-search hits, with their category's name (one query)."""
    from hub.sitesearch import Hit

    categories = dict(
        Category.objects.filter(pk__in={t.category_id for t in topics}).values_list("pk", "name")
    )
    return [
        Hit(
            kind="topics",
            title=topic.title,
            url=topic.get_absolute_url(),
            when=topic.last_post_at,
            meta=categories.get(topic.category_id, ""),
        )
        for topic in topics
    ]


def post_hits(posts, words: str) -> list:
    """Posts as site-search hits titled by their topic; a post of a topic hidden since is None."""
    from django.utils.html import strip_tags

    from hub.sitesearch import Hit

    topics = Topic.objects.filter(pk__in={p.topic_id for p in posts}, hidden=False).in_bulk()
    return [
        Hit(
            kind="posts",
            title=topics[post.topic_id].title,
            url=post.get_absolute_url(),
            text=strip_tags(post.html),
            when=post.created,
        )
        if post.topic_id in topics
        else None
        for post in posts
    ]
