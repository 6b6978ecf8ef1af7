"""Browser tests: a real Chromium drives the site the way a new member would."""

import re

import pytest

from tests.factories import build_site_tree, make_story, png_bytes

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # WhiteNoise hands Django's ASGI handler a file iterator for static files: harmless here.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def published_site():
    home, index = build_site_tree()
    make_story(index, title="Packing light for the long trail", tags=["guides"])
    return home


def test_new_member_signs_up_edits_profile_and_sees_avatar(
    asgi_live_server, page, published_site, tmp_path
):
    page.goto(f"{asgi_live_server.url}/")
    assert page.get_by_role("heading", name="Made better by its people").is_visible()
    assert page.console_errors == []

    page.get_by_role("link", name="Join", exact=True).click()
    page.get_by_label("Username").fill("rowan")
    page.get_by_label("Email").fill("rowan@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-trail-2026")
    page.get_by_label("Password (again)").fill("a-long-trail-2026")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/profile/$"))

    # Sign out, then back in with the new credentials.
    page.get_by_text("rowan", exact=True).first.click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{asgi_live_server.url}/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    page.goto(f"{asgi_live_server.url}/accounts/login/")
    page.get_by_label("Username or e-mail").fill("rowan")
    page.get_by_label("Password").fill("a-long-trail-2026")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/profile/$"))

    avatar = tmp_path / "me.png"
    avatar.write_bytes(png_bytes(300, 200))
    page.get_by_label("Display name").fill("Rowan Hart")
    page.get_by_label("About you").fill("Walking the coast path, one bay at a time.")
    page.get_by_label("Avatar").set_input_files(str(avatar))
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("Your profile has been saved.").is_visible()

    page.goto(f"{asgi_live_server.url}/u/rowan/")
    assert page.get_by_role("heading", name="Rowan Hart").is_visible()
    assert page.get_by_text("Walking the coast path, one bay at a time.").is_visible()
    picture = page.locator("img.avatar--lg")
    assert picture.get_attribute("src").endswith(".webp")
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 256
    assert page.console_errors == []


def test_bad_avatar_shows_an_error_and_keeps_what_was_typed(
    asgi_live_server, page, published_site, tmp_path
):
    from tests.factories import UserFactory

    UserFactory(username="sam")
    page.goto(f"{asgi_live_server.url}/accounts/login/")
    page.get_by_label("Username or e-mail").fill("sam")
    page.get_by_label("Password").fill("demo12345")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/profile/$"))

    fake = tmp_path / "notes.png"
    fake.write_text("this is not a picture")
    page.get_by_label("Display name").fill("Sam Reyes")
    page.get_by_label("Avatar").set_input_files(str(fake))
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("That file is not an image we can read").is_visible()
    assert page.get_by_label("Display name").input_value() == "Sam Reyes"


def test_home_and_story_pages_load_without_console_errors_on_a_phone(
    asgi_live_server, browser, published_site
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(f"{asgi_live_server.url}/")
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    stories = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Stories", exact=True
    )
    assert not stories.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    stories.click()
    page.get_by_role("link", name="Packing light for the long trail").click()
    assert page.get_by_role("heading", name="Packing light for the long trail").is_visible()
    assert errors == []
    context.close()
