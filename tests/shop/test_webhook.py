"""The order webhook: Standard Webhooks signatures, timestamps and replays; every refusal a
problem-details body that stores nothing; an accepted delivery answered 202 at once and applied
by the background worker."""

import json
import time

import pytest
from django.test import Client

from hub.rewards.models import Balance, PointsEntry
from hub.shop.models import Order, OrderEvent
from tests.shop.helpers import deliver, envelope, make_shop, verified_member

pytestmark = pytest.mark.django_db


def nothing_stored():
    return not Order.objects.exists() and not OrderEvent.objects.exists()


def test_a_signed_paid_order_is_accepted_and_the_worker_gives_the_member_points(client):
    shop, secret = make_shop()
    ana = verified_member("ana")
    response = deliver(client, secret, envelope(total="120.00"), shop="store")

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "accepted" and body["order"] == "1001"
    event = OrderEvent.objects.get(pk=body["event"])
    assert event.processed_at is not None and "+120 points" in event.outcome
    order = Order.objects.get()
    assert (order.member, order.status, order.points_awarded) == (ana, Order.PAID, 120)
    assert Balance.objects.get(user=ana).lifetime == 120
    assert ana.notifications.filter(kind="shop.order.rewarded").count() == 1


def test_the_shop_is_found_by_its_secret_without_the_query_parameter(client):
    _shop, secret = make_shop()
    assert deliver(client, secret, envelope()).status_code == 202


def test_a_bad_signature_is_refused_with_a_problem_and_stores_nothing(client):
    make_shop()
    _other, wrong = make_shop("other-shop")
    response = deliver(client, wrong, envelope(), shop="store")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/invalid-signature"
    assert nothing_stored()


def test_a_tampered_body_is_refused(client):
    _shop, secret = make_shop()
    body = json.dumps(envelope(total="10.00")).encode()
    from hub.shop.signing import sign

    headers = sign(secret, body)
    tampered = body.replace(b"10.00", b"99.00")
    response = client.post(
        "/api/v1/webhooks/orders/",
        tampered,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert response.status_code == 401
    assert nothing_stored()


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_five_minutes_is_refused_and_stores_nothing(client, offset):
    _shop, secret = make_shop()
    response = deliver(client, secret, envelope(), when=time.time() + offset)

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/timestamp-out-of-tolerance"
    assert nothing_stored()


def test_missing_headers_are_refused(client):
    make_shop()
    response = client.post("/api/v1/webhooks/orders/", b"{}", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/missing-signature-headers"
    assert nothing_stored()


def test_a_replayed_webhook_id_is_refused_and_changes_nothing(client):
    _shop, secret = make_shop()
    ana = verified_member("ana")
    first = deliver(client, secret, envelope(total="50.00"), webhook_id="msg_1")
    replay = deliver(client, secret, envelope(total="50.00"), webhook_id="msg_1")

    assert first.status_code == 202
    assert replay.status_code == 409
    assert replay.json()["type"] == "/problems/replayed-delivery"
    assert OrderEvent.objects.count() == 1
    assert Balance.objects.get(user=ana).lifetime == 50


def test_an_invalid_payload_lists_every_error_and_stores_nothing(client):
    _shop, secret = make_shop()
    payload = {"type": "order.paid", "data": {"id": "", "email": "nope", "total": "-3"}}
    response = deliver(client, secret, payload)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"data.id", "data.email", "data.total", "data.created_at"} <= set(errors)
    assert nothing_stored()


def test_a_body_that_is_not_json_is_refused(client):
    _shop, secret = make_shop()
    response = deliver(client, secret, b"not json")
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/invalid-json"


def test_a_rotated_secret_keeps_working_until_it_expires(client, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from hub.shop.models import ShopSecret
    from hub.shop.services import rotate_secret

    shop, old = make_shop()
    new = rotate_secret(shop, by=admin_user, overlap_hours=1)

    assert deliver(client, old, envelope("1")).status_code == 202
    assert deliver(client, new, envelope("2")).status_code == 202
    ShopSecret.objects.filter(secret=old).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert deliver(client, old, envelope("3")).status_code == 401
    assert Order.objects.count() == 2


def test_a_paused_shop_is_refused(client):
    _shop, secret = make_shop(is_active=False)
    response = deliver(client, secret, envelope(), shop="store")
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/shop-paused"
    assert nothing_stored()


def test_the_webhook_needs_no_csrf_token(client):
    _shop, secret = make_shop()
    strict = Client(enforce_csrf_checks=True)
    assert deliver(strict, secret, envelope()).status_code == 202


def test_get_is_not_allowed(client):
    assert client.get("/api/v1/webhooks/orders/").status_code == 405


def test_an_unmatched_address_keeps_the_order_without_points(client):
    _shop, secret = make_shop()
    response = deliver(client, secret, envelope(email="newcomer@example.com"))
    assert response.status_code == 202
    order = Order.objects.get()
    assert order.member is None and order.email == "newcomer@example.com"
    assert not PointsEntry.objects.exists()
