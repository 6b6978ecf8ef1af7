"""Forum factories: categories, topics with posts, stored directly (no services, no limits)."""

from django.utils import timezone

from community.models import Category, Post, Topic


def make_category(slug="help", **fields) -> Category:
    fields.setdefault("name", slug.replace("-", " ").title())
    return Category.objects.create(slug=slug, **fields)


def make_topic(category, author, *, title="A topic", posts=1, poster=None) -> Topic:
    """A topic with ``posts`` posts (the first by ``author``, the rest by ``poster``)."""
    now = timezone.now()
    topic = Topic.objects.create(
        category=category,
        title=title,
        slug="a-topic",
        author=author,
        last_number=posts,
        reply_count=posts - 1,
        last_post_at=now,
        last_poster=poster or author,
    )
    Post.objects.bulk_create(
        [
            Post(
                topic=topic,
                number=n,
                author=author if n == 1 else (poster or author),
                body=f"Post number {n}",
                html=f"<p>Post number {n}</p>",
            )
            for n in range(1, posts + 1)
        ],
        batch_size=2000,
    )
    Category.objects.filter(pk=category.pk).update(
        topic_count=category.topic_count + 1, post_count=category.post_count + posts
    )
    category.refresh_from_db()
    return topic
