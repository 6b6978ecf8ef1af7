"""Awarding and deducting points through the API, with Idempotency-Key."""

import json
import threading

import pytest
from django.db import connection

from hub.rewards.models import Balance, PointsEntry
from tests import factories

from .conftest import as_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    return factories.UserFactory(username="ana", email="ana@example.com")


def post_points(api, member, body, key="order-1001", **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return api.post(
        f"/api/v1/members/{member.pk}/points/",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_award_records_an_entry_the_member_sees(api, ana, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        response = post_points(api, ana, {"points": 40, "reason": "Bought trail shoes"})
    assert response.status_code == 201
    body = response.json()
    assert body["entry"]["points"] == 40
    assert body["entry"]["kind"] == "adjustment"
    assert body["entry"]["reason"] == "Bought trail shoes"
    assert body["points"] == {"lifetime": 40, "spendable": 40, "owed": 0}
    entry = PointsEntry.objects.get(user=ana)
    assert entry.reason == "Bought trail shoes"
    assert ana.notifications.filter(kind="rewards.points.adjusted").exists()


def test_deduction_takes_spendable_points_first_then_owes(api, ana):
    post_points(api, ana, {"points": 30, "reason": "Gift"}, key="a")
    response = post_points(api, ana, {"points": -50, "reason": "Returned the order"}, key="b")
    assert response.status_code == 201
    assert response.json()["points"] == {"lifetime": -20, "spendable": 0, "owed": 20}


def test_same_key_and_body_gives_the_same_answer_and_one_entry(api, ana):
    first = post_points(api, ana, {"points": 40, "reason": "Bought trail shoes"})
    again = post_points(api, ana, {"reason": "Bought trail shoes", "points": 40})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert PointsEntry.objects.filter(user=ana).count() == 1
    assert Balance.objects.get(user=ana).lifetime == 40


def test_same_key_with_another_body_is_refused_with_422(api, ana):
    post_points(api, ana, {"points": 40, "reason": "Bought trail shoes"})
    response = post_points(api, ana, {"points": 400, "reason": "Bought trail shoes"})
    assert response.status_code == 422
    assert as_problem(response)["type"] == "/problems/idempotency-key-reused"
    assert PointsEntry.objects.filter(user=ana).count() == 1


def test_keys_are_per_api_key(api, ana, make_key, client):
    post_points(api, ana, {"points": 40, "reason": "Gift"})
    _other, raw = make_key(name="CRM")
    response = client.post(
        f"/api/v1/members/{ana.pk}/points/",
        data=json.dumps({"points": 40, "reason": "Gift"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="order-1001",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201
    assert PointsEntry.objects.filter(user=ana).count() == 2


def test_an_expired_key_may_be_used_afresh_and_old_answers_are_purged(api, ana, settings):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from hub.api.models import IdempotencyRecord

    post_points(api, ana, {"points": 40, "reason": "Gift"})
    IdempotencyRecord.objects.update(created=timezone.now() - timedelta(hours=25))
    again = post_points(api, ana, {"points": 40, "reason": "Gift"})
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert PointsEntry.objects.filter(user=ana).count() == 2
    IdempotencyRecord.objects.update(created=timezone.now() - timedelta(hours=25))
    cache.delete("api:idempotency:purged")
    post_points(api, ana, {"points": 1, "reason": "Other"}, key="another")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["another"]


def test_missing_idempotency_key_is_refused(api, ana):
    response = post_points(api, ana, {"points": 40, "reason": "Gift"}, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in as_problem(response)["errors"]
    assert not PointsEntry.objects.exists()


def test_invalid_body_stores_nothing_and_the_key_can_be_used_again(api, ana):
    response = post_points(api, ana, {"points": 0, "reason": ""})
    assert response.status_code == 400
    body = as_problem(response)
    assert set(body["errors"]) == {"points", "reason"}
    assert post_points(api, ana, {"points": 5, "reason": "Gift"}).status_code == 201


def test_malformed_json_is_a_problem(api, ana):
    response = api.post(
        f"/api/v1/members/{ana.pk}/points/",
        data="{not json",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert response.status_code == 400
    assert as_problem(response)["type"] == "/problems/malformed-request"


def test_form_encoded_body_is_unsupported_media_type(api, ana):
    response = api.post(
        f"/api/v1/members/{ana.pk}/points/", {"points": 5}, HTTP_IDEMPOTENCY_KEY="x"
    )
    assert response.status_code == 415
    assert as_problem(response)["type"] == "/problems/unsupported-media-type"


def test_unknown_member_is_404(api):
    response = api.post(
        "/api/v1/members/999999/points/",
        data=json.dumps({"points": 5, "reason": "x"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert response.status_code == 404
    as_problem(response)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_award_once(make_key):
    from django.test import Client

    ana = factories.UserFactory(username="ana", email="ana@example.com")
    _key, raw = make_key()
    answers = []
    barrier = threading.Barrier(8)

    def call():
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        barrier.wait()
        try:
            answers.append(
                client.post(
                    f"/api/v1/members/{ana.pk}/points/",
                    data=json.dumps({"points": 25, "reason": "Order 77"}),
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="order-77",
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in answers) == [201] * 8
    assert len({r.json()["entry"]["id"] for r in answers}) == 1
    assert PointsEntry.objects.filter(user=ana).count() == 1
    assert Balance.objects.get(user=ana).lifetime == 25
