"""Many workers, one delivery: it is sent once (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from hub.webhooks import delivery as sending
from hub.webhooks import services
from hub.webhooks.models import WebhookAttempt, WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_workers_racing_for_a_delivery_send_it_once(receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(200, delay=0.3)  # a slow receiver: the others arrive while it answers
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_race",
        event_type="points.awarded",
        payload={"type": "points.awarded", "data": {}},
        next_attempt_at=None,
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created)
    barrier = threading.Barrier(6)
    made = []

    def work():
        barrier.wait()
        try:
            made.append(sending.send_delivery(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(receiver.requests) == 1
    assert len([m for m in made if m is not None]) == 1
    assert WebhookAttempt.objects.count() == 1
    assert WebhookDelivery.objects.get().state == WebhookDelivery.SUCCEEDED


def test_a_rolled_back_transaction_leaves_no_delivery(receiver, make_endpoint):
    from django.db import transaction

    make_endpoint(receiver.url, ["points.awarded"])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.emit("points.awarded", {"n": 1})
        raise RuntimeError("rolled back")
    services.emit("points.awarded", {"n": 2})  # committed at once (autocommit): sent
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1
