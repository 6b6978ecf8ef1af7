"""Shared helpers for the shop tests: a connected shop, signed deliveries, order events."""

import json
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from hub.shop.models import Shop, ShopSecret, new_secret
from hub.shop.signing import sign
from tests.factories import UserFactory

WEBHOOK = "/api/v1/webhooks/orders/"


def make_shop(slug: str = "store", **fields) -> tuple[Shop, str]:
    shop = Shop.objects.create(name=fields.pop("name", "Store"), slug=slug, **fields)
    secret = ShopSecret.objects.create(shop=shop, secret=new_secret())
    return shop, secret.secret


def verified_member(username: str, **fields):
    member = UserFactory(username=username, **fields)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member


def envelope(
    order_id="1001",
    email="ana@example.com",
    total="100.00",
    *,
    kind="order.paid",
    refunded=None,
    skus=("SKU-1",),
    codes=(),
    placed=None,
    paid=None,
    cancelled=None,
) -> dict:
    placed = placed or timezone.now()
    data = {
        "id": order_id,
        "email": email,
        "currency": "EUR",
        "total": str(total),
        "line_items": [
            {
                "sku": sku,
                "quantity": 1,
                "unit_price": str(Decimal(total) / len(skus) if skus else 0),
            }
            for sku in skus
        ],
        "discount_codes": list(codes),
        "created_at": placed.isoformat(),
    }
    if refunded is not None:
        data["refunded"] = str(refunded)
    if paid is not None:
        data["paid_at"] = paid.isoformat()
    if cancelled is not None:
        data["cancelled_at"] = cancelled.isoformat()
    return {"type": kind, "timestamp": timezone.now().isoformat(), "data": data}


def deliver(client, secret: str, payload, *, shop: str | None = None, process=True, **sign_kwargs):
    """POST ``payload`` signed with ``secret``, as a shop would. The accepted delivery's task
    is enqueued once the request's transaction commits; with ``process`` (the default) the test
    runs those commit hooks, so the tests' immediate task backend applies it as the worker
    would; without, the delivery stays pending."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = sign(secret, body, **sign_kwargs)
    url = WEBHOOK + (f"?shop={shop}" if shop else "")
    with TestCase.captureOnCommitCallbacks(execute=process):
        return client.post(
            url,
            body,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )


def webhook_url() -> str:
    return reverse("shop_order_webhook")
