"""Every change to outgoing webhooks: emit an event, send a delivery and record the attempt,
retry with backoff, pause a failing endpoint, resume it, replay a delivery, rotate a secret.

    emit("rsvp.confirmed", lambda: {"rsvp": ..., "member": ...})

stores one delivery per subscribed endpoint in the caller's transaction and sends them after it
commits, so a rolled-back action sends nothing. With no endpoint subscribed to the type it
does nothing at all (the payload callable is not even called).
"""

import base64
import json
import logging
import random
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook
from wagtail.log_actions import log

from hub.notifications.services import notify

from . import sender
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .subscriptions import endpoints_for
from .types import get_event_type

logger = logging.getLogger(__name__)

KIND_PAUSED = "webhooks.endpoint.paused"
EDITORS_GROUP = "Editors"
# After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (each ±20 %): eight tries
# over about 27 hours.
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2
LEASE = timedelta(minutes=2)  # longer than one attempt can take (timeouts + capped read)
SECRET_OVERLAP = timedelta(hours=24)
SWEEP_BATCH = 500


class WebhookError(Exception):
    """A refused webhook operation, with a message fit for the editor."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


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


def enqueue(delivery_ids, *, run_after=None) -> None:
    """Hand deliveries to the background worker (now, or at ``run_after`` where the task backend
    can defer; otherwise the sweep, ``manage.py send_webhooks``, sends them when due)."""
    from django_tasks import default_task_backend

    from .tasks import send_webhook

    for pk in delivery_ids:
        if run_after is None:
            send_webhook.enqueue(pk)
        elif default_task_backend.supports_defer:
            send_webhook.using(run_after=run_after).enqueue(pk)


# --- Sending -----------------------------------------------------------------------------------
def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()


def signed_headers(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes, *, now
) -> dict:
    """Standard Webhooks headers: a stable ``webhook-id``, this attempt's timestamp, and a v1
    signature per secret in force (two during a rotation's overlap)."""
    keys = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires
        and endpoint.previous_secret_expires > now
    ):
        keys.append(endpoint.previous_secret)
    signatures = [Webhook(key).sign(delivery.message_id, now, body) for key in keys]
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def _claim(delivery_id: int, now, *, manual: bool) -> WebhookDelivery | None:
    due = WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    if not manual:
        due = due.filter(next_attempt_at__lte=now)
    if not due.update(claimed_until=now + LEASE):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def send_delivery(delivery_id: int, *, now=None, manual: bool = False) -> WebhookAttempt | None:
    """Make one attempt at a due delivery; None when it is not due, is being sent by another
    worker, or its endpoint is paused (it waits for the endpoint to be resumed)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now, manual=manual)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if endpoint.is_paused:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=None)
        return None
    body = body_of(delivery)
    result = sender.post(endpoint.url, body, signed_headers(endpoint, delivery, body, now=now))
    return record_attempt(delivery, result, now=now, manual=manual)


def _delay(attempts_made: int) -> timedelta:
    base = RETRY_DELAYS[attempts_made - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def record_attempt(
    delivery: WebhookDelivery, result, *, now, manual: bool = False
) -> WebhookAttempt:
    """Log the attempt, then mark the delivery done, schedule its next try, or give up; keep the
    endpoint's failure streak and pause it when it has failed for long enough."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            endpoint=endpoint,
            succeeded=result.succeeded,
            status_code=result.status_code,
            response_ms=result.response_ms,
            response_body=result.body,
            error=result.error[:255],
            manual=manual,
        )
        attempts = delivery.attempts + 1
        changes = {
            "attempts": attempts,
            "claimed_until": None,
            "last_attempt_at": now,
            "last_status_code": result.status_code,
            "last_response_ms": result.response_ms,
        }
        retry_at = None
        if result.succeeded:
            changes.update(state=WebhookDelivery.SUCCEEDED, next_attempt_at=None)
        elif attempts >= MAX_ATTEMPTS:
            changes.update(state=WebhookDelivery.FAILED, next_attempt_at=None)
        else:
            retry_at = now + _delay(attempts)
            changes.update(next_attempt_at=retry_at)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
        for field, value in changes.items():
            setattr(delivery, field, value)

        endpoint_changes = {"last_attempt_at": now, "last_status_code": result.status_code}
        if result.succeeded:
            endpoint_changes.update(consecutive_failures=0, failing_since=None)
        else:
            endpoint.consecutive_failures += 1
            endpoint.failing_since = endpoint.failing_since or now
            endpoint_changes.update(
                consecutive_failures=F("consecutive_failures") + 1,
                failing_since=endpoint.failing_since,
            )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**endpoint_changes)
        if not result.succeeded and not endpoint.is_paused and _should_pause(endpoint, now):
            _pause(endpoint, now=now, reason=_pause_reason(endpoint, result))
        if retry_at is not None:
            transaction.on_commit(lambda: enqueue([delivery.pk], run_after=retry_at))
    return attempt


def _should_pause(endpoint: WebhookEndpoint, now) -> bool:
    long_enough = now - endpoint.failing_since >= timedelta(
        seconds=settings.WEBHOOKS_PAUSE_AFTER_SECONDS
    )
    return long_enough and endpoint.consecutive_failures >= settings.WEBHOOKS_PAUSE_AFTER_FAILURES


def _pause_reason(endpoint: WebhookEndpoint, result) -> str:
    last = str(result.status_code) if result.status_code else result.error
    return _("Every attempt has failed since %(since)s (%(count)d in a row; last: %(last)s).") % {
        "since": timezone.localtime(endpoint.failing_since).strftime("%Y-%m-%d %H:%M"),
        "count": endpoint.consecutive_failures,
        "last": last,
    }


def _editors():
    return get_user_model().objects.filter(groups__name=EDITORS_GROUP, is_active=True).distinct()


def _pause(endpoint: WebhookEndpoint, *, now, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(paused_at=now, pause_reason=reason[:255])
    endpoint.paused_at, endpoint.pause_reason = now, reason[:255]
    log(
        instance=endpoint, action="webhooks.endpoint.paused", data={"reason": endpoint.pause_reason}
    )
    from django.urls import reverse

    notify(
        list(_editors()),
        KIND_PAUSED,
        text=_("The webhook endpoint %(endpoint)s was paused: %(reason)s")
        % {"endpoint": endpoint.url, "reason": reason},
        url=reverse("webhook-endpoints:edit", args=[endpoint.pk]),
    )
    logger.warning("webhook endpoint %s paused: %s", endpoint.pk, reason)


def send_due(*, now=None, limit: int = SWEEP_BATCH) -> int:
    """Attempt every delivery whose time has come (the sweep behind ``manage.py send_webhooks``);
    returns how many attempts were made."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.PENDING,
            next_attempt_at__lte=now,
            endpoint__paused_at__isnull=True,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    made = 0
    for pk in due:
        try:
            if send_delivery(pk, now=now) is not None:
                made += 1
        except Exception:  # one broken delivery must not stop the others
            logger.exception("webhooks: sending delivery %s failed", pk)
    return made


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
        transaction.on_commit(lambda: replay_now(pk))


def replay_now(delivery_id: int) -> None:
    from .tasks import replay_webhook

    replay_webhook.enqueue(delivery_id)


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
        transaction.on_commit(lambda: replay_now(delivery.pk))
    return delivery
