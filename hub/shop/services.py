"""Every change the shop connection makes: ingesting an order event, attaching a customer's
orders when they verify their address, the CSV import, and the shops' secrets.

A webhook delivery is accepted at once and applied by the background worker (hub.shop.inbox,
with the functions below); the other doors apply an event at once (ingest_order_event).
Either way an event is applied in one transaction under the order's
row lock, so any number of deliveries of one order, in any order and from any number of
threads, give its points once: the order keeps what it earned (``rewarded``,
``points_awarded``, ``points_reversed``) and each event only moves it towards what the shop's
latest facts say is due.
"""

import csv
import io
import logging
import math
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from hub.notifications.services import notify
from hub.rewards import rules
from hub.rewards.models import Balance
from hub.rewards.queries import tier_for
from hub.rewards.services import (
    RewardsError,
    award,
    check_referral_qualification,
    grant_perk,
    mark_codes_used,
    take_back,
)

from . import kpis, summaries
from .handlers import OrderFacts, order_handlers
from .models import ComebackOffer, Order, OrderEvent, OrderLine, Shop, ShopSecret, new_secret
from .payloads import OrderPayload, ShopError, parse_order_event
from .queries import programme_settings, verified_member
from .tasks import schedule_comeback_reminder

__all__ = [
    "ShopError",
    "ingest_order_event",
    "attach_orders",
    "rotate_secret",
]

logger = logging.getLogger(__name__)

ORDER_ACTION = "shop.order.paid"
REWARDED_KIND = "shop.order.rewarded"
REFUNDED_KIND = "shop.order.refunded"


@dataclass
class Ingested:
    """What one order event did: the event row (its ``outcome`` in words) and the order."""

    event: OrderEvent
    order: Order
    created: bool
    changes: list[str] = field(default_factory=list)
    points: int = 0  # points given (positive) or taken back (negative) by this event


def points_for(member, amount: Decimal) -> int:
    """Points an order of ``amount`` earns ``member`` now: the rule's points per currency unit,
    times their tier's multiplier, rounded down (0 when the rule is off)."""
    lifetime = Balance.objects.filter(user=member).values_list("lifetime", flat=True).first() or 0
    return _points_for(amount, lifetime)


def ingest_order_event(
    shop: Shop, payload, *, webhook_id: str | None = None, source: str = OrderEvent.WEBHOOK
) -> Ingested:
    """Apply one order event from ``shop`` now, in the caller's thread: the CSV import, the
    REST API and the demo (the webhook's deliveries are stored by hub.shop.inbox and applied
    by the worker with the same code: check_order_event, then apply_order_event). Raises
    ShopError (and stores nothing) when the payload is not valid, the shop is paused, or
    ``webhook_id`` was received before (a replay: status 409).

    ``payload`` is a Standard Webhooks envelope (a dict, e.g. the parsed JSON body)::

        {
          "type": "order.paid",          # order.created | order.paid | order.partially_refunded
                                         # | order.refunded | order.cancelled
          "timestamp": "2026-12-01T10:05:00Z",   # when it happened (optional; default now)
          "data": {
            "id": "1001",                # the shop's order id (unique per shop), required
            "email": "ana@example.com",  # the customer's e-mail address, required
            "currency": "EUR",           # ISO 4217; default: the shop's currency
            "total": "120.00",           # what the order cost, required (a string or number)
            "refunded": "0.00",          # refunded so far, in all (refund events); for
                                         # order.refunded it defaults to the total
            "line_items": [{"sku": "TM-TENT-2", "name": "Ridge tent", "quantity": 1,
                            "unit_price": "120.00"}],
            "discount_codes": ["WELCOME-7Q2D"],
            "created_at": "2026-12-01T10:00:00Z",   # when the order was placed, required
            "paid_at": "2026-12-01T10:05:00Z",      # optional; order.paid defaults it to the
                                                    # timestamp, a refund implies a payment
            "cancelled_at": null                    # optional; order.cancelled defaults it
          }
        }

    Each event carries the order as the shop sees it now; the hub keeps the latest facts
    (refunds only ever grow, a payment or cancellation is never undone) and acts on what
    changed: the first payment of a member's order earns points (``shop.order.paid``: points
    per currency unit × the tier's multiplier) and runs the order handlers (verified buyer,
    review invitation), qualifies their referral and gives the come-back perk after a first
    order; refunds and cancellation take back points in proportion (owed if already spent);
    discount codes mark the perk redemptions they belong to as used. ``source`` is one of
    OrderEvent.SOURCE_CHOICES (webhook, csv, api, demo); ``webhook_id`` (a delivery id or an
    Idempotency-Key) makes the event once-only for the shop.
    """
    parsed = check_order_event(shop, payload)
    event = OrderEvent(
        shop=shop,
        type=parsed.type,
        source=source,
        webhook_id=webhook_id or None,
        payload=payload if isinstance(payload, dict) else {},
    )
    with transaction.atomic():
        return apply_order_event(shop, parsed, event)


def check_order_event(shop: Shop, payload) -> OrderPayload:
    """The parsed event, or ShopError (invalid: 422 with every faulty field; shop paused: 403)."""
    parsed = parse_order_event(payload, default_currency=shop.currency)
    if not shop.is_active:
        raise ShopError(
            _("This shop is paused in the hub: its orders are not accepted for now."),
            status=403,
            kind="shop-paused",
        )
    return parsed


def apply_order_event(shop: Shop, parsed: OrderPayload, event: OrderEvent) -> Ingested:
    """What an order event does, in the caller's transaction; ``event`` is new (stored here,
    last) or a pending delivery (marked processed here)."""
    member = verified_member(parsed.email)
    order, created = _locked_order(shop, parsed)
    before = None if created else _purchase_facts(order)
    event.order = order
    result = Ingested(event=event, order=order, created=created)
    if created:
        result.changes.append(_("new order"))
    _update_facts(order, parsed, result, created=created)
    if order.member_id is None and member is not None:
        order.member = member
        result.changes.append(_("attached to %(member)s") % {"member": member.username})
    order.updated_at = timezone.now()
    _settle(
        order,
        event,
        result,
        save=order.save,  # once, with the facts and what the points changed
        codes=parsed.discount_codes,
        skus=[line.sku for line in parsed.line_items] if created else None,
    )
    event.outcome = "; ".join(result.changes)[:500] or _("no change")
    event.processed_at = timezone.now()
    if event.pk is None:
        save_event(event)
    else:
        event.save(update_fields=["order", "outcome", "processed_at"])
    after = _purchase_facts(order)
    if before != after:
        # Last, after the order's and the balance's locks (see hub.shop.summaries).
        summaries.order_changed(order, before, after)
    return result


def save_event(event: OrderEvent) -> None:
    """Store the event, once: its webhook id is unique per shop, so a replayed delivery fails
    here and raises, and the transaction rolls back whatever this delivery did. Stored last
    (with its outcome) unless a refund needs it first, as the source of the points taken back;
    under the order's row lock either way, so a replay waits for the first delivery and then
    fails. No savepoint: nothing runs after the failure but the rollback."""
    try:
        event.save()
    except IntegrityError:
        raise ShopError(
            _("This delivery (webhook id %(id)s) was received before; nothing was done again.")
            % {"id": event.webhook_id},
            status=409,
            kind="replayed-delivery",
        ) from None


def _purchase_facts(order: Order) -> summaries.PurchaseFacts:
    """What the purchase summaries depend on: whose the order is, and whether and how much it
    is a purchase (its date never changes)."""
    return summaries.PurchaseFacts(
        order.member_id,
        order.email,
        order.total,
        order.refunded,
        order.paid_at,
        order.cancelled_at,
    )


def _locked_order(shop: Shop, parsed: OrderPayload) -> tuple[Order, bool]:
    """The order row, created on its first event, locked for this transaction.

    One ``INSERT … ON CONFLICT DO NOTHING`` whatever happens: a new order is inserted (and
    locked until commit, like any row this transaction inserted) without a look-up first or a
    savepoint around it; an order that exists, or that a concurrent delivery is inserting
    (PostgreSQL waits for that one to commit), is then read under a row lock."""
    order = Order(
        shop=shop,
        external_id=parsed.order_id,
        email=parsed.email,
        currency=parsed.currency,
        total=parsed.total,
        placed_at=parsed.created_at,
        discount_codes=list(parsed.discount_codes),
    )
    meta = Order._meta
    inserted = Order.objects._insert(
        [order],
        fields=[f for f in meta.local_concrete_fields if f is not meta.pk],
        returning_fields=[meta.pk],
        on_conflict=OnConflict.IGNORE,
    )
    if inserted and inserted[0]:
        order.pk = inserted[0][0]
        order._state.adding, order._state.db = False, Order.objects.db
        OrderLine.objects.bulk_create(
            OrderLine(order=order, **line.__dict__) for line in parsed.line_items
        )
        return order, True
    order = Order.objects.select_for_update().get(shop=shop, external_id=parsed.order_id)
    order.shop = shop
    return order, False


def _update_facts(order: Order, parsed: OrderPayload, result: Ingested, *, created: bool) -> None:
    """Bring the order to the shop's latest facts: never un-pay, un-cancel or un-refund."""
    if not created:
        if parsed.email != order.email and order.member_id is None:
            order.email = parsed.email
        if parsed.total != order.total and not order.rewarded:
            order.total = parsed.total  # the amount is settled once points were given for it
        if parsed.line_items and not order.rewarded:
            OrderLine.objects.filter(order=order).delete()
            OrderLine.objects.bulk_create(
                OrderLine(order=order, **line.__dict__) for line in parsed.line_items
            )
        codes = list(dict.fromkeys([*order.discount_codes, *parsed.discount_codes]))
        order.discount_codes = codes
    if parsed.paid_at is not None and order.paid_at is None:
        order.paid_at = parsed.paid_at
        result.changes.append(_("paid"))
    refunded = min(order.total, max(order.refunded, parsed.refunded))
    if refunded > order.refunded:
        order.refunded = refunded
        result.changes.append(_("refunded %(amount)s in all") % {"amount": refunded})
    if parsed.cancelled_at is not None and order.cancelled_at is None:
        order.cancelled_at = parsed.cancelled_at
        result.changes.append(_("cancelled"))
    order.status = _status(order)


def _status(order: Order) -> str:
    if order.cancelled_at is not None:
        return Order.CANCELLED
    if order.refunded > 0 and order.refunded >= order.total:
        return Order.REFUNDED
    if order.refunded > 0:
        return Order.PARTIALLY_REFUNDED
    if order.paid_at is not None:
        return Order.PAID
    return Order.CREATED


def _member_facts(member) -> tuple[int, str]:
    """The member's lifetime points (their tier) and the language to write to them in, in one
    query (points_for() and recipient_language() each take one)."""
    row = (
        type(member)
        .objects.filter(pk=member.pk)
        .values_list("points_balance__lifetime", "wagtail_userprofile__preferred_language")
        .first()
    )
    lifetime, language = row if row else (0, "")
    return lifetime or 0, language or translation.get_language() or django_settings.LANGUAGE_CODE


def _points_for(amount: Decimal, lifetime: int) -> int:
    """points_for() with the member's lifetime points already known."""
    rule = rules.rule_for(ORDER_ACTION)
    if not rule.enabled or rule.points <= 0:
        return 0
    tier = tier_for(lifetime)
    multiplier = tier.points_multiplier if tier is not None else Decimal("1")
    return math.floor(amount * rule.points * multiplier)


def _settle(
    order: Order, event: OrderEvent, result: Ingested, *, save, codes=(), skus=None
) -> None:
    """Move the member's points (and what follows a payment) to what the order now says is due.
    Caller holds the order's row lock. ``save()`` stores the order, called once, as soon as
    its points are settled (what follows a payment reads it). ``skus``: the order's, when the
    caller has them at hand."""
    if order.member_id is None or order.paid_at is None:
        save()
        return
    member = order.member
    reference = f"{order.shop.name} #{order.external_id}"
    facts = None
    newly_rewarded = False
    if not order.rewarded:
        order.rewarded = newly_rewarded = True
        entry = None
        if order.net > 0:  # an order cancelled or refunded before it was settled earns nothing
            facts = _member_facts(member)
            with translation.override(facts[1]):
                reason = _("Order %(order)s") % {"order": reference}
            entry = award(
                member,
                ORDER_ACTION,
                source=order,
                points=_points_for(order.total, facts[0]),
                reason=reason,
            )
        if entry is not None:
            order.points_awarded = entry.points
            result.points += entry.points
            result.changes.append(_("+%(points)d points") % {"points": entry.points})
            with translation.override(facts[1]):
                text = ngettext(
                    "Thank you for your order %(order)s: +%(points)d point.",
                    "Thank you for your order %(order)s: +%(points)d points.",
                    entry.points,
                ) % {"order": reference, "points": entry.points}
            notify(member, REWARDED_KIND, text=text, url="/points/", target=order)
    if order.points_awarded > 0 and order.total > 0:
        kept = math.floor(order.points_awarded * order.net / order.total)
        due_back = order.points_awarded - kept - order.points_reversed
        if due_back > 0:
            if event.pk is None:
                save_event(event)  # the reversal's source
            facts = facts or _member_facts(member)
            language = facts[1]
            with translation.override(language):
                reason = _("Refund or cancellation of order %(order)s") % {"order": reference}
            entry = take_back(member, ORDER_ACTION, source=event, points=due_back, reason=reason)
            if entry is not None:
                order.points_reversed += due_back
                result.points -= due_back
                result.changes.append(_("−%(points)d points") % {"points": due_back})
                with translation.override(language):
                    text = ngettext(
                        "Order %(order)s was refunded or cancelled: %(points)d point taken back.",
                        "Order %(order)s was refunded or cancelled: %(points)d points taken back.",
                        due_back,
                    ) % {"order": reference, "points": due_back}
                notify(member, REFUNDED_KIND, text=text, url="/points/", target=order)
    save()
    if order.cancelled_at is None and (codes or order.discount_codes):
        used = mark_codes_used(
            list(codes) or order.discount_codes,
            user=member,
            reference=reference,
            when=order.paid_at,
        )
        if used:
            result.changes.append(
                ngettext("%(count)d perk code used", "%(count)d perk codes used", len(used))
                % {"count": len(used)}
            )
    settings = programme_settings()
    if newly_rewarded:
        _run_handlers(order, OrderEvent.PAID, reference, settings, skus=skus)
        if check_referral_qualification(member) is not None:
            result.changes.append(_("referral qualified"))
        if order.net > 0 and _give_comeback_perk(order, settings, lambda: _member_facts(member)[1]):
            result.changes.append(_("come-back perk given"))
    elif event.type in (OrderEvent.REFUNDED, OrderEvent.PARTIALLY_REFUNDED, OrderEvent.CANCELLED):
        _run_handlers(order, event.type, reference, settings, skus=skus)


def _run_handlers(order: Order, kind: str, reference: str, settings, *, skus=None) -> None:
    if skus is None:
        skus = OrderLine.objects.filter(order=order).values_list("sku", flat=True)
    facts = OrderFacts(
        order_id=order.pk,
        shop_id=order.shop_id,
        member_id=order.member_id,
        reference=reference,
        event=kind,
        skus=tuple(dict.fromkeys(skus)),
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        review_invitation_at=(order.paid_at or order.placed_at)
        + timedelta(days=settings.review_invitation_days),
    )
    for handler in order_handlers():
        try:
            with transaction.atomic():
                handler.func(facts)
        except Exception:  # a feature app's failure must not lose the order or its points
            logger.exception("order handler %s failed for order %s", handler.key, order.pk)


def _give_comeback_perk(order: Order, settings, language) -> bool:
    """After a member's first paid order, the come-back perk: a code for their second purchase
    that expires after N days, with a reminder before it does. Once per member. ``language``
    is a callable giving the member's (only asked when the perk is given).

    The cheap refusals come first: no perk, an old order attached only now, then (one query)
    an earlier order, which is what most orders have; only a first order loads the perk."""
    if settings.comeback_perk_id is None:
        return False
    member = order.member
    now = timezone.now()
    expires = now + timedelta(days=settings.comeback_days)
    if order.placed_at < now - timedelta(days=settings.comeback_days):
        return False  # an old order attached only now
    earlier = (
        Order.objects.filter(member=member, paid_at__isnull=False, cancelled_at__isnull=True)
        .exclude(pk=order.pk)
        .filter(placed_at__lt=order.placed_at)
        .exists()
    )
    if earlier or ComebackOffer.objects.filter(member=member).exists():
        return False  # not their first order, or the offer was made already
    perk = settings.comeback_perk  # usually withdrawn from /perks/: it is given, not redeemed
    if perk is None:
        return False
    language = language()
    remind_at = expires - timedelta(
        days=min(settings.comeback_reminder_days, settings.comeback_days)
    )
    try:
        with transaction.atomic():
            offer = ComebackOffer.objects.create(
                member=member, order=order, expires_at=expires, remind_at=remind_at
            )
            with translation.override(language):
                reason = _("Thank you for your first order! For your next one, until %(date)s:") % {
                    "date": date_format(timezone.localtime(expires), "DATE_FORMAT")
                }
            offer.redemption = grant_perk(member, perk, reason=reason, expires_at=expires)
            offer.save(update_fields=["redemption"])
    except IntegrityError:
        return False  # another order of theirs got there first
    except RewardsError as refused:
        logger.warning("come-back perk not given to member %s: %s", member.pk, refused)
        return False
    schedule_comeback_reminder(offer)
    return True


def attach_orders(user, email: str) -> list[Ingested]:
    """The member verified ``email``: their orders from that address, kept until now, become
    theirs, oldest first, and count as if they had been a member when buying (points, verified
    buyer, referral, come-back perk, KPIs). Each order in its own transaction; any number of
    calls attach and reward once."""
    email = (email or "").strip().lower()
    if not email or not user.is_active:
        return []
    attached = []
    pending = Order.objects.filter(email=email, member__isnull=True).order_by("placed_at", "pk")
    for order_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            order = (
                Order.objects.select_for_update()
                .select_related("shop")
                .filter(pk=order_id, member__isnull=True)
                .first()
            )
            if order is None:
                continue  # attached meanwhile
            order.member = user
            order.save(update_fields=["member"])  # before the points: award() links to it
            event = OrderEvent.objects.create(
                shop=order.shop,
                order=order,
                type=OrderEvent.ATTACHED,
                source=OrderEvent.SIGNUP,
                processed_at=timezone.now(),
            )
            result = Ingested(event=event, order=order, created=False)
            result.changes.append(_("attached to %(member)s") % {"member": user.username})
            _settle(
                order,
                event,
                result,
                save=lambda order=order: order.save(
                    update_fields=["rewarded", "points_awarded", "points_reversed"]
                ),
            )
            event.outcome = "; ".join(result.changes)[:500]
            event.save(update_fields=["outcome"])
            # The address's customer loses the order, the member's gains it.
            summaries.refresh_order(order, before=(None, order.email))
            attached.append(result)
    return attached


# --- Secrets -----------------------------------------------------------------------------------
def connect_shop(shop: Shop, *, by=None) -> str:
    """A new shop's first signing secret; returned once, to show the editor."""
    secret = ShopSecret.objects.create(shop=shop, secret=new_secret(), created_by=by)
    if by is not None:
        log(instance=shop, action="shop.secret.created", user=by, data={"hint": secret.hint})
    return secret.secret


def rotate_secret(shop: Shop, *, by, overlap_hours: int = 24) -> str:
    """A new signing secret for ``shop``; the ones active now keep working for
    ``overlap_hours`` more (0: stop at once), so the shop can switch without a lost delivery.
    Returns the new secret, shown to the editor once."""
    if not 0 <= overlap_hours <= 24 * 30:
        raise ShopError(_("Keep the old secret for 0 to 720 hours."))
    now = timezone.now()
    until = now + timedelta(hours=overlap_hours)
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()  # one rotation at a time
        old = ShopSecret.objects.filter(shop=shop).exclude(expires_at__lte=now)
        old.filter(expires_at__isnull=True).update(expires_at=until)
        old.filter(expires_at__gt=until).update(expires_at=until)
        secret = ShopSecret.objects.create(shop=shop, secret=new_secret(), created_by=by)
        log(
            instance=shop,
            action="shop.secret.rotated",
            user=by,
            data={"hint": secret.hint, "overlap_hours": overlap_hours},
        )
    return secret.secret


def expire_secret(secret: ShopSecret, *, by) -> None:
    """Stop accepting deliveries signed with ``secret`` now (a leaked secret)."""
    with transaction.atomic():
        ShopSecret.objects.filter(pk=secret.pk).update(expires_at=timezone.now())
        log(instance=secret.shop, action="shop.secret.expired", user=by, data={"hint": secret.hint})


# --- CSV import ---------------------------------------------------------------------------------
CSV_MAX_BYTES = 2_000_000
CSV_MAX_ORDERS = 5_000
CSV_COLUMNS = [
    "order_id",
    "email",
    "status",
    "total",
    "refunded",
    "currency",
    "created_at",
    "paid_at",
    "cancelled_at",
    "sku",
    "name",
    "quantity",
    "unit_price",
    "discount_codes",
]
CSV_STATUSES = {
    "created": "order.created",
    "paid": "order.paid",
    "partially_refunded": "order.partially_refunded",
    "refunded": "order.refunded",
    "cancelled": "order.cancelled",
}


@dataclass
class CsvRow:
    """One order of an uploaded file and what importing it does (or would do)."""

    line: int
    order_id: str
    email: str
    status: str
    total: str
    errors: dict = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    points: int = 0
    member: str = ""


class _DryRun(Exception):
    pass


def read_orders_csv(data: bytes | str) -> tuple[list[dict], list[CsvRow]]:
    """The orders in an uploaded CSV as event envelopes (one row per line item; a row's order
    columns may be left empty after the first row of its order), and the rows that could not
    be read. Raises ShopError for a file that is not CSV or too large."""
    if isinstance(data, bytes):
        if len(data) > CSV_MAX_BYTES:
            raise ShopError(_("That file is larger than 2 MB. Split it and import the parts."))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ShopError(_("That file is not a UTF-8 CSV file.")) from None
    if "\x00" in data:
        raise ShopError(_("That file is not a UTF-8 CSV file."))
    reader = csv.DictReader(io.StringIO(data))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("order_id", "email", "status", "total", "created_at") if c not in header]
    if missing:
        raise ShopError(
            _("The file needs these columns: %(columns)s (missing: %(missing)s).")
            % {"columns": ", ".join(CSV_COLUMNS), "missing": ", ".join(missing)}
        )
    reader.fieldnames = header
    envelopes: dict[str, dict] = {}
    lines: dict[str, int] = {}
    bad: list[CsvRow] = []
    try:
        for number, row in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in row.items() if k}
            order_id = row.get("order_id", "")
            if not order_id:
                bad.append(CsvRow(number, "", "", "", "", errors={"order_id": _("Missing.")}))
                continue
            envelope = envelopes.get(order_id)
            if envelope is None:
                if len(envelopes) >= CSV_MAX_ORDERS:
                    raise ShopError(
                        _("Import at most %(max)d orders at a time.") % {"max": CSV_MAX_ORDERS}
                    )
                status = row.get("status", "").lower()
                codes = [c for c in row.get("discount_codes", "").replace(";", " ").split() if c]
                envelope = {
                    "type": CSV_STATUSES.get(status, status),
                    "data": {
                        "id": order_id,
                        "email": row.get("email", ""),
                        "currency": row.get("currency", ""),
                        "total": row.get("total", ""),
                        "refunded": row.get("refunded", ""),
                        "created_at": row.get("created_at", ""),
                        "paid_at": row.get("paid_at", ""),
                        "cancelled_at": row.get("cancelled_at", ""),
                        "discount_codes": codes,
                        "line_items": [],
                    },
                }
                envelopes[order_id], lines[order_id] = envelope, number
            if row.get("sku"):
                quantity = row.get("quantity") or "1"
                envelope["data"]["line_items"].append(
                    {
                        "sku": row["sku"],
                        "name": row.get("name", ""),
                        "quantity": int(quantity) if quantity.isdigit() else quantity,
                        "unit_price": row.get("unit_price") or "0",
                    }
                )
    except csv.Error as error:
        raise ShopError(_("That file is not valid CSV: %(error)s") % {"error": error}) from None
    for order_id, envelope in envelopes.items():
        envelope["line"] = lines[order_id]
    return list(envelopes.values()), bad


def import_orders(shop: Shop, data, *, by, apply: bool) -> list[CsvRow]:
    """Import a CSV of orders into ``shop``: with ``apply`` False, a dry run that reports what
    each order would change (new order, payment, refund, points, member) and keeps nothing;
    with ``apply`` True, the same, kept. Rows with errors are reported and skipped either way.
    Importing a file twice changes nothing the second time."""
    envelopes, report = read_orders_csv(data)
    try:
        with transaction.atomic():
            for envelope in envelopes:
                line = envelope.pop("line")
                data_ = envelope["data"]
                row = CsvRow(
                    line=line,
                    order_id=data_["id"],
                    email=data_["email"],
                    status=envelope["type"],
                    total=data_["total"],
                )
                report.append(row)
                try:
                    with transaction.atomic():
                        result = ingest_order_event(shop, envelope, source=OrderEvent.CSV)
                except ShopError as refused:
                    row.errors = refused.errors or {"": refused.message}
                    continue
                row.points = result.points
                row.changes = [c for c in result.changes if c] or [_("no change")]
                if result.order.member_id:
                    row.member = result.order.member.username
                if result.changes == [] and not result.created:
                    # Nothing changed: the event row would only repeat the previous one.
                    result.event.delete()
            if not apply:
                raise _DryRun
            log(
                instance=shop,
                action="shop.orders.imported",
                user=by,
                data={"orders": len(envelopes), "errors": sum(1 for r in report if r.errors)},
            )
            transaction.on_commit(kpis.drop_cache)
    except _DryRun:
        pass
    report.sort(key=lambda r: r.line)
    return report


def demo_envelope(
    order_id: str,
    email: str,
    amount: Decimal,
    *,
    when=None,
    skus=("TM-DEMO",),
    kind="order.paid",
    codes=(),
) -> dict:
    """An order event as a shop would send it (``send_demo_order`` and the bench)."""
    when = when or timezone.now()
    amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    skus = tuple(skus) or ("TM-DEMO",)
    prices = [(amount / len(skus)).quantize(Decimal("0.01"))] * len(skus)
    prices[0] += amount - sum(prices)  # the lines add up to the total
    return {
        "type": kind,
        "timestamp": when.isoformat(),
        "data": {
            "id": order_id,
            "email": email,
            "currency": "EUR",
            "total": str(amount),
            "line_items": [
                {"sku": sku, "quantity": 1, "unit_price": str(price)}
                for sku, price in zip(skus, prices, strict=True)
            ],
            "discount_codes": list(codes),
            "created_at": when.isoformat(),
            "paid_at": when.isoformat() if kind != "order.created" else None,
        },
    }
