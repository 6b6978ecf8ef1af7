"""Browser test: a newcomer runs `send_demo_order` against the running site and watches the
member's points arrive live in the bell, then on My points."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from hub.shop.demo import DEMO_SHOP_SLUG
from tests.e2e.test_rewards_browser import new_page, outside_the_event_loop, server  # noqa: F401
from tests.factories import build_site_tree
from tests.shop.helpers import make_shop, verified_member

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_a_signed_demo_order_shows_its_points_live_in_the_bell(browser, server):  # noqa: F811
    url, live = server
    build_site_tree()
    make_shop(DEMO_SHOP_SLUG, name="Trailmark online store")
    verified_member("rowan", display_name="Rowan Hart")

    context, page = new_page(browser)
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username or e-mail").fill("rowan")
    page.get_by_label("Password").fill("demo12345")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/profile/$"))
    page.goto(f"{url}/points/")
    bell = page.locator("[data-notifications]")
    if live:
        page.wait_for_selector("[data-notifications][data-live=connected]")

    out = StringIO()
    outside_the_event_loop(
        call_command, "send_demo_order", "rowan@example.com", "49.90", base_url=url, stdout=out
    )
    assert "-> 202" in out.getvalue()  # accepted; the worker applies it

    if not live:
        page.reload()
    bell.locator("[data-unread-count]").filter(has_text="1").wait_for()
    bell.get_by_role("link", name=re.compile("Notifications")).click()
    items = bell.locator("[data-notification-list] .notification__text")
    items.filter(has_text=re.compile(r"Thank you for your order .*: \+49 points")).wait_for()

    page.goto(f"{url}/points/")
    assert page.locator(".stat", has_text="Spendable").locator(".stat__value").inner_text() == "49"
    assert page.errors == []
    context.close()
