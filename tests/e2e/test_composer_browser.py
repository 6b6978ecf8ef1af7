"""Browser tests of the composer (static/js/composer.js) on a forum topic's reply box: @mention
suggestions picked with the keyboard; a draft that survives a reload and a refused post and is
forgotten once posted; a pasted picture uploaded into the text and shown in the live preview and
the post (at a phone's width); a bare web address that becomes a link.
"""

import base64
import re

import pytest
from django.conf import settings

from community.models import CommunitySettings
from tests.community.factories import make_category, make_topic
from tests.factories import UserFactory, build_site_tree, png_bytes, session_cookie

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

PASTE = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "trail map.png", { type: "image/png" }));
  const box = document.getElementById("id_body");
  box.focus();
  box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""


@pytest.fixture
def topic_page(browser, asgi_live_server):
    from wagtail.models import Site

    build_site_tree()
    limits = CommunitySettings.for_site(Site.objects.get(is_default_site=True))
    limits.new_member_posts = 0
    limits.save()
    ana = UserFactory(username="ana", display_name="Ana Souza")
    UserFactory(username="benedikt", display_name="Ben Okafor")
    UserFactory(username="bea", display_name="Bea Lind")
    topic = make_topic(make_category("trail-talk"), ana, title="Which stove for winter?")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    server = asgi_live_server.url
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(ana), "url": server}]
    )
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.goto(f"{server}{topic.get_absolute_url()}")
    yield page
    context.close()


def test_a_mention_is_picked_with_the_keyboard_and_the_draft_survives_a_reload(topic_page):
    from playwright.sync_api import expect

    page = topic_page
    box = page.get_by_label("Message")
    box.click()
    box.press_sequentially("Thanks @Be")
    suggestions = page.get_by_role("listbox", name="Members to mention")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option")).to_have_count(2)
    expect(suggestions.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(suggestions.get_by_role("option", name="Ben Okafor @benedikt")).to_have_attribute(
        "aria-selected", "true"
    )
    box.press("Enter")
    expect(suggestions).to_be_hidden()
    box.press_sequentially("for the tip.")
    expect(box).to_have_value("Thanks @benedikt for the tip.")

    page.wait_for_timeout(500)  # the draft is saved a moment after typing stops
    page.reload()
    expect(page.get_by_label("Message")).to_have_value("Thanks @benedikt for the tip.")
    expect(page.get_by_text("Draft restored")).to_be_visible()

    # A post the server refuses (here: the bots' honeypot is filled) keeps the draft.
    topic_url = page.url
    page.locator("input[name=website]").evaluate("field => { field.value = 'spam'; }")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".field__error").first).to_be_visible()
    page.goto(topic_url)
    expect(page.get_by_label("Message")).to_have_value("Thanks @benedikt for the tip.")
    expect(page.get_by_text("Draft restored")).to_be_visible()

    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#p2")).to_contain_text("Thanks @benedikt for the tip.")
    expect(page.locator("#p2 a.mention")).to_have_attribute("href", "/u/benedikt/")
    page.reload()
    expect(page.get_by_label("Message")).to_have_value("")  # posted: the draft is gone
    expect(page.get_by_text("Draft restored")).to_be_hidden()

    # Reply moves the words being written to that answer's draft, which Reply brings back.
    page.get_by_label("Message").fill("About your stove")
    page.locator("#p2").get_by_role("link", name="Reply", exact=True).click()
    page.wait_for_timeout(500)
    page.reload()
    expect(page.get_by_label("Message")).to_have_value("")
    page.locator("#p2").get_by_role("link", name="Reply", exact=True).click()
    expect(page.get_by_label("Message")).to_have_value("About your stove")
    assert page.console_errors == []


def test_a_pasted_picture_is_uploaded_and_shown_and_a_bare_address_is_linked(topic_page):
    from playwright.sync_api import expect

    page = topic_page
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.get_by_role("button", name="Preview", exact=True).click()
    box = page.get_by_label("Message")
    box.fill("Our route: https://example.org/route\n")
    box.press("End")
    page.evaluate(PASTE, base64.b64encode(png_bytes(120, 80)).decode())
    expect(box).to_have_value(
        re.compile(r"https://example.org/route\n!\[trail map\]\(/media/composer/\d+/\w+\.webp\)")
    )
    expect(page.get_by_role("status").filter(has_text="Image added.")).to_be_visible()
    preview = page.locator("[data-composer-output]").first
    expect(preview.locator("img[alt='trail map']")).to_be_visible()
    expect(preview.get_by_role("link", name="https://example.org/route")).to_be_visible()

    page.get_by_role("button", name="Post reply").click()
    post = page.locator("#p2")
    expect(post.locator("img[alt='trail map']")).to_be_visible()
    assert post.locator("img[alt='trail map']").evaluate("img => img.naturalWidth") == 120
    link = post.get_by_role("link", name="https://example.org/route")
    expect(link).to_have_attribute("rel", "nofollow ugc noopener")
    assert page.console_errors == []
