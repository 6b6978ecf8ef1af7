"""Browser test: a member spends their points on a perk and finds its code under My perks."""

import re

import pytest

from hub.rewards import services
from hub.rewards.models import Perk, Tier
from tests.factories import UserFactory, build_site_tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def test_member_redeems_a_perk_and_finds_the_code_under_my_perks(live_server, page):
    build_site_tree()
    member = UserFactory(username="rowan")
    services.adjust(member, 150, reason="Answered ten questions", by=None)
    Perk.objects.create(
        title="15% off your next order",
        slug="15-off",
        cost=100,
        code_type=Perk.SHARED,
        shared_code="ADVOCATE15",
        instructions="Enter the code at checkout.",
    )
    Perk.objects.create(
        title="Lunch with the design team",
        slug="lunch",
        cost=500,
        min_tier=Tier.objects.get(name="Champion"),
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or e-mail").fill("rowan")
    page.get_by_label("Password").fill("demo12345")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/profile/$"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Perks").click()
    page.wait_for_url(f"{live_server.url}/perks/")
    lunch = page.locator("#perk-lunch")
    assert lunch.get_by_text("Reach Champion to unlock").is_visible()
    offer = page.locator("#perk-15-off")
    assert page.get_by_text("You have 150 points to spend.").is_visible()
    offer.get_by_role("link", name="Redeem for 100 points").click()
    page.wait_for_url(re.compile(r"/perks/15-off/redeem/$"))
    assert page.get_by_text("Your points after").is_visible()
    page.get_by_role("button", name="Yes, redeem for 100 points").click()

    page.wait_for_url(re.compile(r"/perks/mine/"))
    assert (
        page.get_by_role("status")
        .get_by_text("You redeemed “15% off your next order”")
        .is_visible()
    )
    code = page.locator("code.perk-code__value")
    assert code.inner_text() == "ADVOCATE15"
    assert page.get_by_text("Enter the code at checkout.").is_visible()
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied to the clipboard.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == "ADVOCATE15"

    page.goto(f"{live_server.url}/perks/")
    assert (
        page.locator("#perk-15-off")
        .get_by_text("You have already redeemed this perk.")
        .is_visible()
    )
    # live_server speaks WSGI only, so the notification socket's failed handshake is expected.
    errors = [e for e in page.console_errors if "/ws/notifications/" not in e]
    assert errors == []
