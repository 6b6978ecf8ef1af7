"""Browser tests for events: a member waitlisted for a full event is promoted when another
cancels and sees it live; a Tbilisi event shows a Helsinki browser its own local time too."""

import datetime
import zoneinfo

import pytest
from django.conf import settings

from events import services
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, build_site_tree, session_cookie

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def signed_in_context(browser, server, user, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": server.url}]
    )
    return context


def test_waitlisted_member_is_promoted_live_when_another_cancels(browser, asgi_live_server):
    from playwright.sync_api import expect

    server = asgi_live_server
    home, _ = build_site_tree()
    event = make_event(build_event_index(home), title="Dawn hike", capacity=1)
    holder = UserFactory(username="holder", display_name="Holly Holder")
    waiter = UserFactory(username="waiter", display_name="Wes Waiter")
    services.register_rsvp(event, by=holder)

    waiter_context = signed_in_context(browser, server, waiter)
    holder_context = signed_in_context(browser, server, holder)
    try:
        page = waiter_context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server.url}{event.url}")
        expect(page.get_by_text("Full.")).to_be_visible()
        page.get_by_role("button", name="Join the waitlist").click()
        expect(page.get_by_text("You are number 1 on the waitlist.")).to_be_visible()
        expect(page.locator("[data-notifications]")).to_have_attribute("data-live", "connected")
        page.evaluate("window.loadedOnce = true")

        other = holder_context.new_page()
        other.goto(f"{server.url}{event.url}")
        other.get_by_role("button", name="Cancel my RSVP").click()
        expect(other.get_by_text("Your RSVP is cancelled.")).to_be_visible()

        # No reload: the notification arrives over the socket.
        expect(page.locator("[data-unread-count]")).to_have_text("1")
        assert page.evaluate("window.loadedOnce") is True
        page.locator(".bell__button").click()
        expect(page.locator("[data-notification-list]")).to_contain_text(
            "A seat freed up: you are going to Dawn hike"
        )
        page.reload()
        expect(page.get_by_text("You are going.")).to_be_visible()
        assert errors == []
    finally:
        waiter_context.close()
        holder_context.close()


def test_a_tbilisi_event_shows_a_helsinki_browser_its_local_time(browser, asgi_live_server):
    from playwright.sync_api import expect

    server = asgi_live_server
    home, _ = build_site_tree()
    start = datetime.datetime(2030, 1, 15, 19, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tbilisi"))
    event = make_event(build_event_index(home), starts_at=start, time_zone="Asia/Tbilisi")
    member = UserFactory(username="helmi")
    context = signed_in_context(browser, server, member, timezone_id="Europe/Helsinki")
    try:
        page = context.new_page()
        page.goto(f"{server.url}{event.url}")
        expect(page.locator(".event-facts")).to_contain_text("19:00")
        expect(page.locator(".event-facts")).to_contain_text("Asia/Tbilisi")
        local = page.locator("[data-local-output]")
        expect(local).to_be_visible()
        expect(local).to_contain_text("17:00")  # Helsinki is two hours behind Tbilisi in January
        expect(local).to_contain_text("Europe/Helsinki")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "grid", "agenda"), [(390, False, True), (1280, True, False)])
def test_the_calendar_is_an_agenda_on_a_phone(browser, asgi_live_server, width, grid, agenda):
    from playwright.sync_api import expect

    home, _stories = build_site_tree()
    index = build_event_index(home)
    event = make_event(index, title="Repair night", starts_in=datetime.timedelta(days=1))
    month = event.local_start.strftime("%Y-%m")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{asgi_live_server.url}{index.url}calendar/?month={month}")
    table, days = page.locator("table.month-calendar"), page.locator(".agenda__days")
    expect(table).to_be_visible() if grid else expect(table).to_be_hidden()
    expect(days).to_be_visible() if agenda else expect(days).to_be_hidden()
    if agenda:
        link = days.get_by_role("link", name="Repair night")
        box = link.bounding_box()
        assert box["height"] >= 44  # a thumb-sized target
        link.click()
        page.wait_for_url(f"**{event.url}")
    context.close()
