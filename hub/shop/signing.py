"""Standard Webhooks signatures (https://www.standardwebhooks.com): checking a delivery against
a shop's active secrets, and signing one (the demo order, the tests, a shop written in Python).

The ``standardwebhooks`` package does the cryptography; this module tells the refusals apart,
so a shop's developer learns from the problem type what to fix: missing headers, a timestamp
outside the 5-minute tolerance, or a signature no active secret made.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from .payloads import ShopError
from .queries import active_secrets

TOLERANCE_SECONDS = 5 * 60
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


@dataclass(frozen=True)
class Verified:
    shop: object
    webhook_id: str
    payload: object


def sign(secret: str, body: bytes, *, webhook_id: str | None = None, when: float | None = None):
    """The three headers a sender adds to ``body``: id, timestamp and v1 signature."""
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    timestamp = int(when if when is not None else time.time())
    signature = Webhook(secret).sign(webhook_id, datetime.fromtimestamp(timestamp, tz=UTC), body)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def verify(body: bytes, headers, *, shop_slug: str | None = None, now: float | None = None):
    """The shop whose active secret signed ``body`` and the parsed JSON, or ShopError: 400 for
    missing headers or a stale timestamp, 401 for a signature no active secret made, 400 for a
    body that is not JSON."""
    found = {name: (headers.get(name) or "").strip() for name in HEADERS}
    missing = [name for name, value in found.items() if not value]
    if missing:
        raise ShopError(
            _("Missing Standard Webhooks headers: %(headers)s.") % {"headers": ", ".join(missing)},
            status=400,
            kind="missing-signature-headers",
        )
    if len(found["webhook-id"]) > 120:
        raise ShopError(_("The webhook id is too long."), status=400, kind="invalid-webhook-id")
    try:
        timestamp = int(found["webhook-timestamp"])
    except ValueError:
        raise ShopError(
            _("webhook-timestamp must be whole seconds since 1970 (Unix time)."),
            status=400,
            kind="invalid-timestamp",
        ) from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise ShopError(
            _(
                "The delivery's timestamp is more than 5 minutes from the hub's clock: sign "
                "each attempt afresh, and check the sender's clock."
            ),
            status=400,
            kind="timestamp-out-of-tolerance",
        )
    for secret in active_secrets(shop_slug):
        try:
            payload = Webhook(secret.secret).verify(body, found)
        except WebhookVerificationError:
            continue
        except ValueError:  # the signature matched but the body is not JSON
            raise ShopError(_("The body is not JSON."), status=400, kind="invalid-json") from None
        return Verified(shop=secret.shop, webhook_id=found["webhook-id"], payload=payload)
    raise ShopError(
        _("The signature does not match any active secret of this shop."),
        status=401,
        kind="invalid-signature",
    )
