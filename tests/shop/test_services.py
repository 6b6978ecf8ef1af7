"""What an order does through the one ledger: points with tier multipliers, refunds and
cancellations taken back in proportion, orders kept until the address is verified, referrals
qualified by a first order, perk codes used, and the come-back perk with its reminder."""

from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.utils import timezone
from wagtail.models import Site

from hub.notifications.models import Notification
from hub.rewards import services as rewards
from hub.rewards.models import (
    Balance,
    Perk,
    PerkCode,
    PointsEntry,
    Referral,
    ReferralSettings,
    Tier,
)
from hub.shop import services
from hub.shop.models import ComebackOffer, Order, OrderEvent, ShopSettings
from hub.shop.tasks import sweep_comeback_reminders
from tests.factories import UserFactory
from tests.shop.helpers import envelope, make_shop, verified_member

pytestmark = pytest.mark.django_db


def ingest(shop, payload, **kwargs):
    return services.ingest_order_event(shop, payload, **kwargs)


def balance(user) -> tuple[int, int, int]:
    b = Balance.objects.get(user=user)
    return b.lifetime, b.spendable, b.owed


def kinds(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


@pytest.fixture
def shop():
    return make_shop()[0]


@pytest.fixture
def ana():
    return verified_member("ana")


def test_points_per_currency_unit_are_rounded_down(shop, ana):
    ingest(shop, envelope(total="49.90"))
    assert balance(ana)[0] == 49


def test_the_tier_multiplier_applies_to_the_members_tier(shop, ana):
    Tier.objects.filter(threshold=0).update(points_multiplier=Decimal("1.00"))
    insider = Tier.objects.get(name="Insider")
    insider.points_multiplier = Decimal("1.50")
    insider.save()
    rewards.adjust(ana, insider.threshold, reason="Bonus", by=None)
    ingest(shop, envelope(total="100.00"))
    assert Order.objects.get().points_awarded == 150


def test_the_points_rule_off_gives_nothing_but_keeps_the_order(shop, ana):
    rule = rewards.get_rule("shop.order.paid")
    rule.enabled = False
    rule.save()
    result = ingest(shop, envelope(total="100.00"))
    assert result.order.status == Order.PAID and result.points == 0
    assert not PointsEntry.objects.filter(action="shop.order.paid").exists()


def test_a_created_order_earns_nothing_until_it_is_paid(shop, ana):
    ingest(shop, envelope(kind="order.created", total="80.00"))
    assert not Balance.objects.filter(user=ana).exists()
    ingest(shop, envelope(kind="order.paid", total="80.00"))
    assert balance(ana)[0] == 80


def test_a_partial_refund_takes_back_points_in_proportion_then_the_rest(shop, ana):
    ingest(shop, envelope(total="200.00"))
    ingest(shop, envelope(kind="order.partially_refunded", total="200.00", refunded="50.00"))
    assert balance(ana)[0] == 150
    order = Order.objects.get()
    assert (order.status, order.points_reversed) == (Order.PARTIALLY_REFUNDED, 50)
    ingest(shop, envelope(kind="order.refunded", total="200.00"))
    order.refresh_from_db()
    assert (order.status, order.points_reversed, balance(ana)[0]) == (Order.REFUNDED, 200, 0)
    assert kinds(ana, "shop.order.refunded") == 2


def test_a_refund_after_the_points_were_spent_leaves_them_owed(shop, ana):
    ingest(shop, envelope(total="100.00"))
    perk = Perk.objects.create(title="Mug", slug="mug", cost=80, shared_code="MUG")
    rewards.redeem_perk(perk, by=ana)
    ingest(shop, envelope(kind="order.refunded", total="100.00"))
    assert balance(ana) == (0, 0, 80)


def test_a_cancellation_takes_every_point_back(shop, ana):
    ingest(shop, envelope(total="60.00"))
    ingest(shop, envelope(kind="order.cancelled", total="60.00"))
    order = Order.objects.get()
    assert (order.status, order.points_kept, balance(ana)[0]) == (Order.CANCELLED, 0, 0)


def test_the_same_refund_delivered_twice_takes_back_once_and_tells_once(shop, ana):
    ingest(shop, envelope(total="100.00"))
    refund = envelope(kind="order.partially_refunded", total="100.00", refunded="30.00")
    ingest(shop, refund, webhook_id="msg_a")
    ingest(shop, refund, webhook_id="msg_b")
    assert balance(ana)[0] == 70
    assert kinds(ana, "shop.order.refunded") == 1


def test_the_same_order_paid_twice_under_new_ids_awards_once_and_tells_once(shop, ana):
    ingest(shop, envelope(total="100.00"), webhook_id="msg_1")
    ingest(shop, envelope(total="100.00"), webhook_id="msg_2")
    assert balance(ana)[0] == 100
    assert kinds(ana, "shop.order.rewarded") == 1
    assert OrderEvent.objects.count() == 2


def test_a_replayed_id_raises_and_keeps_nothing(shop, ana):
    ingest(shop, envelope("1"), webhook_id="msg_1")
    with pytest.raises(services.ShopError) as refused:
        ingest(shop, envelope("2"), webhook_id="msg_1")
    assert refused.value.status == 409
    assert Order.objects.count() == 1


def test_a_refund_arriving_before_the_payment_counts_both(shop, ana):
    ingest(shop, envelope(kind="order.partially_refunded", total="100.00", refunded="40.00"))
    order = Order.objects.get()
    assert order.is_paid and order.points_awarded == 100 and order.points_reversed == 40


def test_an_order_before_sign_up_counts_once_the_address_is_verified(shop):
    ingest(shop, envelope(email="Newbie@Example.org", total="75.00"))
    order = Order.objects.get()
    assert order.member is None

    newbie = UserFactory(username="newbie", email="newbie@example.org")
    address = EmailAddress.objects.create(user=newbie, email="newbie@example.org", primary=True)
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)  # twice

    order.refresh_from_db()
    assert order.member == newbie and order.points_awarded == 75
    assert PointsEntry.objects.filter(user=newbie, action="shop.order.paid").count() == 1
    assert OrderEvent.objects.filter(type=OrderEvent.ATTACHED).count() == 1


def test_an_unverified_address_does_not_attach(shop):
    member = UserFactory(username="ben", email="ben@example.com")
    EmailAddress.objects.create(user=member, email=member.email, verified=False)
    ingest(shop, envelope(email="ben@example.com"))
    assert Order.objects.get().member is None


@pytest.fixture
def referral_setup():
    referrer = verified_member("rita")
    rewards.referral_code_for(referrer)
    conditions = ReferralSettings.for_site(Site.objects.get(is_default_site=True))
    conditions.require_condition = "shop.first_paid_order"
    conditions.welcome_perk = Perk.objects.create(
        title="Welcome 15%", slug="welcome", code_type=Perk.UNIQUE, is_active=False
    )
    conditions.save()
    PerkCode.objects.create(perk=conditions.welcome_perk, code="WELCOME-AAAA")
    friend = verified_member("fred")
    rewards.record_referral(friend, code=referrer.referral_code)
    return referrer, friend


def test_a_referred_friends_first_paid_order_qualifies_the_referral(shop, referral_setup):
    referrer, friend = referral_setup
    referral = Referral.objects.get(referred=friend)
    assert referral.state == Referral.PENDING  # verified, but no order yet

    ingest(shop, envelope(email=friend.email, total="30.00"))

    referral.refresh_from_db()
    assert referral.state == Referral.QUALIFIED
    assert PointsEntry.objects.filter(user=referrer, action="rewards.referral.qualified").exists()
    gift = friend.redemptions.get(perk__slug="welcome")
    assert gift.code.code == "WELCOME-AAAA" and gift.points == 0


def test_a_cancelled_first_order_does_not_qualify(shop, referral_setup):
    _referrer, friend = referral_setup
    ingest(shop, envelope(email=friend.email, kind="order.cancelled"))
    assert Referral.objects.get(referred=friend).state == Referral.PENDING


def test_a_perk_code_in_an_orders_discount_codes_marks_the_redemption_used(shop, ana):
    perk = Perk.objects.create(title="Mug", slug="mug", code_type=Perk.UNIQUE)
    PerkCode.objects.create(perk=perk, code="MUG-1234")
    redemption = rewards.redeem_perk(perk, by=ana)
    ingest(shop, envelope(codes=["mug-1234"]))
    redemption.refresh_from_db()
    assert redemption.used_at is not None and redemption.used_reference == "Store #1001"


def test_a_shared_code_marks_only_the_buyers_own_redemption(shop, ana):
    ben = verified_member("ben")
    perk = Perk.objects.create(title="Tee", slug="tee", shared_code="TEE10")
    mine, theirs = rewards.redeem_perk(perk, by=ana), rewards.redeem_perk(perk, by=ben)
    ingest(shop, envelope(codes=["TEE10"]))
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.used_at is not None and theirs.used_at is None


@pytest.fixture
def comeback():
    settings = ShopSettings.for_site(Site.objects.get(is_default_site=True))
    settings.comeback_perk = Perk.objects.create(
        title="10% off", slug="come-back", shared_code="BACK10", is_active=False
    )
    settings.comeback_days, settings.comeback_reminder_days = 30, 7
    settings.save()
    return settings


def test_a_first_order_brings_a_come_back_code_that_expires(shop, ana, comeback):
    ingest(shop, envelope("1"))
    ingest(shop, envelope("2"))
    offer = ComebackOffer.objects.get(member=ana)
    assert offer.redemption.perk == comeback.comeback_perk
    expected = timezone.now() + timedelta(days=30)
    assert abs((offer.expires_at - expected).total_seconds()) < 60
    assert offer.remind_at == offer.expires_at - timedelta(days=7)
    assert ana.redemptions.count() == 1


def test_the_reminder_goes_once_before_the_code_expires(shop, ana, comeback):
    ingest(shop, envelope("1"))
    assert sweep_comeback_reminders.call() == 0  # not due yet
    ComebackOffer.objects.update(remind_at=timezone.now() - timedelta(minutes=1))
    assert sweep_comeback_reminders.call() == 1
    assert sweep_comeback_reminders.call() == 0
    assert kinds(ana, "shop.comeback.reminder") == 1


def test_no_reminder_once_the_code_was_used(shop, ana, comeback):
    ingest(shop, envelope("1"))
    ingest(shop, envelope("2", codes=["BACK10"]))
    ComebackOffer.objects.update(remind_at=timezone.now() - timedelta(minutes=1))
    assert sweep_comeback_reminders.call() == 0


def test_an_old_order_attached_at_sign_up_brings_no_come_back_code(shop, comeback):
    ingest(shop, envelope(email="late@example.org", placed=timezone.now() - timedelta(days=90)))
    late = verified_member("late", email="late@example.org")
    services.attach_orders(late, "late@example.org")
    assert Order.objects.get().points_awarded == 100
    assert not ComebackOffer.objects.exists()


def test_a_failing_order_handler_loses_neither_the_order_nor_the_points(shop, ana, monkeypatch):
    from hub.shop import handlers

    def broken(facts):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        handlers._handlers, "test.broken", handlers.OrderHandler("test.broken", broken)
    )
    ingest(shop, envelope(total="10.00"))
    assert balance(ana)[0] == 10
