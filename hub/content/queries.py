"""Read paths for brand content, shaped so each page costs a fixed number of queries."""

import datetime
import uuid

from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.utils import timezone
from taggit.models import Tag
from wagtail.images import get_image_model

from hub.content_languages import children_in_active_language, in_active_language

from .models import StoryIndexPage, StoryPage, StoryPageTag

CACHE_TTL = 300
STORY_INDEX_URL_KEY = "content:story-index-url"
TAGS_IN_USE_KEY = "content:tags-in-use"
PAGES_VERSION_KEY = "content:pages-version"


def clear_caches() -> None:
    cache.delete_many([STORY_INDEX_URL_KEY, TAGS_IN_USE_KEY])
    # Whatever is cached per version of the page tree (the sitemap) is stale from now on.
    cache.set(PAGES_VERSION_KEY, uuid.uuid4().hex, None)


def pages_version() -> str:
    version = cache.get(PAGES_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(PAGES_VERSION_KEY, version, None)
        version = cache.get(PAGES_VERSION_KEY, version)
    return version


def story_index_url() -> str | None:
    """The published story index's URL, or None while there is none (the nav hides 'Stories')."""
    url = cache.get(STORY_INDEX_URL_KEY)
    if url is None:
        index = StoryIndexPage.objects.live().public().first()
        url = (index.get_url() if index else "") or ""
        cache.set(STORY_INDEX_URL_KEY, url, CACHE_TTL)
    return url or None


def _story_cards(queryset):
    """Everything a story card shows (author, cover renditions, tags) in three extra queries."""
    images = get_image_model().objects.prefetch_renditions()
    return (
        queryset.live()
        .public()
        # Cards never show the body, the largest column by far.
        .defer_streamfields()
        .select_related("author")
        .prefetch_related(Prefetch("cover_image", queryset=images), "tags")
        .order_by("-date", "-pk")
    )


def latest_stories(limit: int = 3):
    return list(_story_cards(in_active_language(StoryPage.objects.all()))[:limit])


def stories_for_index(index_page: StoryIndexPage, *, tag: str | None = None):
    stories = children_in_active_language(index_page, StoryPage)
    if tag:
        stories = stories.filter(tags__slug=tag)
    return _story_cards(stories)


def related_stories(story: StoryPage, *, limit: int = 3):
    tag_ids = list(story.tags.values_list("pk", flat=True))
    stories = in_active_language(StoryPage.objects.filter(depth=story.depth)).exclude(
        translation_key=story.translation_key
    )
    if tag_ids:
        # A semi-join, not a join + DISTINCT, which would compare every selected column.
        tagged = StoryPageTag.objects.filter(tag_id__in=tag_ids).values("content_object_id")
        stories = stories.filter(pk__in=tagged)
    return list(_story_cards(stories)[:limit])


def tags_in_use() -> list[dict]:
    """Tags on live stories, most used first, for the index's filter."""
    tags = cache.get(TAGS_IN_USE_KEY)
    if tags is None:
        live_ids = StoryPage.objects.live().public().values("pk")
        tags = list(
            Tag.objects.filter(content_storypagetag_items__content_object__in=live_ids)
            .annotate(story_count=Count("content_storypagetag_items"))
            .order_by("-story_count", "name")
            .values("name", "slug", "story_count")[:30]
        )
        cache.set(TAGS_IN_USE_KEY, tags, CACHE_TTL)
    return tags


# --- Site search ---------------------------------------------------------------------------------
def search_stories(words: str, viewer, partial: bool = False):
    """Published, public stories matching ``words`` (the site search's "Stories")."""
    stories = StoryPage.objects.live().public()
    return stories.autocomplete(words) if partial else stories.search(words)


def story_hits(stories, words: str) -> list:
    from hub.sitesearch import Hit

    return [
        Hit(
            kind="stories",
            title=story.title,
            url=story.url,
            text=story.intro or story.search_description,
            when=timezone.make_aware(datetime.datetime.combine(story.date, datetime.time())),
        )
        for story in stories
    ]
