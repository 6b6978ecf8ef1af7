"""Accessibility: axe-core finds no serious or critical violation on the pages people use.

axe-core runs in Debian's Chromium (the `axe-playwright-python` package ships it) on the public
pages as a visitor, the member pages as a signed-in member and this project's admin pages as an
editor and an administrator, in English and in Arabic (right to left), and a representative
subset in Hebrew (the other right-to-left language, kept short for CI). Any serious or critical
violation fails the test, listed with the page, the rule and the first offending element.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from community import services as community
from events import services as events
from feedback import services as feedback
from hub.notifications.services import ANNOUNCEMENT, notify
from tests.community.factories import make_category, make_topic
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, build_site_tree, make_editor, make_story, session_cookie
from tests.feedback.factories import ProductFactory, make_idea

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

BLOCKING = {"serious", "critical"}
LANGUAGES = ["en", "ar", "he"]
# Hebrew checks every third page of each kind: the layouts and widgets, not every page again.
SUBSET_STEP = {"he": 3}


@pytest.fixture
def site():
    home, index = build_site_tree()
    story = make_story(index, title="Packing light for the long trail")
    member = UserFactory(username="ana", display_name="Ana Souza")
    other = UserFactory(username="ben", display_name="Ben Okafor")
    category = make_category("trail-talk", name="Trail talk")
    topic = make_topic(category, member, posts=3, poster=other)
    event = make_event(build_event_index(home))
    events.register_rsvp(event, by=member)
    product = ProductFactory()
    feedback.submit_review(product, by=other, rating=4, title="Warm", body="Kept me warm.")
    idea = make_idea(member, title="A lighter stove", voters=[other])
    community.post_comment(by=other, target=story, body="Lovely read.")
    notify(member, ANNOUNCEMENT, text="Welcome to the community")
    editor = make_editor("editor")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    return {
        "visitor": [
            "/",
            story.url,
            "/community/",
            category.get_absolute_url(),
            topic.get_absolute_url(),
            "/events/",
            event.url,
            "/products/",
            product.get_absolute_url(),
            "/testimonials/",
            "/ideas/",
            f"/ideas/{idea.pk}/",
            "/ideas/roadmap/",
            "/leaderboard/",
            "/search/?q=trail",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/u/ana/",
        ],
        "member": (
            member,
            [
                "/notifications/",
                "/notifications/preferences/",
                "/points/",
                "/perks/",
                "/perks/mine/",
                "/me/events/",
                "/accounts/profile/",
                f"{category.get_absolute_url()}new/",
                "/ideas/new/",
                f"{product.get_absolute_url()}review/",
                topic.get_absolute_url(),
            ],
        ),
        "editor": (editor, ["/admin/", "/admin/moderation/"]),
        "administrator": (
            admin,
            [
                "/admin/workspace/reports/retention/",
                "/admin/shop/reports/purchases/",
                "/admin/points-rules/",
                "/admin/perks/",
                "/admin/community-flags/",
                "/admin/feedback/review-queue/",
                "/admin/webhook-endpoints/",
            ],
        ),
    }


def _serious(page, axe: Axe) -> list[str]:
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            node = violation["nodes"][0]
            found.append(
                f"{page.url}: {violation['id']} ({violation['impact']}) "
                f"{len(violation['nodes'])}× e.g. {node['target']} — {node['failureSummary'][:160]}"
            )
    return found


def _visit(context, paths, axe) -> tuple[int, list[str]]:
    page = context.new_page()
    problems, count = [], 0
    for path in paths:
        response = page.goto(path, wait_until="load")
        assert response is not None and response.status < 400, f"{path} answered {response.status}"
        problems += _serious(page, axe)
        count += 1
    page.close()
    return count, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_serious_accessibility_violation(asgi_live_server, browser, site, language):
    axe = Axe()
    checked, problems = 0, []
    for who in ("visitor", "member", "editor", "administrator"):
        if who == "visitor":
            user, paths = None, site["visitor"]
        else:
            user, paths = site[who]
        paths = paths[:: SUBSET_STEP.get(language, 1)]
        context = browser.new_context(base_url=asgi_live_server.url)
        cookies = [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": asgi_live_server.url}
        ]
        if user is not None:
            cookies.append(
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie(user),
                    "url": asgi_live_server.url,
                }
            )
        context.add_cookies(cookies)
        count, found = _visit(context, paths, axe)
        checked += count
        problems += found
        context.close()
    assert checked >= (12 if language in SUBSET_STEP else 25)
    assert not problems, "\n".join(problems)
