"""Browser test: a member writes a review, an editor features it in the Wagtail admin, and it
appears on the home page."""

import re

import pytest

from feedback.models import Product, Review
from tests.factories import UserFactory, build_site_tree, make_editor

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return context, page


def test_member_review_featured_by_the_editor_appears_on_the_home_page(browser, asgi_live_server):
    url = asgi_live_server.url
    build_site_tree()
    Product.objects.create(name="Ridge 2 Tent", slug="ridge-2-tent", category="Tents")
    UserFactory(username="rowan", display_name="Rowan Hart")
    make_editor("editor", can_publish=False)

    member_context, page = new_page(browser)
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username or e-mail").fill("rowan")
    page.get_by_label("Password").fill("demo12345")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/profile/$"))
    page.get_by_role("link", name="Products").first.click()
    page.get_by_role("link", name="Ridge 2 Tent").click()
    page.get_by_role("link", name="Write a review").click()
    page.get_by_role("button", name="Post your review").click()  # nothing filled in
    assert page.get_by_text("Choose a rating from 1 to 5 stars.").is_visible()
    page.get_by_label("5 stars").check()
    page.get_by_label("Title").fill("Dry through a mountain storm")
    page.get_by_label("Your review").fill("Pitched it in **four minutes** in the rain.")
    page.get_by_role("button", name="Post your review").click()
    page.wait_for_url(re.compile(r"/products/ridge-2-tent/#review-\d+$"))
    assert page.get_by_text("Thank you! Your review is published.").is_visible()
    assert page.locator(".review strong", has_text="four minutes").is_visible()
    assert page.get_by_text("Based on 1 review").is_visible()
    review = Review.objects.get()

    editor_context, admin = new_page(browser)
    admin.goto(f"{url}/admin/login/")
    admin.locator("#id_username").fill("editor")
    admin.locator("#id_password").fill("demo12345")
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.goto(f"{url}/admin/feedback/reviews/")
    admin.get_by_role("link", name="Dry through a mountain storm").click()
    admin.wait_for_url(re.compile(rf"/admin/feedback/reviews/edit/{review.pk}/$"))
    admin.get_by_label("Feature as a testimonial on the home page").check()
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_url(re.compile(r"/admin/feedback/reviews/$"))
    assert admin.get_by_text("featured as a testimonial").is_visible()

    page.goto(f"{url}/")
    section = page.locator("section", has_text="What our customers say")
    assert section.get_by_text("Pitched it in four minutes in the rain.").is_visible()
    assert section.get_by_text("Rowan Hart").is_visible()
    assert not page.errors and not admin.errors
    member_context.close()
    editor_context.close()
