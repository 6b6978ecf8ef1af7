"""Browser test: one member starts a topic, another replies in their own browser; the first sees
the notification arrive and the reply appear on the open topic page, without reloading.

Both members post through the real forms of the ASGI live server (conftest), so the live pushes
run on the server's event loop, where the sockets are.
"""

import pytest
from django.conf import settings

from community.models import Category, CommunitySettings
from tests.factories import UserFactory, build_site_tree, session_cookie

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def signed_in_context(browser, server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": server.url}]
    )
    return context


def open_page(context, url: str):
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.goto(url)
    return page


def test_a_reply_appears_live_for_the_member_who_started_the_topic(browser, asgi_live_server):
    from playwright.sync_api import expect
    from wagtail.models import Site

    server = asgi_live_server
    build_site_tree()
    limits = CommunitySettings.for_site(Site.objects.get(is_default_site=True))
    limits.new_member_posts = 0
    limits.save()
    Category.objects.create(slug="trail-talk", name="Trail talk")
    ana = UserFactory(username="ana", display_name="Ana Souza")
    ben = UserFactory(username="ben", display_name="Ben Okafor")
    ana_context = signed_in_context(browser, server, ana)
    ben_context = signed_in_context(browser, server, ben)
    try:
        asker = open_page(ana_context, f"{server.url}/community/")
        asker.get_by_role("link", name="Trail talk").click()
        asker.get_by_role("link", name="Start a topic").click()
        asker.get_by_label("Title").fill("Which stove for winter?")
        asker.get_by_label("Message").fill("My canister stove struggles below **zero**.")
        asker.get_by_role("button", name="Post topic").click()
        expect(asker.get_by_role("heading", name="Which stove for winter?")).to_be_visible()
        expect(asker.locator("[data-notifications]")).to_have_attribute("data-live", "connected")
        expect(asker.locator("[data-topic-posts]")).to_have_attribute("data-socket", "connected")
        asker.evaluate("window.loadedOnce = true")  # gone if the page ever reloads
        topic_url = asker.url

        helper = open_page(ben_context, topic_url)
        helper.get_by_label("Message").fill("Try a liquid-fuel stove: it keeps going at -20 °C.")
        helper.get_by_role("button", name="Post reply").click()
        expect(helper.locator("#p2")).to_contain_text("liquid-fuel stove")

        # The bell counts the reply, and the open page announces it.
        expect(asker.locator("[data-unread-count]")).to_have_text("1")
        announce = asker.get_by_role("button", name="1 new reply")
        expect(announce).to_be_visible()
        announce.click()
        expect(asker.locator("#p2")).to_contain_text("liquid-fuel stove")
        expect(asker.locator("#p2")).to_contain_text("Ben Okafor")
        expect(announce).to_be_hidden()
        assert asker.evaluate("window.loadedOnce") is True
        assert asker.console_errors == []
    finally:
        ana_context.close()
        ben_context.close()
