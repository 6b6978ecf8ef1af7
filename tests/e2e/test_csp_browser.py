"""The Content-Security-Policy holds in a real Chromium: the main pages work under it (live
the notification bell's socket and the topic's live updates open under it) and not one of them makes the browser report a violation."""

import pytest
from django.conf import settings

from tests.community.factories import make_category, make_topic
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, build_site_tree, make_story, session_cookie
from tests.feedback.factories import ProductFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def _watch(page, reports: list) -> None:
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and reports.append(msg.text),
    )
    page.on("pageerror", lambda exc: reports.append(str(exc)))


def test_main_pages_run_under_the_policy_without_a_violation(asgi_live_server, browser):
    home, index = build_site_tree()
    make_story(index, title="Packing light for the long trail")
    member = UserFactory(username="ana", display_name="Ana Souza")
    topic = make_topic(make_category("trail-talk", name="Trail talk"), member, posts=2)
    event = make_event(build_event_index(home))
    product = ProductFactory()
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie(member),
                "url": asgi_live_server.url,
            }
        ]
    )
    page = context.new_page()
    reports: list[str] = []
    _watch(page, reports)
    paths = [
        "/",
        "/community/",
        topic.get_absolute_url(),
        event.url,
        "/events/",
        product.get_absolute_url(),
        "/ideas/",
        "/leaderboard/",
        "/perks/",
        "/notifications/",
        "/search/?q=trail",
        "/u/ana/",
    ]
    for path in paths:
        response = page.goto(asgi_live_server.url + path)
        assert response.status < 400, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    context.close()
    assert not reports, reports
