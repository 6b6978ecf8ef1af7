"""A shop order makes its member a verified buyer of what they bought, and invites them to
review it once, N days later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Product, Review, VerifiedPurchase
from feedback.tasks import sweep_review_invitations
from hub.notifications.models import Notification
from hub.shop.services import ingest_order_event
from tests.shop.helpers import envelope, make_shop, verified_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def tent():
    return Product.objects.create(name="Ridge 2", slug="ridge-2", sku="TM-RIDGE")


def invitations(user):
    return Notification.objects.filter(recipient=user, kind="feedback.review.invited").count()


def test_buying_a_product_makes_the_members_review_verified(tent):
    ana = verified_member("ana")
    review = services.submit_review(tent, by=ana, rating=4, title="Good", body="Dry inside.")
    assert not review.verified
    ingest_order_event(make_shop()[0], envelope(skus=["TM-RIDGE"]))
    review.refresh_from_db()
    assert review.verified and review.collected == Review.VERIFIED


def test_a_review_written_after_buying_is_verified_at_once(tent):
    ana = verified_member("ana")
    ingest_order_event(make_shop()[0], envelope(skus=["TM-RIDGE"]))
    review = services.submit_review(tent, by=ana, rating=5, title="Great", body="Pitched in 4 min.")
    assert review.verified


def test_the_invitation_goes_after_n_days_once_per_product(tent):
    ana = verified_member("ana")
    shop = make_shop()[0]
    ingest_order_event(shop, envelope("1", skus=["TM-RIDGE"]))
    ingest_order_event(shop, envelope("2", skus=["TM-RIDGE"]))  # bought again: one invitation
    purchase = VerifiedPurchase.objects.get(member=ana, product=tent)
    assert purchase.invite_at > timezone.now() + timedelta(days=6)
    assert sweep_review_invitations.call() == 0
    VerifiedPurchase.objects.update(invite_at=timezone.now() - timedelta(minutes=1))
    assert sweep_review_invitations.call() == 1
    assert sweep_review_invitations.call() == 0
    assert invitations(ana) == 1
    note = Notification.objects.get(recipient=ana, kind="feedback.review.invited")
    assert "invitation=" in note.url


def test_no_invitation_when_the_member_reviewed_it_meanwhile(tent):
    ana = verified_member("ana")
    ingest_order_event(make_shop()[0], envelope(skus=["TM-RIDGE"]))
    services.submit_review(tent, by=ana, rating=5, title="Great", body="Pitched in 4 min.")
    VerifiedPurchase.objects.update(invite_at=timezone.now() - timedelta(minutes=1))
    assert sweep_review_invitations.call() == 0
    assert invitations(ana) == 0


def test_unknown_skus_change_nothing(tent):
    verified_member("ana")
    ingest_order_event(make_shop()[0], envelope(skus=["OTHER"]))
    assert not VerifiedPurchase.objects.exists()
