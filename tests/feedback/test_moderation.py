"""The feedback app's sources in the one moderation queue, and their actions."""

import pytest
from django.core.exceptions import PermissionDenied

from feedback import services
from feedback.models import Product, Review
from hub.moderation import get_source, sources

from .factories import make_idea, make_review

pytestmark = pytest.mark.django_db


def test_three_sources_are_registered_for_moderators(moderator, member):
    keys = {s.key for s in sources(moderator)}
    assert {"feedback.review.pending", "feedback.review.reported", "feedback.idea.reported"} <= keys
    assert not {s.key for s in sources(member)} & keys


def test_pending_review_is_approved_from_the_queue(moderator, member, product):
    product.moderation = Product.PRE_MODERATION
    product.save()
    review = services.submit_review(product, by=member, rating=3, title="Okay", body="Fine")
    source = get_source("feedback.review.pending")
    [item] = source.items(10)
    assert {a.code for a in item.actions} == {"approve", "reject"}
    assert item.author == member and item.url.endswith(f"#review-{review.pk}")
    source.act(review.pk, "approve", by=moderator)
    review.refresh_from_db()
    product.refresh_from_db()
    assert review.status == Review.PUBLISHED and product.review_count == 1
    assert source.count() == 0


def test_reports_dismissed_leave_the_review_up(moderator, other, product):
    review = make_review(product)
    services.report(review, by=other, reason="Looks fake")
    source = get_source("feedback.review.reported")
    source.act(review.pk, "dismiss", by=moderator)
    review.refresh_from_db()
    assert review.status == Review.PUBLISHED and review.report_count == 0
    assert source.count() == 0


def test_members_cannot_act(member, product):
    review = make_review(product)
    with pytest.raises(PermissionDenied):
        get_source("feedback.review.reported").act(review.pk, "hide", by=member, reason="x")
    idea = make_idea()
    with pytest.raises(PermissionDenied):
        get_source("feedback.idea.reported").act(idea.pk, "hide", by=member, reason="x")
