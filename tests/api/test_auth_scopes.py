"""API keys: hashed, scoped, revocable, rate limited; every error a problem."""

import json

import pytest
from django.utils import timezone

from hub.api import services
from hub.api.models import ApiKey
from tests import factories
from tests.shop.helpers import envelope, make_shop

from .conftest import ALL_SCOPES, as_problem

pytestmark = pytest.mark.django_db

# Every endpoint, with the scope it needs.
ENDPOINTS = [
    ("get", "/api/v1/members/{member}/", "members:read"),
    ("get", "/api/v1/members/lookup/?email=ana@example.com", "members:read"),
    ("get", "/api/v1/members/{member}/points/", "members:read"),
    ("post", "/api/v1/members/{member}/points/", "points:write"),
    ("get", "/api/v1/members/{member}/redemptions/", "perks:read"),
    ("get", "/api/v1/perks/", "perks:read"),
    ("get", "/api/v1/perks/{perk}/", "perks:read"),
    ("get", "/api/v1/events/", "events:read"),
    ("get", "/api/v1/events/{event}/", "events:read"),
    ("get", "/api/v1/events/{event}/rsvps/", "events:read"),
    ("order", "/api/v1/orders/", "orders:write"),
]


@pytest.fixture
def targets(site_tree):
    from hub.rewards.models import Perk
    from tests.events.factories import build_event_index, make_event

    home, _ = site_tree
    member = factories.UserFactory(username="ana", email="ana@example.com")
    perk = Perk.objects.create(title="Sticker", slug="sticker", cost=0)
    event = make_event(build_event_index(home))
    make_shop()
    return {"member": member.pk, "perk": perk.pk, "event": event.pk}


def call(client, method, url, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    if method == "order":
        return client.post(
            url, data=json.dumps(envelope()), content_type="application/json", **headers
        )
    if method == "post":
        return client.post(
            url,
            data=json.dumps({"points": 5, "reason": "Gift"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k1",
            **headers,
        )
    return client.get(url, **headers)


@pytest.mark.parametrize(("method", "url", "scope"), ENDPOINTS)
def test_every_endpoint_needs_its_scope(client, make_key, targets, method, url, scope):
    url = url.format(**targets)
    _key, without = make_key(scopes=[s for s in ALL_SCOPES if s != scope])
    refused = call(client, method, url, without)
    assert refused.status_code == 403
    body = as_problem(refused)
    assert body["type"] == "/problems/insufficient-scope"
    assert body["required_scope"] == scope
    _key, only = make_key(scopes=[scope], name="Only")
    assert call(client, method, url, only).status_code in (200, 201)


@pytest.mark.parametrize(("method", "url", "scope"), ENDPOINTS)
def test_every_endpoint_refuses_a_call_without_a_key(client, targets, method, url, scope):
    response = call(client, method, url.format(**targets))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert as_problem(response)["type"] == "/problems/not-authenticated"


def test_a_wrong_or_revoked_key_is_refused(client, make_key):
    key, raw = make_key()
    wrong = raw[:-3] + ("aaa" if not raw.endswith("aaa") else "bbb")
    response = client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {wrong}")
    assert response.status_code == 401
    assert as_problem(response)["type"] == "/problems/invalid-api-key"
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    services.revoke_api_key(key, by=None)
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    basic = client.get("/api/v1/perks/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert basic.status_code == 401


def test_the_key_is_stored_hashed_with_only_its_prefix_readable(make_key):
    key, raw = make_key()
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw.startswith(stored.prefix + "_")
    assert len(stored.prefix) == 12
    assert raw not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert stored.digest == services.digest(raw)


def test_last_use_is_written_at_most_once_a_minute(client, make_key, django_assert_num_queries):
    key, raw = make_key(scopes=["perks:read"])
    assert key.last_used_at is None
    client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    # The key, the perks: no write.
    with django_assert_num_queries(2):
        client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    key.refresh_from_db()
    assert key.last_used_at == first
    assert services.record_use(key, now=timezone.now()) is False


def test_rate_limit_refuses_with_429_and_retry_after(client, make_key):
    _key, raw = make_key(scopes=["perks:read"], rate_per_minute=3)
    answers = [client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[3]
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = as_problem(refused)
    assert body["type"] == "/problems/rate-limited"
    assert body["retry_after"] == int(refused["Retry-After"])


def test_rate_limits_are_per_key(client, make_key):
    _a, raw_a = make_key(scopes=["perks:read"], rate_per_minute=1)
    _b, raw_b = make_key(scopes=["perks:read"], rate_per_minute=1, name="Other")
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw_a}").status_code == 200
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw_a}").status_code == 429
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw_b}").status_code == 200


def test_unknown_api_address_is_a_problem_404(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert as_problem(response)["type"] == "/problems/not-found"
    assert api.get("/api/v2/members/").status_code == 404


def test_wrong_method_is_a_problem_405(api):
    response = api.delete("/api/v1/perks/")
    assert response.status_code == 405
    assert as_problem(response)["type"] == "/problems/method-not-allowed"


def test_api_calls_are_not_counted_as_member_activity(api):
    from hub.workspace.models import MemberActivity

    api.get("/api/v1/perks/")
    assert not MemberActivity.objects.exists()


@pytest.mark.parametrize(("method", "url", "scope"), ENDPOINTS)
def test_every_endpoint_has_a_bounded_query_count(
    api, targets, method, url, scope, django_assert_max_num_queries
):
    """Warm (the key's last use recorded, tiers cached): a handful of queries, however much data."""
    from hub.rewards import services as rewards

    url = url.format(**targets)
    member = factories.UserFactory(username="ana")
    for n in range(5):
        rewards.adjust(member, 10 + n, reason=f"Gift {n}", by=None)
    if method == "order":  # the shop's first order creates its rules' rows and settings
        api.post(url, data=json.dumps(envelope("1")), content_type="application/json")
    else:
        call(api, "get", url)  # warms the caches (tiers, the share link)
    # The award: idempotency record, ledger, balance, scores, history, the notice to the member;
    # the order: the shop's ingestion (order, event, locks, the award, the handlers).
    bound = {"post": 24, "order": 60}.get(method, 6)
    with django_assert_max_num_queries(bound):
        response = call(api, method, url, api.raw_key)
    assert response.status_code in (200, 201)


def test_a_service_refusal_is_a_problem_with_its_own_kind():
    from hub.api.exceptions import exception_handler
    from hub.errors import Refusal
    from hub.ratelimit import RateLimited

    plain = exception_handler(Refusal("Not now."), {})
    assert plain.status_code == 422
    assert plain.data["type"] == "/problems/refused" and plain.data["detail"] == "Not now."

    class PaymentRefused(Refusal):
        status, kind, errors = 403, "shop-paused", {"shop": ["paused"]}

    named = exception_handler(PaymentRefused("Paused."), {})
    assert (named.status_code, named.data["type"]) == (403, "/problems/shop-paused")
    assert named.data["errors"] == {"shop": ["paused"]}
    limited = exception_handler(RateLimited("Slow down.", retry_after=42), {})
    assert limited.status_code == 429 and limited["Retry-After"] == "42"
