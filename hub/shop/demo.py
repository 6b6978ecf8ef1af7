"""Demo data for the shop connection: the Trailmark online store, a come-back perk, and a year of
orders from the demo members and from customers who have no account, so the purchase KPIs and
the members-vs-others comparison show real figures.

Orders go through ingest_order_event (source "demo"), as a shop's webhooks would: the members
earn their points, become verified buyers and get their come-back code the same way.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hub.demo import register_seeder
from hub.rewards.models import Perk

from . import kpis
from .models import Order, OrderEvent, Shop
from .queries import programme_settings

DEMO_SHOP_SLUG = "trailmark-store"
COMEBACK_PERK_SLUG = "come-back-10"
# The demo products' SKUs (feedback's demo catalogue): buying one makes a verified buyer.
SKUS = {
    "TM-RIDGE-2-TENT": Decimal("289.00"),
    "TM-SUMMIT-45-BA": Decimal("179.00"),
    "TM-EMBER-CAMP-S": Decimal("64.90"),
    "TM-DRIFT-DOWN-S": Decimal("229.00"),
    "TM-SOCKS-MERINO": Decimal("19.90"),
    "TM-BOTTLE-1L": Decimal("24.50"),
}
# (member, how many orders, over how many days back)
MEMBER_ORDERS = [("ana", 5, 330), ("ben", 3, 300), ("chen", 4, 200), ("dara", 1, 20)]
GUEST_CUSTOMERS = 30


def _envelope(order_id: str, email: str, skus: list[str], when) -> dict:
    total = sum(SKUS[sku] for sku in skus)
    return {
        "type": "order.paid",
        "timestamp": when.isoformat(),
        "data": {
            "id": order_id,
            "email": email,
            "currency": "EUR",
            "total": str(total),
            "line_items": [
                {"sku": sku, "quantity": 1, "unit_price": str(SKUS[sku])} for sku in skus
            ],
            "created_at": when.isoformat(),
            "paid_at": when.isoformat(),
        },
    }


def _demo_orders(now) -> list[tuple[str, dict]]:
    """Every demo order as (e-mail, envelope), the same on every run (a seeded random)."""
    rng = random.Random(15)  # noqa: S311  (demo data)
    catalogue = list(SKUS)
    orders = []
    number = 1000
    for username, count, days in MEMBER_ORDERS:
        email = f"{username}@example.com"
        for n in range(count):
            number += 1
            back = days - n * days // count
            when = now - timedelta(days=back, hours=rng.randint(0, 12))
            skus = rng.sample(catalogue, rng.randint(1, 2))
            orders.append((email, _envelope(f"TM-{number}", email, skus, when)))
    for guest in range(1, GUEST_CUSTOMERS + 1):
        email = f"customer{guest:02d}@example.net"
        # A third come back once or twice: fewer repeat buyers than among the members.
        count = 1 + (guest % 3 == 0) + (guest % 9 == 0)
        for _n in range(count):
            number += 1
            when = now - timedelta(days=rng.randint(1, 360), hours=rng.randint(0, 12))
            skus = rng.sample(catalogue, 1)
            orders.append((email, _envelope(f"TM-{number}", email, skus, when)))
    orders.sort(key=lambda item: item[1]["data"]["created_at"])
    return orders


def seed_shop(log) -> None:
    from .services import connect_shop, ingest_order_event

    shop = Shop.objects.filter(slug=DEMO_SHOP_SLUG).first()
    if shop is None:
        shop = Shop.objects.create(name="Trailmark online store", slug=DEMO_SHOP_SLUG)
        connect_shop(shop)
        log("shop Trailmark online store, with a signing secret")
    perk, created = Perk.objects.get_or_create(
        slug=COMEBACK_PERK_SLUG,
        defaults={
            "title": "10% off your next order",
            "description": "Our thank-you for a first order: 10% off the next one.",
            "cost": 0,
            "code_type": Perk.SHARED,
            "shared_code": "COMEBACK10",
            # Given by the programme after a first order, never redeemed on /perks/.
            "is_active": False,
            "instructions": "Enter the code at checkout.",
        },
    )
    settings = programme_settings()
    if settings.pk and settings.comeback_perk_id is None:
        settings.comeback_perk = perk
        settings.save(update_fields=["comeback_perk"])
        log("come-back perk: 10% off the next order")
    if Order.objects.filter(shop=shop).exists():
        return
    now = timezone.now()
    with transaction.atomic():
        for _email, envelope in _demo_orders(now):
            ingest_order_event(shop, envelope, source=OrderEvent.DEMO)
        # A refund, so the ledger and the KPIs show one.
        refunded = Order.objects.filter(shop=shop, email="ben@example.com").order_by("pk").last()
        if refunded is not None:
            envelope = _envelope(refunded.external_id, refunded.email, [], refunded.placed_at)
            envelope["type"] = "order.partially_refunded"
            envelope["data"]["total"] = str(refunded.total)
            envelope["data"]["refunded"] = str((refunded.total / 2).quantize(Decimal("0.01")))
            ingest_order_event(shop, envelope, source=OrderEvent.DEMO)
    kpis.drop_cache()
    log(f"{Order.objects.filter(shop=shop).count()} demo orders")


# After the demo members, their contributions and the perks exist.
register_seeder("shop", seed_shop, order=80)
