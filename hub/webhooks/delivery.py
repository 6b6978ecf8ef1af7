"""Sending one webhook delivery and recording what happened: Standard Webhooks signatures, a
claim so that two workers never send it at once, the attempt log, the next try with backoff,
giving up, and pausing an endpoint that keeps failing (the Editors group is told).

The background jobs (tasks.py) call these; services.py holds what editors and other apps do.
"""

import json
import logging
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook
from wagtail.log_actions import log

from hub.notifications.services import notify

from . import sender
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

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
SWEEP_BATCH = 500


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
        if result.succeeded:
            changes.update(state=WebhookDelivery.SUCCEEDED, next_attempt_at=None)
        elif attempts >= MAX_ATTEMPTS:
            changes.update(state=WebhookDelivery.FAILED, next_attempt_at=None)
        else:
            changes.update(next_attempt_at=now + _delay(attempts))
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

    notify(
        list(_editors()),
        KIND_PAUSED,
        text=lambda: (
            _("The webhook endpoint %(endpoint)s was paused: %(reason)s")
            % {"endpoint": endpoint.url, "reason": reason}
        ),
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
