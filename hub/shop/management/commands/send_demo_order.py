"""Post a correctly signed order to the running site, as a shop would:

    python manage.py send_demo_order ana@example.com 49.90

The order goes over HTTP to BASE_URL's order webhook, signed with the shop's active secret
(the demo shop's, or --shop SLUG), so a newcomer watches the member's points arrive live in
the bell. Any e-mail address works: one no member has verified yet is kept and counted once
its owner signs up and verifies it.
"""

import json
import urllib.error
import urllib.request
import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from hub.shop.demo import DEMO_SHOP_SLUG
from hub.shop.models import Shop
from hub.shop.queries import active_secrets
from hub.shop.services import demo_envelope
from hub.shop.signing import sign


class Command(BaseCommand):
    help = "Send a signed, paid demo order for EMAIL of AMOUNT to the running site (BASE_URL)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("amount")
        parser.add_argument("--shop", default=DEMO_SHOP_SLUG, help="the shop's slug")
        parser.add_argument("--sku", action="append", default=[], help="a SKU bought (repeatable)")
        parser.add_argument("--code", action="append", default=[], help="a discount code used")
        parser.add_argument("--base-url", default="", help="default: the BASE_URL setting")

    def handle(self, *args, email, amount, shop, sku, code, base_url, **options):
        try:
            total = Decimal(amount).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise CommandError(f"{amount!r} is not an amount, e.g. 49.90") from None
        if total <= 0:
            raise CommandError("The amount must be above zero.")
        target = Shop.objects.filter(slug=shop).first()
        if target is None:
            raise CommandError(f"No shop {shop!r}: run `manage.py seed_demo`, or pass --shop.")
        secrets = active_secrets(target.slug)
        if not secrets:
            raise CommandError(f"The shop {shop!r} has no active secret: rotate one in the admin.")
        order_id = f"DEMO-{uuid.uuid4().hex[:8].upper()}"
        envelope = demo_envelope(
            order_id, email, total, skus=tuple(sku) or ("TM-DEMO",), codes=code
        )
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", **sign(secrets[0].secret, body)}
        base = (base_url or settings.BASE_URL).rstrip("/")
        url = f"{base}{reverse('shop_order_webhook')}?{urlencode({'shop': target.slug})}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                status, answer = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read().decode()
        except urllib.error.URLError as error:
            raise CommandError(
                f"{url} did not answer ({error.reason}): is the site running?"
            ) from None
        self.stdout.write(f"POST {url} -> {status}")
        self.stdout.write(answer)
        if status >= 400:
            raise CommandError("The hub refused the order (see the problem above).")
        if status == 202:
            self.stdout.write(
                "Accepted: the background worker applies it (points, the bell) in a moment; "
                "`make run` starts one (`python manage.py db_worker` otherwise)."
            )
