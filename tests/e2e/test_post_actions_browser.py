"""Browser test: on a phone, a member reacts through the compact picker (a row in the post's one
reaction form, covering nothing, 44 px targets, no reload) and answers a post with Reply, which
threads the reply to it; axe finds nothing serious on the page with the picker open."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from community.models import Category, CommunitySettings
from tests.community.factories import make_topic
from tests.factories import UserFactory, build_site_tree, session_cookie

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_reacting_and_replying_on_a_phone(browser, asgi_live_server):
    from playwright.sync_api import expect
    from wagtail.models import Site

    server = asgi_live_server
    build_site_tree()
    limits = CommunitySettings.for_site(Site.objects.get(is_default_site=True))
    limits.new_member_posts = 0
    limits.save()
    category = Category.objects.create(slug="trail-talk", name="Trail talk")
    ana = UserFactory(username="ana", display_name="Ana Souza")
    ben = UserFactory(username="ben", display_name="Ben Okafor")
    topic = make_topic(category, ana, title="Which stove?", posts=3, poster=ben)

    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(ana), "url": server.url}]
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server.url}{topic.get_absolute_url()}")
        page.evaluate("window.loadedOnce = true")
        post = page.locator("#p2")

        post.get_by_role("link", name="React").click()
        expect(post.get_by_role("button", name="Like")).to_be_focused()
        love = post.get_by_role("button", name="Love")
        picker = post.locator(".react-picker").bounding_box()
        text_box = post.locator(".post__body").bounding_box()
        # A row in the flow of the post, below its text: it covers nothing.
        assert picker["y"] >= text_box["y"] + text_box["height"]
        assert picker["x"] >= 0 and picker["x"] + picker["width"] <= 390
        box = love.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        problems = [
            v["id"]
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert problems == []

        love.click()
        mine = post.get_by_role("button", name="Love: Ana Souza")
        expect(mine).to_have_attribute("aria-pressed", "true")
        expect(post.locator(".react-picker")).to_have_count(0)
        assert page.evaluate("window.loadedOnce") is True  # no reload

        post.get_by_role("link", name="Reply").click()
        expect(page.locator("[data-reply-banner]")).to_contain_text("Replying to: @ben")
        page.get_by_label("Message").fill("Same stove here, works fine.")
        page.get_by_role("button", name="Post reply").click()
        expect(page.locator("#p4")).to_contain_text("In reply to Ben Okafor")
        assert errors == []
    finally:
        context.close()
