"""Browser test: the header's search box suggests results as you type, and the keyboard alone
picks one (at desktop and phone widths)."""

import pytest

from tests.factories import UserFactory, build_site_tree
from tests.feedback.factories import ProductFactory, make_idea

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


@pytest.mark.parametrize("width", [1280, 390])
def test_suggestions_as_you_type_and_keyboard_choice(asgi_live_server, browser, width):
    from playwright.sync_api import expect

    build_site_tree()
    ProductFactory(name="Ridge stove", slug="ridge-stove", description="Boils fast.")
    make_idea(UserFactory(username="ana"), title="A lighter stove")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{asgi_live_server.url}/")
    if width < 1100:
        page.get_by_role("button", name="Menu").click()
    box = page.get_by_role("combobox", name="Search")
    box.click()
    box.press_sequentially("stov", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    title = first.locator("bdi").inner_text()
    box.press("Enter")
    expected = "/products/ridge-stove/" if title == "Ridge stove" else "/ideas/"
    page.wait_for_url(f"**{expected}**")
    assert errors == []
    context.close()
