"""Benchmark data for the forum: 50 categories, 100,000 topics and 1,000,000 posts at scale 1.0,
one topic holding 10,000 of them; the pages the bench times; and a probe timing a reply.

Rows go in with bulk_create in batches (no save(), no signals, no search indexing), and the
kept counters are written with the rows, so the pages read them as they would in production.
"""

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hub.bench import (
    BENCH_PASSWORD,
    register_bench_page,
    register_bench_probe,
    register_bench_seeder,
    register_throughput_page,
)

from .models import Category, Post, Topic

CATEGORIES = 50
TOPICS = 100_000
POSTS = 1_000_000
BIG_TOPIC_POSTS = 10_000
MIN_BIG_TOPIC_POSTS = 60  # three pages, even at a tiny scale
AUTHORS = 500
BATCH = 5_000
PREFIX = "bench-forum-"
BIG_TITLE = "Bench: the very long topic"
# One long conversation under a bench story, its last comment flagged: the comment review page's
# worst case (it shows the conversation around the comment).
STORY_COMMENTS = 200
BODY = "A benchmark post with **some** Markdown and a [link](https://example.com)."
HTML = (
    "<p>A benchmark post with <strong>some</strong> Markdown and a "
    '<a href="https://example.com" rel="nofollow ugc noopener">link</a>.</p>'
)


def _authors(count: int) -> list[int]:
    User = get_user_model()
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have < count:
        password = make_password(BENCH_PASSWORD)
        User.objects.bulk_create(
            [
                User(
                    username=f"{PREFIX}{n:04d}",
                    email=f"{PREFIX}{n}@example.com",
                    display_name=f"Forum member {n}",
                    password=password,
                )
                for n in range(have + 1, count + 1)
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    return list(
        User.objects.filter(username__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)
    )[:count]


def _categories(count: int) -> list[Category]:
    have = {c.slug for c in Category.objects.filter(slug__startswith="bench-")}
    Category.objects.bulk_create(
        [
            Category(slug=f"bench-{n:02d}", name=f"Bench category {n}", order=100 + n)
            for n in range(1, count + 1)
            if f"bench-{n:02d}" not in have
        ]
    )
    return list(Category.objects.filter(slug__startswith="bench-").order_by("slug"))[:count]


def _add_topics(
    category: Category, topics: int, posts_each: int, authors: list[int], start: int, now
):
    """``topics`` topics of ``posts_each`` posts in ``category``; returns posts added."""
    added = 0
    made = []
    for n in range(topics):
        when = now - timedelta(minutes=start + n)
        made.append(
            Topic(
                category=category,
                title=f"Bench topic {start + n} in {category.name}",
                slug=f"bench-topic-{start + n}",
                author_id=authors[(start + n) % len(authors)],
                last_poster_id=authors[(start + n + posts_each) % len(authors)],
                created=when - timedelta(days=1),
                last_post_at=when,
                last_number=posts_each,
                reply_count=posts_each - 1,
            )
        )
    made = Topic.objects.bulk_create(made, batch_size=BATCH)
    buffer = []
    for topic in made:
        for number in range(1, posts_each + 1):
            buffer.append(
                Post(
                    topic=topic,
                    number=number,
                    author_id=authors[(topic.pk + number) % len(authors)],
                    body=BODY,
                    html=HTML,
                    created=topic.created + timedelta(minutes=number),
                )
            )
            if len(buffer) >= BATCH:
                Post.objects.bulk_create(buffer, batch_size=BATCH)
                added += len(buffer)
                buffer = []
    if buffer:
        Post.objects.bulk_create(buffer, batch_size=BATCH)
        added += len(buffer)
    return made, added


def seed_bench_forum(log, scale: float) -> None:
    started = time.monotonic()
    categories = _categories(max(2, round(CATEGORIES * scale)))
    authors = _authors(max(5, round(AUTHORS * scale)))
    topics_target = max(len(categories) * 2, round(TOPICS * scale))
    posts_target = max(topics_target * 2, round(POSTS * scale))
    big_posts = max(MIN_BIG_TOPIC_POSTS, round(BIG_TOPIC_POSTS * scale))
    now = timezone.now()
    if not Topic.objects.filter(title=BIG_TITLE).exists():
        with transaction.atomic():
            made, added = _add_topics(categories[0], 1, big_posts, authors, 0, now)
            Topic.objects.filter(pk=made[0].pk).update(title=BIG_TITLE, slug="bench-long")
        log(f"forum: long topic with {added} posts")
    existing = Topic.objects.filter(category__in=categories).count()
    missing = topics_target - existing
    if missing > 0:
        posts_each = max(1, (posts_target - big_posts) // topics_target)
        per_category = -(-missing // len(categories))
        done = 0
        for category in categories:
            count = min(per_category, missing - done)
            if count <= 0:
                break
            with transaction.atomic():
                _add_topics(category, count, posts_each, authors, existing + done + 1, now)
            done += count
        log(f"forum: {done} topics of {posts_each} posts")
    _recount(categories)
    _seed_story_conversation(authors, log, scale)
    log(f"forum seeded in {time.monotonic() - started:.0f} s")


def _bench_story():
    from hub.content.models import StoryPage

    return StoryPage.objects.live().order_by("-pk").first()


def _seed_story_conversation(authors: list[int], log, scale: float) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django_comments_xtd.models import XtdComment

    from . import services
    from .models import Flag

    story = _bench_story()
    if story is None:
        return
    on_story = XtdComment.objects.filter(
        content_type=ContentType.objects.get_for_model(story), object_pk=str(story.pk)
    )
    if on_story.exists():
        return
    members = list(get_user_model().objects.filter(pk__in=authors[:10]).order_by("pk"))
    first, comment = None, None
    for n in range(max(10, round(STORY_COMMENTS * scale))):
        comment = services.post_comment(
            by=members[n % len(members)],
            target=story,
            body=f"Bench comment {n} with *a little* Markdown.",
            parent=first,
            followup=False,
            enforce_limits=False,
        )
        first = first or comment
    flagger = next(m for m in members if m.pk != comment.user_id)
    services.flag_comment(comment, by=flagger, reason=Flag.SPAM, note="Bench flag")
    log(f"story comments: a conversation of {on_story.count()} on “{story.title}”")


def _flagged_comment_review_url() -> str | None:
    from .models import Flag

    flag = Flag.objects.filter(comment__isnull=False, note="Bench flag").order_by("-pk").first()
    return reverse("community_review_comment", args=[flag.comment_id]) if flag else None


def _recount(categories) -> None:
    """Write each category's kept counters and latest topic from what exists."""
    from django.db.models import Count, Max, Sum

    rows = (
        Topic.objects.filter(category__in=categories, hidden=False)
        .values("category")
        .annotate(topics=Count("pk"), posts=Sum("last_number"), latest=Max("last_post_at"))
    )
    for row in rows:
        last = (
            Topic.objects.filter(category_id=row["category"])
            .order_by("-last_post_at")
            .values_list("pk", flat=True)
            .first()
        )
        Category.objects.filter(pk=row["category"]).update(
            topic_count=row["topics"],
            post_count=row["posts"] or 0,
            last_post_at=row["latest"],
            last_topic_id=last,
        )


def _big_topic() -> Topic | None:
    return Topic.objects.filter(title=BIG_TITLE).first()


def _topic_url(last: bool):
    def url():
        from .queries import num_pages

        topic = _big_topic()
        if topic is None:
            return None
        page = num_pages(topic) if last else 1
        return f"{topic.get_absolute_url()}?page={page}"

    return url


def _category_url():
    category = Category.objects.filter(slug="bench-02").first() or Category.objects.first()
    return category.get_absolute_url() if category else None


def _reply_many(samples: int) -> list[float]:
    from django.db import connections

    from . import services

    topic = _big_topic()
    User = get_user_model()
    authors = list(User.objects.filter(username__startswith=PREFIX)[:20])
    durations = []
    try:
        for n in range(samples):
            started = time.perf_counter()
            services.create_reply(
                by=authors[n % len(authors)],
                topic=Topic.objects.get(pk=topic.pk),
                body=f"Bench reply {n} with a little **Markdown**.",
                enforce_limits=False,  # the bench measures the write, not the rate limit
            )
            durations.append(time.perf_counter() - started)
    finally:
        connections.close_all()
    return durations


async def measure_reply_posting(samples: int):
    """create_reply() on the 10,000-post topic of a 1,000,000-post forum."""
    from asgiref.sync import sync_to_async

    from hub.bench import ProbeResult

    topic = await sync_to_async(_big_topic)()
    if topic is None:
        return [ProbeResult(name="forum reply posting", error="no bench forum: seed first")]
    durations = await sync_to_async(_reply_many, thread_sensitive=False)(min(samples, 200))
    return [ProbeResult(name="forum reply posting", durations=durations)]


# --- The throughput phase's forum: the data shape django-machina is loaded with beside it ----------
# (hub/benchkit/machina.py seeds the same: one category, 200 topics of 5 posts, one of 50 posts.)
THROUGHPUT_SLUG = "throughput"
THROUGHPUT_TOPICS = 200
THROUGHPUT_POSTS_EACH = 5
THROUGHPUT_LONG_POSTS = 50
THROUGHPUT_LONG_TITLE = "Throughput: a topic of 50 posts"


def seed_throughput_forum(log, scale: float) -> None:
    """One category of 200 topics of 5 posts and one topic of 50 (at any scale): small, so the
    throughput phase needs none of the large data sets."""
    category, created = Category.objects.get_or_create(
        slug=THROUGHPUT_SLUG, defaults={"name": "Throughput bench", "order": 99}
    )
    if Topic.objects.filter(category=category).exists():
        return
    authors = _authors(20)
    now = timezone.now()
    # Topic slugs from 2,000,000 on, clear of the large forum's bench-topic-N.
    _, added = _add_topics(
        category, THROUGHPUT_TOPICS, THROUGHPUT_POSTS_EACH, authors, 2_000_001, now
    )
    made, long_added = _add_topics(category, 1, THROUGHPUT_LONG_POSTS, authors, 2_000_000, now)
    Topic.objects.filter(pk=made[0].pk).update(title=THROUGHPUT_LONG_TITLE, slug="throughput-long")
    _recount([category])
    log(f"throughput forum: {THROUGHPUT_TOPICS + 1} topics, {added + long_added} posts")


def _throughput_category_url() -> str | None:
    category = Category.objects.filter(slug=THROUGHPUT_SLUG).first()
    return category.get_absolute_url() if category else None


def _throughput_topic_url() -> str | None:
    topic = Topic.objects.filter(title=THROUGHPUT_LONG_TITLE).first()
    return topic.get_absolute_url() if topic else None


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_seeder("community", seed_bench_forum, order=60)
register_bench_page("forum index", lambda: reverse("community:index"), as_user="member", order=40)
register_bench_page("forum category", _category_url, as_user="member", order=41)
register_bench_page("forum latest", lambda: reverse("community:latest"), as_user="member", order=42)
register_bench_page("forum topic (first page)", _topic_url(False), as_user="member", order=43)
register_bench_page("forum topic (last page)", _topic_url(True), as_user="member", order=44)
register_bench_page(
    "story comment review (admin)", _flagged_comment_review_url, as_user="superuser", order=82
)
register_bench_probe("forum reply posting", measure_reply_posting)
register_bench_seeder("throughput forum", seed_throughput_forum, order=61)
register_throughput_page("forum index", lambda: reverse("community:index"), order=30)
register_throughput_page("forum category", _throughput_category_url, order=31)
register_throughput_page("forum topic (50 posts)", _throughput_topic_url, order=32)
