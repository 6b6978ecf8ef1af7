"""Each of the nine event types is emitted by the action that causes it, with its payload."""

from datetime import timedelta

import pytest

from events import services as event_services
from feedback import services as feedback_services
from feedback.models import Idea, Product
from hub.rewards import services as rewards
from hub.rewards.models import Perk, Tier
from hub.webhooks.models import WebhookDelivery
from hub.webhooks.types import all_event_types
from tests import factories
from tests.events.factories import build_event_index, make_event
from tests.feedback.factories import ProductFactory, make_idea

pytestmark = pytest.mark.django_db

NINE = [
    "member.joined",
    "member.tier_changed",
    "points.awarded",
    "perk.redeemed",
    "review.published",
    "idea.status_changed",
    "rsvp.confirmed",
    "rsvp.cancelled",
    "event.checked_in",
]


@pytest.fixture
def subscribed(make_endpoint):
    """An endpoint subscribed to everything; tests read the deliveries it was given (the test's
    transaction never commits, so nothing is sent)."""
    make_endpoint("https://crm.example.com/hooks", [t.code for t in all_event_types()])

    def sent(event_type):
        return [
            d.payload["data"]
            for d in WebhookDelivery.objects.filter(event_type=event_type).order_by("id")
        ]

    return sent


def test_the_nine_event_types_are_registered():
    assert set(NINE) <= {t.code for t in all_event_types()}


def test_signing_up_emits_member_joined(client, subscribed, site_tree):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "username": "newbie",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    [data] = subscribed("member.joined")
    assert data["member"]["email"] == "new@example.com"
    assert data["member"]["username"] == "newbie"
    assert data["referred_by"] is None


def test_points_emit_points_awarded_and_a_new_tier_member_tier_changed(subscribed):
    Tier.objects.all().delete()
    Tier.objects.create(name="Insider", threshold=100)
    ana = factories.UserFactory(username="ana")
    rewards.award(ana, "accounts.email.verified", source=ana)
    [awarded] = subscribed("points.awarded")
    assert awarded["entry"]["action"] == "accounts.email.verified"
    assert awarded["entry"]["points"] == 10
    assert awarded["points"] == {"lifetime": 10, "spendable": 10, "owed": 0}
    assert subscribed("member.tier_changed") == []
    rewards.adjust(ana, 95, reason="Gift", by=None)
    [up] = subscribed("member.tier_changed")
    assert up["tier"] == {"name": "Insider", "threshold": 100}
    assert up["previous_tier"] is None
    assert up["lifetime_points"] == 105
    rewards.adjust(ana, -20, reason="Correction", by=None)
    down = subscribed("member.tier_changed")[-1]
    assert down["tier"] is None and down["previous_tier"]["name"] == "Insider"
    assert [a["entry"]["points"] for a in subscribed("points.awarded")] == [10, 95, -20]


def test_redeeming_emits_perk_redeemed(subscribed):
    ana = factories.UserFactory(username="ana")
    rewards.adjust(ana, 100, reason="Gift", by=None)
    perk = Perk.objects.create(title="Sticker", slug="sticker", cost=40, shared_code="HELLO")
    rewards.redeem_perk(perk, by=ana)
    [data] = subscribed("perk.redeemed")
    assert data["perk"]["slug"] == "sticker"
    assert data["redemption"]["code"] == "HELLO"
    assert data["points"]["spendable"] == 60


def test_publishing_a_review_emits_review_published_once(subscribed):
    product = ProductFactory(sku="TENT-2")
    ana = factories.UserFactory(username="ana")
    feedback_services.submit_review(product, by=ana, rating=5, title="Dry", body="Kept me dry.")
    feedback_services.submit_review(product, by=ana, rating=4, title="Dry", body="Still dry.")
    [data] = subscribed("review.published")  # the edit of a published review is not news
    assert data["review"]["rating"] == 5
    assert data["product"]["sku"] == "TENT-2"
    assert data["member"]["username"] == "ana"


def test_approving_a_waiting_review_emits_review_published(subscribed):
    product = ProductFactory(moderation=Product.PRE_MODERATION)
    ana = factories.UserFactory(username="ana")
    review = feedback_services.submit_review(product, by=ana, rating=3, title="Ok", body="Fine.")
    assert subscribed("review.published") == []
    feedback_services.approve_review(review, by=factories.make_editor())
    assert [d["review"]["id"] for d in subscribed("review.published")] == [review.pk]


def test_moving_an_idea_emits_idea_status_changed(subscribed):
    idea = make_idea(title="Lighter poles")
    feedback_services.set_idea_status(idea, status=Idea.PLANNED, note="Next spring", by=None)
    [data] = subscribed("idea.status_changed")
    assert data["idea"]["title"] == "Lighter poles"
    assert (data["status"], data["previous_status"], data["note"]) == (
        Idea.PLANNED,
        Idea.OPEN,
        "Next spring",
    )
    other = make_idea(title="Light poles")
    feedback_services.merge_ideas(other, into=idea, by=factories.make_editor())
    merged = subscribed("idea.status_changed")[-1]
    assert merged["status"] == Idea.MERGED
    assert merged["merged_into"]["id"] == idea.pk


def test_rsvps_emit_confirmed_cancelled_and_checked_in(subscribed, site_tree):
    home, _ = site_tree
    # Starting soon: check-in opens shortly before the start.
    event = make_event(build_event_index(home), capacity=1, starts_in=timedelta(minutes=30))
    ana, ben = factories.UserFactory(username="ana"), factories.UserFactory(username="ben")
    event_services.register_rsvp(event, by=ana)
    event_services.register_rsvp(event, by=ben)  # waitlisted: not confirmed yet
    assert [d["member"]["username"] for d in subscribed("rsvp.confirmed")] == ["ana"]
    event_services.cancel_rsvp(event, by=ana)  # ben moves up
    [cancelled] = subscribed("rsvp.cancelled")
    assert cancelled["member"]["username"] == "ana"
    assert cancelled["previous_status"] == "confirmed"
    promoted = subscribed("rsvp.confirmed")[-1]
    assert promoted["member"]["username"] == "ben" and promoted["promoted"] is True
    rsvp = event.rsvps.get(user=ben)
    event_services.check_in(rsvp, by=factories.make_editor())
    event_services.check_in(rsvp, by=factories.make_editor("editor2"))  # scanned twice
    [checked] = subscribed("event.checked_in")
    assert checked["event"]["title"] == event.title
    assert checked["rsvp"]["checked_in_at"] is not None


def test_an_organiser_removing_an_rsvp_emits_rsvp_cancelled(subscribed, site_tree):
    home, _ = site_tree
    event = make_event(build_event_index(home))
    ana = factories.UserFactory(username="ana")
    rsvp = event_services.register_rsvp(event, by=ana)
    event_services.remove_rsvp(rsvp, by=factories.make_editor())
    [data] = subscribed("rsvp.cancelled")
    assert data["by_organisers"] is True


def test_unregistered_event_type_is_a_programming_error():
    from hub.webhooks.services import emit

    with pytest.raises(LookupError):
        emit("order.shipped", {})
