"""Browser test: an editor's announcement reaches every open tab of a member live, and marking
everything read in one tab clears the bell in the other.

pytest-django's live_server speaks WSGI, which has no WebSockets, so `asgi_live_server` (conftest) serves the
real hub.asgi.application with uvicorn in a thread of this process: it shares the test database
and the in-memory channel layer. Notifications are triggered through the server itself (the
editor's broadcast), so their push runs on the server's event loop, where the sockets are.
"""

import pytest
from django.conf import settings

from tests.factories import UserFactory, build_site_tree, make_editor, session_cookie

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # WhiteNoise hands Django's ASGI handler a file iterator for static files: harmless here.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

ANNOUNCEMENT = "The Ridge 2 pre-order opens on Monday"


def signed_in_context(browser, server, user):
    """A browser context holding ``user``'s session, as if they had signed in."""
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


def test_announcement_reaches_every_open_tab_and_reading_it_in_one_clears_the_other(
    browser, asgi_live_server
):
    from playwright.sync_api import expect

    server = asgi_live_server
    build_site_tree()
    member = UserFactory(username="rowan", display_name="Rowan Hart")
    editor = make_editor("editor", can_publish=False)

    member_context = signed_in_context(browser, server, member)
    editor_context = signed_in_context(browser, server, editor)
    try:
        tabs = [open_page(member_context, f"{server.url}/") for _ in range(2)]
        for tab in tabs:
            expect(tab.locator("[data-notifications]")).to_have_attribute("data-live", "connected")
            expect(tab.locator("[data-unread-count]")).to_be_hidden()
            tab.evaluate("window.loadedOnce = true")  # gone if the page ever reloads

        admin = editor_context.new_page()
        admin.goto(f"{server.url}/admin/announcements/new/")
        admin.get_by_label("Announcement").fill(ANNOUNCEMENT)
        admin.get_by_role("button", name="Send to all members").click()
        expect(admin.get_by_text(f"Announcement sent: “{ANNOUNCEMENT}”.")).to_be_visible()

        for tab in tabs:  # no reload: the count and the dropdown follow the socket
            expect(tab.locator("[data-unread-count]")).to_have_text("1")
            expect(tab.locator("[data-unread-count]")).to_be_visible()
            tab.locator(".bell__button").click()
            expect(tab.locator("[data-notification-list]")).to_contain_text(ANNOUNCEMENT)

        first, second = tabs
        first.get_by_role("button", name="Mark all read").click()
        expect(first.locator("[data-unread-count]")).to_be_hidden()
        expect(second.locator("[data-unread-count]")).to_be_hidden()
        expect(second.locator("[data-notification-list] .notification--unread")).to_have_count(0)

        for tab in tabs:
            assert tab.evaluate("window.loadedOnce") is True  # all without a reload
            assert tab.console_errors == []
    finally:
        editor_context.close()
        member_context.close()


def test_on_a_phone_the_bell_stays_in_the_header_and_counts_live(browser, asgi_live_server):
    from playwright.sync_api import expect

    server = asgi_live_server
    build_site_tree()
    member = UserFactory(username="rowan", display_name="Rowan Hart")
    editor = make_editor("editor", can_publish=False)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    phone.set_default_timeout(10_000)
    phone.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(member), "url": server.url}]
    )
    editor_context = signed_in_context(browser, server, editor)
    try:
        page = open_page(phone, f"{server.url}/")
        expect(page.locator("[data-notifications]")).to_have_attribute("data-live", "connected")
        expect(page.locator("#site-nav")).to_be_hidden()  # the menu is collapsed…
        bell = page.locator(".bell__button")
        expect(bell).to_be_visible()  # …and the bell is not inside it
        box = bell.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44  # a thumb-sized target
        assert box["y"] < 80  # in the header bar

        admin = editor_context.new_page()
        admin.goto(f"{server.url}/admin/announcements/new/")
        admin.get_by_label("Announcement").fill(ANNOUNCEMENT)
        admin.get_by_role("button", name="Send to all members").click()
        expect(admin.get_by_text(f"Announcement sent: “{ANNOUNCEMENT}”.")).to_be_visible()

        expect(page.locator("[data-unread-count]")).to_have_text("1")
        bell.tap()
        expect(page.locator("[data-notification-list]")).to_contain_text(ANNOUNCEMENT)
        assert page.console_errors == []
    finally:
        phone.close()
        editor_context.close()


def test_an_open_tab_catches_up_on_150_notifications_it_was_never_pushed(
    browser, asgi_live_server, settings
):
    """As when Redis was down: 150 notifications are stored but never pushed. The socket's next
    resync sends them in pages of 100 and 50; the bell shows the newest, each once, and the
    unread count."""
    from playwright.sync_api import expect

    from tests.factories import make_notifications

    settings.SOCKET_RESYNC_SECONDS = 0.5
    server = asgi_live_server
    build_site_tree()
    member = UserFactory(username="rowan", display_name="Rowan Hart")
    context = signed_in_context(browser, server, member)
    try:
        tab = open_page(context, f"{server.url}/")
        expect(tab.locator("[data-notifications]")).to_have_attribute("data-live", "connected")
        expect(tab.locator("[data-unread-count]")).to_be_hidden()
        tab.evaluate("window.loadedOnce = true")

        make_notifications(member, 150, text="Missed {n}")  # stored, never pushed

        expect(tab.locator("[data-unread-count]")).to_have_text("150")
        tab.locator(".bell__button").click()
        items = tab.locator("[data-notification-list] [data-id]")
        expect(items).to_have_count(6)
        expect(items.first).to_contain_text("Missed 150")
        expect(items.last).to_contain_text("Missed 145")
        ids = items.evaluate_all("items => items.map(item => item.dataset.id)")
        assert len(set(ids)) == 6
        assert tab.evaluate("window.loadedOnce") is True
        assert tab.console_errors == []
    finally:
        context.close()


def test_choosing_daily_summary_only_for_an_area_moves_its_kinds_and_saves(
    browser, asgi_live_server
):
    from playwright.sync_api import expect

    from hub.notifications.kinds import DIGEST, all_kinds
    from hub.notifications.models import NotificationPreference

    server = asgi_live_server
    build_site_tree()
    member = UserFactory(username="rowan", display_name="Rowan Hart")
    context = signed_in_context(browser, server, member)
    try:
        page = open_page(context, f"{server.url}/notifications/preferences/")
        events = page.locator("[data-pref-area]").filter(has=page.locator('[name="area-events"]'))
        events.get_by_label("Daily summary only").check()
        events.locator("summary").click()
        kind_radios = events.locator(f'[data-pref-kind] input[value="{DIGEST}"]')
        for i in range(kind_radios.count()):
            expect(kind_radios.nth(i)).to_be_checked()
        page.get_by_role("button", name="Save preferences").click()
        expect(page.get_by_text("Your notification preferences have been saved.")).to_be_visible()
        assert page.console_errors == []
    finally:
        context.close()

    codes = [k.code for k in all_kinds() if k.code.startswith("events.")]
    stored = dict(NotificationPreference.objects.filter(user=member).values_list("kind", "channel"))
    assert codes and all(stored[code] == DIGEST for code in codes)
