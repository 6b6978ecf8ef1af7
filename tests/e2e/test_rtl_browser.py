"""Hebrew in Chromium, at phone and desktop widths: the layout mirrors, and a title written in
English keeps its punctuation at its end inside a right-to-left page."""

import pytest

from tests.factories import build_site_tree, make_story

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

WIDTHS = [390, 1280]


@pytest.fixture
def story():
    _home, index = build_site_tree()
    return make_story(index, title="Ridge jacket?", cover=False)


def open_page(browser, width: int, url: str):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="he-IL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(url)
    return context, page


CHAR_X = """([selector, index]) => {
    const node = document.querySelector(selector).firstChild;
    const range = document.createRange();
    range.setStart(node, index);
    range.setEnd(node, index + 1);
    const box = range.getBoundingClientRect();
    return box.left + box.width / 2;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_hebrew_layout_is_mirrored(asgi_live_server, browser, story, width):
    context, page = open_page(browser, width, f"{asgi_live_server.url}/he/")
    try:
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("html").get_attribute("lang") == "he"
        # The header's first item (the brand) sits on the right.
        brand = page.locator(".site-header .brand").bounding_box()
        assert brand["x"] + brand["width"] / 2 > width / 2
        assert width - (brand["x"] + brand["width"]) < 60
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_mixed_direction_title_keeps_its_punctuation(asgi_live_server, browser, story, width):
    context, page = open_page(browser, width, f"{asgi_live_server.url}/he{story.url}")
    try:
        title = page.locator("h1.story__title bdi")
        assert title.inner_text() == "Ridge jacket?"
        # "?" is drawn after (to the right of) the "t" before it, not thrown to the line's start.
        question = page.evaluate(CHAR_X, ["h1.story__title bdi", len("Ridge jacket")])
        last_letter = page.evaluate(CHAR_X, ["h1.story__title bdi", len("Ridge jacke")])
        first_letter = page.evaluate(CHAR_X, ["h1.story__title bdi", 0])
        assert first_letter < last_letter < question
    finally:
        context.close()
