"""Browser test: an editor awards a member points in the admin; the member hears of their new
tier, and sees it on their profile and the points on My points."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from hub.rewards import services
from tests.factories import UserFactory, build_site_tree, make_editor

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # WhiteNoise hands Django's ASGI handler a file iterator for static files: harmless here.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


@pytest.fixture
def server(request):
    """(url, live): the ASGI live server when there is one, so notifications arrive over the
    socket; otherwise pytest-django's WSGI live_server, where they show on the next page load."""
    try:
        return request.getfixturevalue("asgi_live_server").url, True
    except pytest.FixtureLookupError:
        return request.getfixturevalue("live_server").url, False


def outside_the_event_loop(function, *args, **kwargs):
    """Call a service from another thread: Playwright runs an event loop in this one, where the
    notification push after commit cannot run."""

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return context, page


def test_member_reaches_a_tier_when_an_editor_awards_points(browser, server):
    url, live = server
    build_site_tree()
    member = UserFactory(username="rowan", display_name="Rowan Hart")
    outside_the_event_loop(
        services.adjust, member, 80, reason="Answered eight questions", by=None
    )  # a Member, 20 points short of Insider
    make_editor("editor", can_publish=False)

    member_context, member_page = new_page(browser)
    member_page.goto(f"{url}/accounts/login/")
    member_page.get_by_label("Username or e-mail").fill("rowan")
    member_page.get_by_label("Password").fill("demo12345")
    member_page.get_by_role("button", name="Sign In").click()
    member_page.wait_for_url(re.compile(r"/accounts/profile/$"))
    member_page.goto(f"{url}/points/")
    assert member_page.get_by_text("20 points to Insider").is_visible()
    bell = member_page.locator("[data-notifications]")
    if live:
        member_page.wait_for_selector("[data-notifications][data-live=connected]")
        member_page.evaluate("window.stillTheSamePage = true")

    editor_context, editor_page = new_page(browser)
    editor_page.goto(f"{url}/admin/login/")
    editor_page.locator("#id_username").fill("editor")
    editor_page.locator("#id_password").fill("demo12345")
    editor_page.get_by_role("button", name="Sign in").click()
    editor_page.wait_for_url(f"{url}/admin/")
    editor_page.goto(f"{url}/admin/advocates/adjust-points/")
    editor_page.get_by_label("Member's username").fill("rowan")
    editor_page.get_by_label("Points").fill("30")
    editor_page.get_by_label("Reason").fill("Led the spring trail clean-up")
    editor_page.get_by_role("button", name="Record").click()
    editor_page.get_by_text("+30 points for Rowan Hart recorded.").wait_for()
    editor_context.close()

    tier_news = "You reached the Insider tier. Thank you for everything you do here!"
    if not live:
        member_page.reload()  # no WebSocket on a WSGI server: the bell is filled by the page
    bell.locator("[data-unread-count]").filter(has_text="3").wait_for()
    bell.get_by_role("link", name=re.compile("Notifications")).click()
    items = bell.locator("[data-notification-list] .notification__text")
    items.filter(has_text=tier_news).wait_for()  # visible in the opened panel
    assert items.filter(
        has_text="You received 30 points: Led the spring trail clean-up"
    ).is_visible()
    if live:  # it came over the socket: same page, and announced to screen readers
        assert member_page.evaluate("window.stillTheSamePage") is True
        assert bell.locator("[data-live-region]").inner_text() in items.all_inner_texts()

    member_page.goto(f"{url}/u/rowan/")
    standing = member_page.get_by_role("region", name="Advocate standing")
    assert standing.locator(".tier-chip").inner_text() == "Insider"
    assert standing.get_by_text("110 points", exact=True).is_visible()
    assert standing.get_by_text("390 points to Champion").is_visible()

    member_page.goto(f"{url}/points/")
    history = member_page.locator("table.ledger")
    first_row = history.locator("tbody tr").first
    assert first_row.get_by_text(
        "Adjusted by the team — Led the spring trail clean-up"
    ).is_visible()
    assert first_row.locator(".ledger__points").inner_text() == "+30"
    assert (
        member_page.locator(".stat", has_text="Spendable").locator(".stat__value").inner_text()
        == "110"
    )
    assert member_page.errors == []
    member_context.close()
