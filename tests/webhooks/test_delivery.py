"""Sending: signed per Standard Webhooks, after commit, retried with backoff, paused, replayed."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hub.rewards import services as rewards
from hub.webhooks import delivery as sending
from hub.webhooks import sender, services
from hub.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.django_db


def verify(endpoint, request, secret=None):
    return Webhook(secret or endpoint.plain_secret).verify(request["body"], request["headers"])


def make_due():
    WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).update(
        next_attempt_at=timezone.now()
    )


def test_delivery_is_sent_after_commit_and_signed_verifiably(
    receiver, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    ana = factories.UserFactory(username="ana", email="ana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        rewards.adjust(ana, 40, reason="Bought shoes", by=None)
        assert receiver.requests == []  # nothing leaves before the action commits
    [request] = receiver.requests
    payload = verify(endpoint, request)
    assert payload["type"] == "points.awarded"
    assert payload["data"]["member"]["email"] == "ana@example.com"
    assert payload["data"]["entry"]["points"] == 40
    assert payload["data"]["points"]["spendable"] == 40
    assert request["headers"]["webhook-id"].startswith("msg_")
    assert request["headers"]["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.SUCCEEDED
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.succeeded, attempt.response_body) == (200, True, "ok")
    # A tampered body or another secret does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.plain_secret).verify(request["body"] + b" ", request["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request["body"], request["headers"])


def test_rolled_back_action_sends_nothing(
    receiver, make_endpoint, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url, ["points.awarded"])
    ana = factories.UserFactory(username="ana")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        rewards.adjust(ana, 40, reason="Bought shoes", by=None)
        raise RuntimeError("the order failed")
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_failed_delivery_is_retried_with_the_same_id_until_it_succeeds(
    receiver, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(500, "database down")
    receiver.answer(503, "still down")
    ana = factories.UserFactory(username="ana")
    with django_capture_on_commit_callbacks(execute=True):
        rewards.adjust(ana, 10, reason="Gift", by=None)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.PENDING
    first_wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 4 <= first_wait <= 6  # 5 s ± 20 %
    assert sending.send_due() == 0  # not due yet
    make_due()
    assert sending.send_due() == 1
    delivery.refresh_from_db()
    second_wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 240 <= second_wait <= 360  # 5 min ± 20 %
    make_due()
    assert sending.send_due() == 1
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.SUCCEEDED
    assert delivery.attempts == 3
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    for request in receiver.requests:
        verify(endpoint, request)
    log = list(WebhookAttempt.objects.filter(endpoint=endpoint).order_by("id"))
    assert [(a.status_code, a.response_body) for a in log] == [
        (500, "database down"),
        (503, "still down"),
        (200, "ok"),
    ]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None


def test_delivery_gives_up_after_the_last_try(receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(500, times=sending.MAX_ATTEMPTS)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_x", event_type="points.awarded",
        payload={"type": "points.awarded", "data": {}}, next_attempt_at=timezone.now(),
    )  # fmt: skip
    for _ in range(sending.MAX_ATTEMPTS):
        make_due()
        sending.send_due()
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.FAILED
    assert delivery.attempts == sending.MAX_ATTEMPTS == 8
    assert sum(sending.RETRY_DELAYS, timedelta()) > timedelta(hours=24)
    make_due()
    assert sending.send_due() == 0


def test_retry_delays_grow_with_jitter():
    waits = [sending._delay(n) for n in range(1, sending.MAX_ATTEMPTS)]
    for wait, base in zip(waits, sending.RETRY_DELAYS, strict=True):
        assert base * 0.8 <= wait <= base * 1.2
    assert sorted(sending.RETRY_DELAYS) == sending.RETRY_DELAYS


def test_endpoint_failing_for_a_day_is_paused_and_editors_are_told(
    committed, receiver, make_endpoint
):
    editor = factories.make_editor()
    member = factories.UserFactory(username="ana")
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(500, times=10)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=4, failing_since=timezone.now() - timedelta(hours=25)
    )
    committed(services.emit, "points.awarded", {"n": 1})
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    assert "5 in a row" in endpoint.pause_reason
    [note] = editor.notifications.filter(kind=sending.KIND_PAUSED)
    assert receiver.url in note.text
    assert note.url == f"/admin/webhook-endpoints/edit/{endpoint.pk}/"
    assert not member.notifications.exists()
    # While paused nothing is sent; deliveries wait.
    sent = len(receiver.requests)
    committed(services.emit, "points.awarded", {"n": 2})
    make_due()
    assert sending.send_due() == 0
    assert len(receiver.requests) == sent
    # Resumed: the waiting deliveries go out, and the streak starts afresh.
    receiver.answers.clear()
    waiting = committed(services.resume_endpoint, endpoint, by=editor)
    assert waiting == 2
    assert len(receiver.requests) == sent + 2
    endpoint.refresh_from_db()
    assert not endpoint.is_paused and endpoint.consecutive_failures == 0
    assert not WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).exists()


def test_many_failures_within_a_day_do_not_pause(committed, receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(500, times=10)
    for n in range(10):
        committed(services.emit, "points.awarded", {"n": n})
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 10
    assert not endpoint.is_paused


def test_replay_sends_the_same_message_again(committed, receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    committed(services.emit, "points.awarded", {"n": 1})
    delivery = WebhookDelivery.objects.get()
    committed(services.replay_delivery, delivery, by=factories.make_editor())
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert (
        receiver.requests[0]["headers"]["webhook-id"]
        == receiver.requests[1]["headers"]["webhook-id"]
    )
    verify(endpoint, receiver.requests[1])
    assert [a.manual for a in WebhookAttempt.objects.order_by("id")] == [False, True]


def test_replay_of_a_failed_delivery_can_succeed(committed, receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(500)
    committed(services.emit, "points.awarded", {"n": 1})
    WebhookDelivery.objects.update(state=WebhookDelivery.FAILED, next_attempt_at=None)
    committed(services.replay_delivery, WebhookDelivery.objects.get(), by=None)
    assert WebhookDelivery.objects.get().state == WebhookDelivery.SUCCEEDED
    endpoint.refresh_from_db()
    assert endpoint.last_status_code == 200


def test_replay_to_a_paused_endpoint_is_refused(committed, receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    committed(services.emit, "points.awarded", {"n": 1})
    services.pause_endpoint(endpoint, by=None)
    with pytest.raises(services.WebhookError):
        services.replay_delivery(WebhookDelivery.objects.get(), by=None)


def test_redirects_are_not_followed(committed, receiver, make_endpoint):
    make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    committed(services.emit, "points.awarded", {"n": 1})
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert "not followed" in attempt.error
    assert len(receiver.requests) == 1


def test_a_slow_receiver_times_out(committed, receiver, make_endpoint, settings):
    settings.WEBHOOKS_READ_TIMEOUT = 0.3
    make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(200, delay=1.0)
    committed(services.emit, "points.awarded", {"n": 1})
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and not attempt.succeeded
    assert "Timeout" in attempt.error or "timed out" in attempt.error
    assert WebhookDelivery.objects.get().state == WebhookDelivery.PENDING


def test_the_response_body_is_kept_truncated(committed, receiver, make_endpoint):
    make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(400, "x" * 10_000)
    committed(services.emit, "points.awarded", {"n": 1})
    assert len(WebhookAttempt.objects.get().response_body) == sender.KEPT_BODY


def test_private_addresses_are_refused_in_production(committed, receiver, make_endpoint, settings):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    committed(services.emit, "points.awarded", {"n": 1})
    attempt = WebhookAttempt.objects.get()
    assert not attempt.succeeded and receiver.requests == []
    assert "private" in attempt.error
    for url in ("http://127.0.0.1/x", "http://localhost/x", "http://10.0.0.7/x", "http://[::1]/x",
                "http://169.254.169.254/x", "ftp://example.com/x"):  # fmt: skip
        assert sender.host_refusal(url), url
    assert sender.host_refusal("https://hooks.example.com/in") == ""
    assert sender.address_allowed("93.184.215.14")
    assert not sender.address_allowed("::ffff:127.0.0.1")
    assert endpoint.url == receiver.url


def test_guarded_connection_checks_the_address_it_resolves(receiver, settings, monkeypatch):
    """DNS rebinding: a public-looking name resolving to 127.0.0.1 is refused at connect time."""
    import socket

    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "hooks.example.com":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    url = f"http://hooks.example.com:{receiver.server.server_port}/hooks"
    assert sender.host_refusal(url) == ""
    result = sender.post(url, b"{}", {})
    assert not result.succeeded and "private" in result.error
    assert receiver.requests == []


def test_rotated_secret_signs_with_both_for_a_day(committed, receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    old = endpoint.plain_secret
    new = services.rotate_secret(endpoint, by=None)
    committed(services.emit, "points.awarded", {"n": 1})
    [request] = receiver.requests
    assert len(request["headers"]["webhook-signature"].split(" ")) == 2
    verify(endpoint, request, secret=old)
    verify(endpoint, request, secret=new)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires=timezone.now() - timedelta(seconds=1)
    )
    committed(services.emit, "points.awarded", {"n": 2})
    later = receiver.requests[1]
    verify(endpoint, later, secret=new)
    with pytest.raises(WebhookVerificationError):
        verify(endpoint, later, secret=old)


def test_no_subscriber_costs_no_query(make_endpoint, django_assert_num_queries):
    make_endpoint("https://hooks.example.com/in", ["perk.redeemed"])
    services.emit("points.awarded", {"n": 0})  # loads the subscriptions once
    called = []
    with django_assert_num_queries(0):
        assert services.emit("points.awarded", lambda: called.append(1) or {}) == 0
    assert called == []


def test_new_endpoint_is_seen_by_the_next_emit(committed, receiver, make_endpoint):
    assert committed(services.emit, "points.awarded", {"n": 0}) == 0
    make_endpoint(receiver.url, ["points.awarded"])
    assert committed(services.emit, "points.awarded", {"n": 1}) == 1


def test_each_subscribed_endpoint_gets_its_own_delivery(committed, receiver, make_endpoint):
    a = make_endpoint(receiver.url, ["points.awarded"], description="A")
    b = make_endpoint(receiver.url + "/b", ["points.awarded", "perk.redeemed"], description="B")
    make_endpoint(receiver.url + "/c", ["perk.redeemed"], description="C")
    assert committed(services.emit, "points.awarded", {"n": 1}) == 2
    assert {r["path"] for r in receiver.requests} == {"/hooks", "/hooks/b"}
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert len(ids) == 1  # one message, one id, sent to each endpoint
    verify(
        a,
        receiver.requests[0] if receiver.requests[0]["path"] == "/hooks" else receiver.requests[1],
    )
    assert WebhookDelivery.objects.filter(endpoint=b).count() == 1


def test_the_body_is_the_stored_payload(committed, receiver, make_endpoint):
    make_endpoint(receiver.url, ["points.awarded"])
    committed(services.emit, "points.awarded", {"when": timezone.now(), "n": 1})
    body = json.loads(receiver.requests[0]["body"])
    assert body == WebhookDelivery.objects.get().payload
    assert body["type"] == "points.awarded" and "timestamp" in body
