"""The shared page cache (hub/pagecache.py): anonymous readers get cached pages that every change
drops at once, members never get a shared page and get 304s, and nothing private leaks."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from community import services as forum
from community.models import Post
from events import services as event_services
from feedback import services as feedback
from hub import pagecache
from tests import factories
from tests.community.factories import make_category, make_topic
from tests.events.factories import build_event_index, make_event
from tests.feedback.factories import ProductFactory, make_idea

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGECACHE_ENABLED = True
    # One server, one clock: no slack needed after a change (production allows a second).
    settings.PAGECACHE_CLOCK_SLACK = 0


@pytest.fixture
def ana(db):
    return factories.UserFactory(username="ana", display_name="Ana Souza")


@pytest.fixture
def ben(db):
    return factories.UserFactory(username="ben", display_name="Ben Okafor")


@pytest.fixture
def limits(site_tree):
    from wagtail.models import Site

    from community.models import CommunitySettings

    settings = CommunitySettings.for_site(Site.objects.get(is_default_site=True))
    settings.new_member_posts = 0
    settings.posts_per_hour = 1000
    settings.posts_per_day = 1000
    settings.save()
    return settings


@pytest.fixture
def topic(site_tree, ana, limits):
    category = make_category("trail-talk", name="Trail talk")
    return make_topic(category, ana, title="Tent pegs", posts=3)


def member(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def warm(client, url):
    """Request ``url`` until the cache answers it (the first render stores it)."""
    for _attempt in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.headers.get("X-Page-Cache") == "hit":
            return response
    raise AssertionError(f"{url} was never answered from the cache: {response.headers}")


# --- Anonymous readers -------------------------------------------------------------------------
def test_anonymous_topic_page_comes_from_the_cache_without_queries(
    client, topic, django_assert_max_num_queries
):
    url = topic.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    warm(client, url)
    with django_assert_max_num_queries(2):
        hit = client.get(url)
    assert hit.headers["X-Page-Cache"] == "hit"
    assert hit.content == first.content
    assert b"Post number 3" in hit.content


def test_cached_page_carries_headers_a_cdn_can_honour(client, topic):
    hit = warm(client, topic.get_absolute_url())
    control = hit.headers["Cache-Control"]
    assert "public" in control
    assert "max-age=5" in control
    assert "stale-while-revalidate=5" in control
    vary = hit.headers["Vary"]
    assert "Cookie" in vary and "Accept-Language" in vary
    assert hit.headers["ETag"].startswith('"a-')
    assert hit.headers["Last-Modified"]
    assert not hit.cookies
    assert b"csrfmiddlewaretoken" not in hit.content


def test_head_requests_are_answered_from_the_cache(client, topic):
    url = topic.get_absolute_url()
    warm(client, url)
    head = client.head(url)
    assert head.status_code == 200
    assert head.headers["X-Page-Cache"] == "hit"


def test_unchanged_anonymous_page_answers_304_to_its_etag(client, topic):
    url = topic.get_absolute_url()
    etag = warm(client, url).headers["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "stories",
        "story",
        "forum",
        "latest",
        "category",
        "topic",
        "products",
        "product",
        "ideas",
        "idea",
        "roadmap",
        "events",
        "event",
    ],
)
def test_every_public_page_is_shared_between_anonymous_readers(client, site_tree, ana, name):
    home, stories = site_tree
    category = make_category("trail-talk", name="Trail talk")
    thread = make_topic(category, ana, title="Tent pegs", posts=2)
    product = ProductFactory(name="Ridge 2 Tent", slug="ridge-2-tent")
    event = make_event(build_event_index(home))
    story = factories.make_story(stories, title="Ridge walk", cover=False)
    url = {
        "home": home.url,
        "stories": stories.url,
        "story": story.url,
        "forum": "/community/",
        "latest": "/community/latest/",
        "category": category.get_absolute_url(),
        "topic": thread.get_absolute_url(),
        "products": "/products/",
        "product": product_url(product),
        "ideas": "/ideas/",
        "idea": make_idea(ana, title="Bigger vestibule").get_absolute_url(),
        "roadmap": "/ideas/roadmap/",
        "events": event.get_parent().url,
        "event": event.url,
    }[name]
    hit = warm(client, url)
    assert b"csrfmiddlewaretoken" not in hit.content


def product_url(product) -> str:
    from django.urls import reverse

    return reverse("feedback:product", args=[product.slug])


def test_pages_with_reactions_are_shared_and_carry_no_token(client, site_tree, topic, ben):
    """Reaction counts show to anonymous readers as disabled buttons, without a CSRF token."""
    home, stories = site_tree
    forum.react(Post.objects.get(topic=topic, number=1), "like", by=ben)
    story = factories.make_story(stories, title="Ridge walk", cover=False)
    comment = forum.post_comment(by=ben, target=story, body="Lovely walk.")
    forum.react_comment(comment, "like", by=topic.author)
    for url in (topic.get_absolute_url(), story.url):
        hit = warm(client, url)
        assert b"csrfmiddlewaretoken" not in hit.content


def test_each_language_has_its_own_cached_page(client, topic):
    url = topic.get_absolute_url()
    english = warm(client, url)
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert french.headers.get("X-Page-Cache") != "hit"
    assert b'lang="fr"' in french.content
    assert b'lang="fr"' not in english.content.split(b">", 2)[0] + b">"


def test_unknown_query_parameters_are_never_stored(client, topic):
    url = f"{topic.get_absolute_url()}?utm=x"
    for _attempt in range(3):
        assert client.get(url).headers["X-Page-Cache"] != "hit"


# --- Changes show at once ----------------------------------------------------------------------
def test_a_reply_shows_at_once_to_its_author_and_to_anonymous_readers(client, topic, ben):
    url = topic.get_absolute_url()
    warm(client, url)
    forum.create_reply(by=ben, topic=topic, body="Use the titanium ones.")
    assert b"Use the titanium ones." in client.get(url).content
    assert b"Use the titanium ones." in member(ben).get(url).content
    # The forum index and the category show the new last post too.
    assert client.get("/community/").headers.get("X-Page-Cache") != "hit"


def test_an_edit_shows_at_once_to_anonymous_readers(client, topic, ana):
    url = topic.get_absolute_url()
    warm(client, url)
    first = Post.objects.get(topic=topic, number=1)
    forum.edit_post(first, by=ana, body="Edited: bring spare pegs.")
    page = client.get(url)
    assert b"Edited: bring spare pegs." in page.content
    assert b"Edited: bring spare pegs." in member(ana).get(url).content


def test_a_hidden_post_leaves_the_cached_page_at_once(client, topic):
    moderator = factories.UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    url = topic.get_absolute_url()
    assert b"Post number 2" in warm(client, url).content
    forum.hide_post(Post.objects.get(topic=topic, number=2), by=moderator, reason="spam")
    assert b"Post number 2" not in client.get(url).content
    assert b"Post number 2" not in warm(client, url).content


def test_a_new_review_shows_at_once_on_the_product_page(client, site_tree, ana):
    product = ProductFactory(name="Ridge 2 Tent", slug="ridge-2-tent")
    url = product_url(product)
    warm(client, url)
    feedback.submit_review(
        product, by=ana, rating=5, title="Storm proof", body="Stood up to a gale."
    )
    assert b"Stood up to a gale." in client.get(url).content
    assert b"Stood up to a gale." in member(ana).get(url).content


def test_an_idea_vote_shows_at_once_on_the_ideas_board(client, site_tree, ana, ben):
    idea = make_idea(ana, title="Bigger vestibule")
    before = idea.vote_count
    count = '<span class="vote__count">{}</span>'
    assert count.format(before).encode() in warm(client, "/ideas/").content
    feedback.vote_idea(idea, by=ben)
    page = client.get("/ideas/")
    assert page.headers.get("X-Page-Cache") != "hit"
    assert count.format(before + 1).encode() in page.content
    voter = member(ben).get("/ideas/").content
    assert count.format(before + 1).encode() in voter
    assert b"vote__button--on" in voter


def test_an_rsvp_drops_the_cached_event_page(client, site_tree, ana):
    home, _stories = site_tree
    event = make_event(build_event_index(home), capacity=5)
    warm(client, event.url)
    event_services.register_rsvp(event, by=ana)
    assert client.get(event.url).headers.get("X-Page-Cache") != "hit"


def test_publishing_a_page_drops_cached_pages(client, site_tree):
    home, stories = site_tree
    warm(client, stories.url)
    factories.make_story(stories, title="A new walk", cover=False)
    assert b"A new walk" in client.get(stories.url).content


def test_a_page_rendered_while_a_change_commits_is_not_kept(client, topic, monkeypatch):
    """A touch that lands while the page renders (its rows may predate the change): not stored."""
    from community import queries

    rendering = queries.topic_page

    def touched_meanwhile(*args, **kwargs):
        page = rendering(*args, **kwargs)
        pagecache.touch(f"topic:{topic.pk}")
        return page

    monkeypatch.setattr(queries, "topic_page", touched_meanwhile)
    url = topic.get_absolute_url()
    for _attempt in range(3):
        assert client.get(url).headers.get("X-Page-Cache") != "hit"


# --- Members and private content ---------------------------------------------------------------
def test_a_members_page_is_never_served_to_another_reader(client, topic, ana, ben):
    url = topic.get_absolute_url()
    mine = member(ana).get(url)
    assert b"Ana Souza" in mine.content
    assert mine.headers["X-Page-Cache"] == "private"
    assert "private" in mine.headers["Cache-Control"]
    theirs = member(ben).get(url)
    assert theirs.headers["X-Page-Cache"] == "private"
    assert b'account-menu__name"><bdi>Ben Okafor' in theirs.content
    assert b'account-menu__name"><bdi>Ana Souza' not in theirs.content
    anonymous = warm(client, url)
    assert b"account-menu__name" not in anonymous.content
    # And a member is never answered from the anonymous readers' cache.
    assert member(ana).get(url).headers["X-Page-Cache"] == "private"


def test_unchanged_member_page_answers_304_and_a_change_answers_200(topic, ana, ben):
    url = topic.get_absolute_url()
    reader = member(ana)
    first = reader.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"m-')
    assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    forum.create_reply(by=ben, topic=topic, body="A fresh reply.")
    changed = reader.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert b"A fresh reply." in changed.content


def test_another_members_etag_does_not_answer_304(topic, ana, ben):
    url = topic.get_absolute_url()
    etag = member(ana).get(url).headers["ETag"]
    assert member(ben).get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_hidden_topic_never_reaches_the_shared_cache(client, site_tree, ana):
    from community.models import Topic

    category = make_category("trail-talk", name="Trail talk")
    thread = make_topic(category, ana, title="Secret plans", posts=1)
    Topic.objects.filter(pk=thread.pk).update(hidden=True)
    moderator = factories.UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    assert member(moderator).get(thread.get_absolute_url()).status_code == 200
    for _attempt in range(3):
        assert client.get(thread.get_absolute_url()).status_code == 404
        assert b"Secret plans" not in client.get("/community/latest/").content


def test_private_pages_never_reach_the_shared_cache(client, site_tree, ana):
    from wagtail.models import PageViewRestriction

    _home, stories = site_tree
    members_only = factories.make_story(stories, title="Members only walk", cover=False)
    PageViewRestriction.objects.create(page=members_only, restriction_type="login")
    with_password = factories.make_story(stories, title="Password walk", cover=False)
    PageViewRestriction.objects.create(
        page=with_password,
        restriction_type="password",
        password="pw",  # noqa: S106
    )
    assert b"Members only walk" in member(ana).get(members_only.url).content
    for _attempt in range(3):
        assert client.get(members_only.url).status_code == 302
        page = client.get(with_password.url)
        assert page.headers.get("X-Page-Cache") != "hit"
        assert b"Body of Password walk" not in page.content


def test_hidden_posts_seen_by_moderators_never_reach_anonymous_readers(client, topic):
    moderator = factories.UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    forum.hide_post(Post.objects.get(topic=topic, number=2), by=moderator, reason="spam")
    url = topic.get_absolute_url()
    assert b"Post number 2" in member(moderator).get(url).content
    assert b"Post number 2" not in warm(client, url).content


def test_an_anonymous_session_is_not_shared(client, topic):
    url = topic.get_absolute_url()
    warm(client, url)
    session = client.session
    session["something"] = "private"
    session.save()
    page = client.get(url)
    assert page.headers.get("X-Page-Cache") != "hit"
    assert "private" in page.headers["Cache-Control"]


def test_pending_messages_are_not_served_from_or_stored_in_the_cache(client, topic):
    from django.contrib.messages import INFO
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    url = topic.get_absolute_url()
    warm(client, url)
    client.cookies["messages"] = CookieStorage(None)._encode([Message(INFO, "Welcome back")])
    page = client.get(url)
    assert page.headers.get("X-Page-Cache") != "hit"
    assert b"Welcome back" in page.content


# --- Redis down ---------------------------------------------------------------------------------
def test_with_the_cache_unreachable_pages_are_rendered_uncached(client, topic, settings):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "hub.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.PAGECACHE_ALIAS = "pages"
    url = topic.get_absolute_url()
    for _attempt in range(3):
        page = client.get(url)
        assert page.status_code == 200
        assert page.headers.get("X-Page-Cache") != "hit"
        assert b"Post number 3" in page.content
    forum.create_reply(by=topic.author, topic=topic, body="Still works.")
    assert b"Still works." in client.get(url).content


# --- Writes after the response ------------------------------------------------------------------
def test_read_marker_is_written_after_the_response(topic, ben):
    from community.models import ReadState

    reader = member(ben)
    response = reader.get(topic.get_absolute_url())
    assert response.status_code == 200
    # The test client closes the response as a server does once the body is sent.
    assert ReadState.objects.get(user=ben, topic=topic).last_read_number == 3


def test_deferred_writes_wait_for_the_response_to_close(rf):
    from hub.deferred import AfterResponseMiddleware, after_response

    done = []

    def view(request):
        from django.http import HttpResponse

        after_response(request, done.append, "written")
        assert done == []
        return HttpResponse("ok")

    response = AfterResponseMiddleware(view)(rf.get("/"))
    assert done == []
    response.close()
    assert done == ["written"]


def test_a_failing_deferred_write_is_logged_not_raised(rf, caplog):
    from hub.deferred import AfterResponseMiddleware, after_response

    def fail():
        raise RuntimeError("boom")

    def view(request):
        from django.http import HttpResponse

        after_response(request, fail)
        return HttpResponse("ok")

    AfterResponseMiddleware(view)(rf.get("/")).close()
    assert "deferred write" in caplog.text


def test_language_switch_needs_no_token_from_anonymous_visitors_but_does_from_members(ana):
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 302
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(ana)
    assert signed_in.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 403


# --- Render once, reuse -------------------------------------------------------------------------
def test_templates_come_from_the_cached_loader_outside_debug():
    from django.template import engines
    from django.template.loaders.cached import Loader

    assert isinstance(engines["django"].engine.template_loaders[0], Loader)


def test_a_review_body_is_rendered_once_and_an_edit_shows(monkeypatch):
    from hub import markup

    markup._rendered_once.cache_clear()
    calls = []
    original = markup.render_markdown
    monkeypatch.setattr(
        markup, "render_markdown", lambda text: calls.append(text) or original(text)
    )
    from feedback.templatetags.feedback_tags import member_markdown

    assert "<strong>dry</strong>" in member_markdown("Kept me **dry**.")
    assert "<strong>dry</strong>" in member_markdown("Kept me **dry**.")
    assert calls == ["Kept me **dry**."]
    assert "<em>warm</em>" in member_markdown("Kept me *warm*.")


def test_author_chip_is_reused_until_the_member_changes(ana):
    from community.templatetags import community_tags

    community_tags._CHIPS.clear()
    first = community_tags.author_chip(ana)
    assert "Ana Souza" in first
    assert community_tags.author_chip(ana) is first
    ana.display_name = "Ana S."
    ana.save()
    renamed = community_tags.author_chip(ana)
    assert "Ana S." in renamed and "Ana Souza" not in renamed


def test_topic_page_shows_authors_through_the_reused_chip(client, topic):
    page = client.get(topic.get_absolute_url())
    assert b'class="author__name"' in page.content
    assert b"Ana Souza" in page.content
