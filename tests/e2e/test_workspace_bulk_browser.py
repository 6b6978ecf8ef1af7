"""Browser test: a moderator ticks two reviews in the review queue, hides them with one reason
from Wagtail's bulk-actions bar, and the queue is empty."""

import re

import pytest

from feedback.models import Review
from hub.rewards.models import PointsEntry
from tests.factories import UserFactory, build_site_tree
from tests.feedback.factories import ProductFactory, make_review

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def test_moderator_hides_two_reviews_from_the_queue_in_one_go(live_server, page):
    from django.contrib.auth.models import Group

    build_site_tree()
    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    product = ProductFactory(name="Ridge 2 Tent")
    spam = [
        make_review(product, status=Review.PENDING, title=title) for title in ("Buy now", "Cheap")
    ]
    keep = make_review(product, status=Review.PENDING, title="Sturdy in the wind")

    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("mod")
    page.locator("#id_password").fill("demo12345")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/feedback/review-queue/")
    for review in spam:
        page.locator(f'input[data-bulk-action-checkbox][data-object-id="{review.pk}"]').check()
    page.get_by_role("link", name="Hide the selected reviews").click()
    page.wait_for_url(re.compile(r"/admin/bulk/feedback/review/hide/"))
    assert page.get_by_text("Buy now").is_visible() and page.get_by_text("Cheap").is_visible()
    page.get_by_label("Reason").fill("Advertising")
    page.get_by_role("button", name="Yes, go ahead").click()
    page.wait_for_url(re.compile(r"/admin/feedback/review-queue/"))
    page.get_by_text("Hide: 2 items done.").wait_for()
    assert page.get_by_text("Sturdy in the wind").is_visible()
    assert set(Review.objects.filter(status=Review.HIDDEN)) == set(spam)
    assert Review.objects.get(pk=keep.pk).status == Review.PENDING
    assert not PointsEntry.objects.filter(kind=PointsEntry.REVERSAL).exists()  # never published
    assert page.errors == []
