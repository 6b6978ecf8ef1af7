"""POST /api/v1/orders/: the shop's order events with an API key (orders:write), as the signed
webhook takes them, through the same ingestion."""

import json

import pytest

from hub.rewards.models import Balance
from hub.shop.models import Order, OrderEvent
from tests.shop.helpers import envelope, make_shop, verified_member

from .conftest import as_problem

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def post_order(client, payload, *, shop=None, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    url = ORDERS + (f"?shop={shop}" if shop else "")
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


def test_a_paid_order_earns_the_member_points(api, django_assert_max_num_queries):
    make_shop()
    ana = verified_member("ana")
    verified_member("ben")
    # The shop's first order creates its rules' rows and settings; the next ones are measured.
    post_order(api, envelope("999", email="ben@example.com", total="10.00"))
    # A member's first paid order: the ingestion's own work (order, event, points, verified
    # buyer, come-back perk, notifications) and the key and the Idempotency-Key's record.
    with django_assert_max_num_queries(80):
        response = post_order(api, envelope(total="120.00"), key="order-1001-paid")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "processed" and body["order"] == "1001"
    assert body["points"] == 120 and body["member"] is True
    assert Balance.objects.get(user=ana).lifetime == 120
    assert OrderEvent.objects.get(order__external_id="1001").source == OrderEvent.API


def test_the_same_idempotency_key_and_body_answer_once(api):
    make_shop()
    ana = verified_member("ana")
    payload = envelope(total="50.00")
    first = post_order(api, payload, key="k-1")
    again = post_order(api, payload, key="k-1")
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert OrderEvent.objects.count() == 1
    assert Balance.objects.get(user=ana).lifetime == 50
    other = post_order(api, envelope(total="60.00"), key="k-1")
    assert other.status_code == 422
    assert as_problem(other)["type"] == "/problems/idempotency-key-reused"


def test_the_same_order_sent_twice_pays_once(api):
    make_shop()
    ana = verified_member("ana")
    payload = envelope(total="80.00")
    assert post_order(api, payload).status_code == 201
    second = post_order(api, payload)
    assert second.status_code == 200
    assert second.json()["points"] == 0
    assert Balance.objects.get(user=ana).lifetime == 80


def test_an_invalid_order_is_a_problem_that_stores_nothing(api):
    make_shop()
    bad = envelope()
    del bad["data"]["email"]
    response = post_order(api, bad)
    assert response.status_code == 422
    body = as_problem(response)
    assert "email" in json.dumps(body.get("errors", {})) or "mail" in body["detail"]
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


def test_the_shop_is_named_when_there_are_several(api):
    make_shop("store")
    make_shop("outlet")
    verified_member("ana")
    response = post_order(api, envelope())
    assert response.status_code == 400
    assert "shop" in as_problem(response)["errors"]
    assert post_order(api, envelope(), shop="outlet").status_code == 201
    assert Order.objects.get().shop.slug == "outlet"
    assert post_order(api, envelope(), shop="nowhere").status_code == 404


def test_no_shop_connected_is_a_problem(api):
    response = post_order(api, envelope())
    assert response.status_code == 404
    as_problem(response)


def test_orders_need_the_orders_write_scope(client, make_key):
    make_shop()
    _key, raw = make_key(scopes=["members:read", "points:write"])
    response = post_order(client, envelope(), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert as_problem(response)["required_scope"] == "orders:write"
    assert not OrderEvent.objects.exists()
