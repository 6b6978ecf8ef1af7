"""Every change to outgoing webhooks: emit an event; what editors do (register an endpoint,
rotate its secret, pause, resume, replay a delivery, send a test event).

    emit("rsvp.confirmed", lambda: {"rsvp": ..., "member": ...})

stores one delivery per subscribed endpoint in the caller's transaction and hands them to the
background worker after it commits, so a rolled-back action sends nothing. With no endpoint
subscribed to the type it does nothing at all (the payload callable is not even called).
Sending and retrying are in delivery.py, run by the jobs in tasks.py.
"""

import base64
import json
import secrets
import uuid
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from hub.errors import Refusal

from . import sender, tasks
from .models import WebhookDelivery, WebhookEndpoint
from .subscriptions import endpoints_for
from .types import get_event_type

SECRET_OVERLAP = timedelta(hours=24)


class WebhookError(Refusal):
    """A refused webhook operation, with a message fit for the editor."""


# --- Emitting ----------------------------------------------------------------------------------
def emit(event_type: str, data) -> int:
    """Queue ``event_type`` with ``data`` (a dict, or a callable returning one) for every
    endpoint subscribed to it; returns how many deliveries were stored."""
    get_event_type(event_type)  # an unregistered type is a programming error
    endpoint_ids = endpoints_for(event_type)
    if not endpoint_ids:
        return 0
    if callable(data):
        data = data()
    now = timezone.now()
    # Through JSON once, so what is stored is exactly what is sent (dates as ISO 8601).
    envelope = json.loads(
        json.dumps(
            {"type": event_type, "timestamp": now.isoformat(), "data": data},
            cls=DjangoJSONEncoder,
        )
    )
    message_id = f"msg_{uuid.uuid4().hex}"
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=pk,
                message_id=message_id,
                event_type=event_type,
                payload=envelope,
                next_attempt_at=now,
            )
            for pk in endpoint_ids
        ]
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: enqueue(ids))
    return len(ids)


def enqueue(delivery_ids) -> None:
    """Hand deliveries to the background worker (the sweep, ``manage.py send_webhooks``, sends
    whatever a stopped worker missed)."""
    for pk in delivery_ids:
        tasks.send_webhook.enqueue(pk)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- Editors' actions ----------------------------------------------------------------------------
def create_endpoint(*, url: str, description: str, event_types, by) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown to the editor once)."""
    refusal = sender.host_refusal(url)
    if refusal:
        raise WebhookError(refusal)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint(
            url=url,
            description=description.strip(),
            event_types=sorted(set(event_types)),
            secret=secret,
            created_by=by,
        )
        endpoint.save()
        log(instance=endpoint, action="wagtail.create", user=by)
    return endpoint, secret


def rotate_secret(endpoint: WebhookEndpoint, *, by) -> str:
    """A new signing secret; the old one keeps signing beside it for 24 hours, so the receiver
    can switch over without dropping a delivery. Returns the new secret (shown once)."""
    secret = new_secret()
    with transaction.atomic():
        current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            secret=secret,
            previous_secret=current.secret,
            previous_secret_expires=timezone.now() + SECRET_OVERLAP,
        )
        log(instance=endpoint, action="webhooks.endpoint.secret_rotated", user=by)
    endpoint.refresh_from_db()
    return secret


def pause_endpoint(endpoint: WebhookEndpoint, *, by, reason: str = "") -> bool:
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=True).update(
            paused_at=timezone.now(), pause_reason=(reason or _("Paused by an editor"))[:255]
        )
        if changed:
            log(
                instance=endpoint,
                action="webhooks.endpoint.paused",
                user=by,
                data={"reason": reason},
            )
    endpoint.refresh_from_db()
    return bool(changed)


def resume_endpoint(endpoint: WebhookEndpoint, *, by) -> int:
    """Send to the endpoint again: its failure streak starts afresh and the deliveries held while
    it was paused go out now. Returns how many were waiting."""
    now = timezone.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=False).update(
            paused_at=None, pause_reason="", consecutive_failures=0, failing_since=None
        )
        if not changed:
            raise WebhookError(_("This endpoint is not paused."))
        waiting = WebhookDelivery.objects.filter(endpoint=endpoint, state=WebhookDelivery.PENDING)
        waiting.update(next_attempt_at=now, claimed_until=None)
        ids = list(waiting.values_list("pk", flat=True))
        log(
            instance=endpoint,
            action="webhooks.endpoint.resumed",
            user=by,
            data={"waiting": len(ids)},
        )
        transaction.on_commit(lambda: enqueue(ids))
    endpoint.refresh_from_db()
    return len(ids)


def replay_delivery(delivery: WebhookDelivery, *, by) -> None:
    """Send a delivery again now, by hand (same webhook-id, so a receiver that already has it
    can tell); it goes out in the background and its attempt is logged as a replay."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_related("endpoint")
            .select_for_update(of=("self",))
            .get(pk=delivery.pk)
        )
        if delivery.endpoint.is_paused:
            raise WebhookError(_("The endpoint is paused: resume it first."))
        if delivery.claimed_until and delivery.claimed_until > timezone.now():
            raise WebhookError(_("This delivery is being sent right now."))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.PENDING, next_attempt_at=timezone.now(), claimed_until=None
        )
        log(instance=delivery, action="webhooks.delivery.replayed", user=by)
        pk = delivery.pk
        transaction.on_commit(lambda: tasks.replay_webhook.enqueue(pk))


def send_test_event(endpoint: WebhookEndpoint, *, by) -> WebhookDelivery:
    """A ``webhook.test`` delivery to this endpoint only, to check the receiver and its secret."""
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type="webhook.test",
            payload={
                "type": "webhook.test",
                "timestamp": now.isoformat(),
                "data": {"endpoint": endpoint.url, "sent_by": by.get_username() if by else ""},
            },
            next_attempt_at=now,
        )
        transaction.on_commit(lambda: tasks.replay_webhook.enqueue(delivery.pk))
    return delivery
