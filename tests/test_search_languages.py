"""Forum and site search in every language: Georgian and Armenian words are found (SQLite FTS5
and PostgreSQL alike), and on PostgreSQL each reader's language stems where it can."""

import pytest
from django.urls import reverse

from community import services as community
from hub.search import text_search_config
from tests.community.factories import make_category
from tests.conftest import on_postgres
from tests.factories import UserFactory, make_story

pytestmark = pytest.mark.django_db

GEORGIAN = "ლაშქრობა"  # a hike
ARMENIAN = "արշավ"  # a hike


@pytest.fixture
def forum(site_tree, settings):
    settings.COMMUNITY_LIMITS_ENABLED = False
    author = UserFactory(username="nino", language="ka")
    category = make_category()
    georgian = community.create_topic(
        by=author,
        category=category,
        title=f"{GEORGIAN} მთებში",
        body=f"ვინ წამოვა {GEORGIAN} შაბათს?",
        enforce_limits=False,
    )
    armenian = community.create_topic(
        by=author,
        category=category,
        title=f"{ARMENIAN} լեռներում",
        body=f"Ով է գալիս {ARMENIAN} շաբաթ օրը",
        enforce_limits=False,
    )
    return georgian, armenian


@pytest.mark.parametrize(("lang", "word", "which"), [("ka", GEORGIAN, 0), ("hy", ARMENIAN, 1)])
def test_forum_search_finds_georgian_and_armenian_words(client, forum, lang, word, which):
    topic = forum[which]
    post_url = reverse("community:post", args=[topic.posts.get().pk])

    for prefix in ("", f"/{lang}"):
        html = client.get(f"{prefix}/community/search/", {"q": word}).content.decode()
        assert post_url in html, prefix
    other = forum[1 - which]
    html = client.get("/community/search/", {"q": word}).content.decode()
    assert reverse("community:post", args=[other.posts.get().pk]) not in html


@pytest.mark.parametrize(("lang", "word"), [("ka", GEORGIAN), ("hy", ARMENIAN)])
def test_site_search_finds_georgian_and_armenian_words(client, site_tree, lang, word):
    _, stories = site_tree
    story = make_story(stories, title=f"{word} 2026", intro=f"{word} — {lang}")

    html = client.get(f"/{lang}/search/", {"q": word}).content.decode()

    assert story.url in html


def test_each_language_searches_with_its_own_configuration_or_simple():
    if not on_postgres():
        pytest.skip("text-search configurations are PostgreSQL's")
    assert text_search_config("fi") == "finnish"
    assert text_search_config("fr") == "french"
    assert text_search_config("en") == "english"
    for lang in ("ka", "he", "af"):
        assert text_search_config(lang) == "simple"


def test_a_finnish_reader_finds_an_inflected_finnish_word(client, site_tree):
    """On PostgreSQL the Finnish configuration stems: "takkia" finds "takki" and "takit"."""
    if not on_postgres():
        pytest.skip("stemming per language is PostgreSQL's")
    from wagtail.models import Locale

    _, stories = site_tree
    story = make_story(stories, title="Takit talveen", intro="Lämmin takki")
    story.locale = Locale.objects.get(language_code="fi")
    story.save(update_fields=["locale"])
    from wagtail.search.backends import get_search_backend

    get_search_backend().add(story)

    html = client.get("/fi/search/", {"q": "takkia"}).content.decode()
    assert story.title in html


def test_indexing_still_works_after_many_searches(site_tree):
    """Every search builds a backend; on PostgreSQL each used to wrap the indexer once more, until
    indexing hit Python's recursion limit after about a thousand searches."""
    from wagtail.search.backends import get_search_backend

    from community.models import Topic

    for _ in range(1_200):
        get_search_backend()
    author = UserFactory(username="writer")
    community.create_topic(
        by=author,
        category=make_category("many"),
        title="Resilient indexing",
        body="Still found after many searches.",
        enforce_limits=False,
    )
    assert list(get_search_backend().search("resilient", Topic.objects.all()))
