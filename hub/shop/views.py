"""The order webhook: ``POST /api/v1/webhooks/orders/``, signed per Standard Webhooks.

Authenticated by its signature rather than a session, so it is the one view exempt from CSRF.
Every refusal is a problem-details body (RFC 9457) and stores nothing. An accepted delivery is
stored with the task that applies it and answered ``202 Accepted`` at once; the background
worker gives the points, the verified buyer, the referral and the rest (hub.shop.inbox).
"""

import logging

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hub.problems import problem
from hub.ratelimit import Limit, RateLimited, check_rate
from hub.rewards.referral_cookie import client_ip

from . import inbox, services, signing
from .models import OrderEvent

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 512 * 1024
# Refused deliveries per client address: a sender with a wrong secret cannot hammer the hub.
REFUSALS = Limit("shop.webhook.refused", per_hour=600)


@csrf_exempt
@require_POST
def order_webhook(request):
    if len(request.body) > MAX_BODY_BYTES:
        return problem(413, "payload-too-large", _("An order event is at most 512 KB."))
    slug = request.GET.get("shop") or None
    try:
        verified = signing.verify(request.body, request.headers, shop_slug=slug)
        event = inbox.accept_order_event(
            verified.shop,
            verified.payload,
            webhook_id=verified.webhook_id,
            source=OrderEvent.WEBHOOK,
        )
    except services.ShopError as refused:
        return _refused(request, refused)
    return _accepted(event)


def _refused(request, refused):
    try:
        check_rate(f"ip:{client_ip(request) or 'unknown'}", REFUSALS)
    except RateLimited as limited:
        return problem(
            429,
            "too-many-refusals",
            _("Too many refused deliveries from this address; try again later."),
            headers={"Retry-After": str(limited.retry_after)},
        )
    logger.info("order webhook refused (%s): %s", refused.kind, refused.message)
    extra = {"errors": refused.errors} if refused.errors else {}
    return problem(refused.status, refused.kind, refused.message, **extra)


def _accepted(event):
    return JsonResponse(
        {
            "status": "accepted",
            "event": event.pk,
            "type": event.type,
            "order": event.order_number,
        },
        status=202,
    )
