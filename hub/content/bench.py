"""Benchmark data for brand content: 1,000 live stories under the story index, and its pages.

Adding 1,000 pages one by one with ``add_child`` and a published revision takes minutes, so the
stories are inserted the way ``loaddata`` inserts pages: the base ``Page`` rows in one bulk
insert with tree paths computed here, then each ``StoryPage`` row with ``save_base(raw=True)``.
The stories are live without revisions (like pages created by ``add_child`` alone); the search
index and reference index, which raw saves skip, are filled in bulk afterwards.
"""

import datetime
import random
import uuid
from io import BytesIO

from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import Max, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex
from wagtail.rich_text import RichText
from wagtail.search.backends import get_search_backends

from hub.accounts.models import User
from hub.bench import (
    USERNAME_PREFIX,
    register_bench_page,
    register_bench_seeder,
    register_throughput_page,
)
from hub.imagegen import landscape

from .models import StoryIndexPage, StoryPage, StoryPageTag
from .queries import clear_caches, story_index_url

STORIES = 1_000
COVERS = 20
AUTHORS = 200
SLUG_PREFIX = "bench-story-"
COVER_TITLE = "Bench cover {:02d}"
TAGS = [
    "guides", "community", "product", "announcements", "stories", "sustainability",
    "trail running", "camping", "climbing", "winter", "repairs", "photography",
    "family", "gear tests", "routes", "meetups",
]  # fmt: skip
FILTER_TAG = "camping"
STORY_NUMBER = STORIES // 2
ADJECTIVES = ["Quiet", "Wild", "Long", "Early", "Windy", "Hidden", "Frozen", "Golden", "Muddy"]
PLACES = ["ridge", "valley", "coast", "forest", "canyon", "lake", "summit", "moor", "glacier"]
THEMES = ["trail notes", "a packing list", "lessons learned", "a gear test", "a family weekend"]
SENTENCES = [
    "We set off before sunrise with a light pack and a heavy thermos.",
    "The trail climbed steadily through pine forest before opening onto the ridge.",
    "Members tested the new shell in sideways rain and sent us pages of notes.",
    "Our repair team has seen this zip fail before, and now it will not.",
    "Carry less, enjoy more: every gram you leave at home is a gram you never lift.",
    "The community meetup turned into a clean-up day with forty volunteers.",
]


def bench_story_slug(number: int) -> str:
    return f"{SLUG_PREFIX}{number:04d}"


def seed_bench_stories(log, scale: float) -> None:
    index = StoryIndexPage.objects.first()
    if index is None:
        raise RuntimeError("no story index: the content demo seeder creates it, run it first")
    target = max(1, round(STORIES * scale))
    existing = set(
        StoryPage.objects.child_of(index)
        .filter(slug__startswith=SLUG_PREFIX)
        .values_list("slug", flat=True)
    )
    missing = [n for n in range(1, target + 1) if bench_story_slug(n) not in existing]
    if not missing:
        log(f"{len(existing)} stories exist")
        return
    covers = _covers(log)
    authors = list(
        User.objects.filter(username__startswith=USERNAME_PREFIX)
        .order_by("username")
        .values_list("pk", flat=True)[:AUTHORS]
    )
    tags = _tags()
    with transaction.atomic():
        stories = _insert_stories(index, missing, covers=covers, authors=authors, tags=tags)
        _index_stories(stories)
    clear_caches()
    log(f"created {len(stories)} stories ({len(existing) + len(stories)} in all)")


def _covers(log) -> list:
    """About twenty cover images, shared by all stories the way real editors reuse photos."""
    Image = get_image_model()
    titles = [COVER_TITLE.format(n) for n in range(1, COVERS + 1)]
    images = {image.title: image for image in Image.objects.filter(title__in=titles)}
    for number, title in enumerate(titles, start=1):
        if title not in images:
            images[title] = Image.objects.create(
                title=title,
                file=ImageFile(BytesIO(landscape(1000 + number)), name=f"bench-cover-{number}.jpg"),
            )
            log(f"drew {title}")
    return [images[title] for title in titles]


def _tags() -> list[Tag]:
    tags = []
    for name in TAGS:
        tag = Tag.objects.filter(name__iexact=name).first()
        tags.append(tag or Tag.objects.create(name=name))
    return tags


def _insert_stories(index, numbers, *, covers, authors, tags) -> list[StoryPage]:
    # New children continue after the index's highest path step, as add_child would place them.
    depth = index.depth + 1
    last_path = Page.objects.filter(path__startswith=index.path, depth=depth).aggregate(
        Max("path")
    )["path__max"]
    step = Page._str2int(last_path[-Page.steplen :]) if last_path else 0
    today = timezone.localdate()
    stories = []
    for number in numbers:
        step += 1
        rng = random.Random(number)
        slug = bench_story_slug(number)
        title = (
            f"{rng.choice(ADJECTIVES)} {rng.choice(PLACES)}: {rng.choice(THEMES)} (No. {number})"
        )
        date = today - datetime.timedelta(days=number)
        published = timezone.make_aware(datetime.datetime.combine(date, datetime.time(9)))
        cover = covers[number % len(covers)]
        stories.append(
            StoryPage(
                title=title,
                draft_title=title,
                slug=slug,
                path=Page._get_path(index.path, depth, step),
                depth=depth,
                numchild=0,
                url_path=f"{index.url_path}{slug}/",
                locale_id=index.locale_id,
                translation_key=uuid.uuid4(),
                live=True,
                has_unpublished_changes=False,
                first_published_at=published,
                last_published_at=published,
                date=date,
                author_id=authors[number % len(authors)] if authors else None,
                cover_image=cover,
                intro=" ".join(rng.sample(SENTENCES, 2)),
                body=_body(title, cover, rng),
            )
        )
    page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    pages = Page.objects.bulk_create(
        [Page(**{f.attname: getattr(story, f.attname) for f in page_fields}) for story in stories]
    )
    story_tags = []
    for number, story, page in zip(numbers, stories, pages, strict=True):
        story.id = story.page_ptr_id = page.pk
        # raw=True: insert only the StoryPage row, as loaddata does for multi-table inheritance.
        story.save_base(raw=True, force_insert=True)
        rng = random.Random(-number)
        story_tags += [
            StoryPageTag(content_object_id=story.pk, tag=tag)
            for tag in rng.sample(tags, rng.randint(1, 3))
        ]
    StoryPageTag.objects.bulk_create(story_tags)
    Page.objects.filter(pk=index.pk).update(
        numchild=Page.objects.filter(path__startswith=index.path, depth=depth).count()
    )
    return stories


def _body(title: str, cover, rng: random.Random):
    paragraphs = [" ".join(rng.sample(SENTENCES, 3)) for _ in range(3)]
    return [
        ("paragraph", RichText(f"<p>{paragraphs[0]}</p>")),
        ("heading", {"text": "On the trail", "level": "h2"}),
        ("paragraph", RichText(f"<p>{paragraphs[1]}</p>")),
        ("image", {"image": cover, "caption": title, "alt_text": ""}),
        ("paragraph", RichText(f"<p>{paragraphs[2]}</p>")),
    ]


def _index_stories(stories: list[StoryPage]) -> None:
    """What a normal save would have done: search entries and image references.

    The in-memory stories already hold their body's images; prefetching their tags and comments
    leaves two queries per story, both in ReferenceIndex.
    """
    prefetch_related_objects(stories, "tags", "tagged_items", "wagtail_admin_comments")
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(StoryPage, stories)
    for story in stories:
        ReferenceIndex.create_or_update_for_object(story)


def story_url() -> str | None:
    story = StoryPage.objects.filter(slug=bench_story_slug(STORY_NUMBER)).first()
    story = story or StoryPage.objects.live().order_by("-pk").first()
    return story.url if story else None


def _index_path(suffix: str = ""):
    def url() -> str | None:
        index = story_index_url()
        return f"{index}{suffix}" if index else None

    return url


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_seeder("content", seed_bench_stories, order=20)
register_bench_page("home", "/", order=10)
register_bench_page("story index", _index_path(), order=20)
register_bench_page("story index p.40", _index_path("?page=40"), order=21)
register_bench_page("tag filter", _index_path(f"?tag={FILTER_TAG}"), order=22)
register_bench_page("story", story_url, order=30)
register_bench_page("RSS feed", _index_path("feed/"), order=40)
register_bench_page("search", lambda: reverse("search") + "?q=trail", order=50)
register_bench_page(
    "search, one kind", lambda: reverse("search") + "?q=trail&kind=stories", order=51
)
register_bench_page("search suggestions", lambda: reverse("search_suggest") + "?q=tra", order=52)
register_throughput_page("home", "/", order=10)
register_throughput_page("story", story_url, order=20)
