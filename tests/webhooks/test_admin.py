"""Editors register endpoints (the secret shown once), pause and resume them, read the delivery
log and replay a delivery, all in the Wagtail admin."""

import pytest
from standardwebhooks.webhooks import Webhook

from hub.webhooks import services
from hub.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor(can_publish=False))
    return client


def secret_from(html: str) -> str:
    return html.split("data-webhook-secret", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]


def test_editor_registers_an_endpoint_and_sees_its_secret_once(
    editor_client, receiver, django_capture_on_commit_callbacks
):
    response = editor_client.post(
        "/admin/webhook-endpoints/new/",
        {"url": receiver.url, "description": "CRM", "event_types": ["points.awarded"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == f"/admin/webhook-endpoints/secret/{endpoint.pk}/"
    secret = secret_from(editor_client.get(response["Location"]).content.decode())
    assert secret.startswith("whsec_")
    assert endpoint.event_types == ["points.awarded"]
    again = editor_client.get(f"/admin/webhook-endpoints/secret/{endpoint.pk}/")
    assert again.status_code == 302
    # The secret shown verifies what is sent.
    with django_capture_on_commit_callbacks(execute=True):
        services.emit("points.awarded", {"n": 1})
    [request] = receiver.requests
    Webhook(secret).verify(request["body"], request["headers"])


def test_endpoint_form_refuses_a_bad_address(editor_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    for url in ("http://127.0.0.1:8000/in", "ftp://example.com/in"):
        response = editor_client.post(
            "/admin/webhook-endpoints/new/",
            {"url": url, "description": "", "event_types": ["points.awarded"]},
        )
        assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_editor_pauses_resumes_tests_and_rotates(
    editor_client, receiver, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    page = editor_client.get(f"/admin/webhook-endpoints/edit/{endpoint.pk}/").content.decode()
    assert "Pause" in page and "Send a test event" in page
    editor_client.post(f"/admin/webhook-endpoints/pause/{endpoint.pk}/")
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    assert "Paused" in editor_client.get("/admin/webhook-endpoints/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/admin/webhook-endpoints/resume/{endpoint.pk}/")
    endpoint.refresh_from_db()
    assert not endpoint.is_paused
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/webhook-endpoints/test/{endpoint.pk}/")
    [request] = receiver.requests
    assert b'"webhook.test"' in request["body"]
    Webhook(endpoint.plain_secret).verify(request["body"], request["headers"])
    assert response["Location"].startswith("/admin/webhook-deliveries/inspect/")
    rotated = editor_client.post(f"/admin/webhook-endpoints/rotate/{endpoint.pk}/")
    new = secret_from(editor_client.get(rotated["Location"]).content.decode())
    endpoint.refresh_from_db()
    assert new == endpoint.secret != endpoint.plain_secret


def test_delivery_log_shows_status_time_and_answer_and_replays(
    editor_client, receiver, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url, ["points.awarded"])
    receiver.answer(500, "receiver exploded")
    with django_capture_on_commit_callbacks(execute=True):
        services.emit("points.awarded", {"n": 1})
    delivery = WebhookDelivery.objects.get()
    listing = editor_client.get(f"/admin/webhook-deliveries/?endpoint={endpoint.pk}")
    assert listing.status_code == 200
    assert "points.awarded" in listing.content.decode()
    page = editor_client.get(f"/admin/webhook-deliveries/inspect/{delivery.pk}/").content.decode()
    assert "receiver exploded" in page and "500" in page
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/admin/webhook-deliveries/replay/{delivery.pk}/")
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.SUCCEEDED
    assert WebhookAttempt.objects.filter(delivery=delivery, manual=True, status_code=200).exists()
    page = editor_client.get(f"/admin/webhook-deliveries/inspect/{delivery.pk}/").content.decode()
    assert "replayed by hand" in page


def test_members_cannot_reach_webhooks(client):
    client.force_login(UserFactory(username="ana"))
    assert client.get("/admin/webhook-endpoints/").status_code == 302
    assert client.get("/admin/webhook-deliveries/").status_code == 302
