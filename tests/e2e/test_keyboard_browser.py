"""Keyboard journeys: Tab and Enter alone sign a member in, vote for an idea and RSVP, and the
focused control always shows a visible focus ring. A visitor who signs in to RSVP comes back to
finish it; the anchored RSVP box is not hidden under the sticky header; the footer's language
applies on change."""

import re

import pytest

from events.models import RSVP
from feedback.models import IdeaVote
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, build_site_tree
from tests.feedback.factories import make_idea

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

# A visible focus indicator: an outline, or a box-shadow ring, on the focused element.
FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus, checking every stop shows a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_RING), page.evaluate("document.activeElement.outerHTML")[:200]
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


@pytest.fixture
def site():
    home, _stories = build_site_tree()
    member = UserFactory(username="rowan", display_name="Rowan Hart")
    event = make_event(build_event_index(home), title="Ridge walk")
    idea = make_idea(title="A lighter stove")
    return {"member": member, "event": event, "idea": idea}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_member_signs_in_votes_and_rsvps_with_the_keyboard_alone(asgi_live_server, page, site):
    url = asgi_live_server.url
    page.goto(f"{url}/accounts/login/")
    tab_to(page, "input[name=login]")
    page.keyboard.type("rowan")
    tab_to(page, "input[name=password]")
    page.keyboard.type("demo12345")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/profile/$"))

    page.goto(f"{url}/ideas/{site['idea'].pk}/")
    tab_to(page, "button.vote__button")
    page.keyboard.press("Enter")
    page.locator("button.vote__button[aria-pressed=true]").first.wait_for()
    assert IdeaVote.objects.filter(idea=site["idea"], user=site["member"]).exists()

    page.goto(url + site["event"].url)
    tab_to(page, ".rsvp-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#rsvp$"))
    assert page.get_by_text("You are going.", exact=True).is_visible()
    assert RSVP.objects.get(event=site["event"], user=site["member"]).is_confirmed
    # The anchored box starts below the sticky header, not under it.
    page.wait_for_function(
        "document.getElementById('rsvp').getBoundingClientRect().top >="
        " document.querySelector('.site-header').getBoundingClientRect().bottom",
        timeout=3_000,
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_a_visitor_who_signs_in_to_rsvp_is_brought_back_to_finish(
    asgi_live_server, browser, site, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(asgi_live_server.url + site["event"].url)

    page.get_by_role("link", name="Sign in to RSVP").click()
    page.get_by_label("Username or e-mail").fill("rowan")
    page.get_by_label("Password").fill("demo12345")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/events/\d+/rsvp/$"))
    page.get_by_role("button", name="RSVP").click()

    page.wait_for_url(re.compile(r"#rsvp$"))
    assert page.get_by_text("You are going.", exact=True).is_visible()
    assert RSVP.objects.get(event=site["event"], user=site["member"]).is_confirmed

    # The footer's language takes effect on change; its button is only for visitors without JS.
    assert page.locator(".language-form button").is_hidden()
    page.locator("#language-select").select_option("fr")
    page.wait_for_function("document.documentElement.lang === 'fr'")
    context.close()
