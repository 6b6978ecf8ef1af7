"""Reading an order event: the one schema webhooks, CSV rows and the API share, checked field by
field, so what reaches the services is complete and typed (or refused with every error at once).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hub.errors import Refusal

EVENT_TYPES = (
    "order.created",
    "order.paid",
    "order.partially_refunded",
    "order.refunded",
    "order.cancelled",
)
MAX_LINES = 500
MAX_CODES = 20
MAX_AMOUNT = Decimal("9999999999.99")


class ShopError(Refusal):
    """A refused order event or shop operation, with a message fit for whoever sent it.

    ``status`` and ``kind`` say how the webhook (or the REST API) answers it as an RFC 9457
    problem; ``errors`` maps each faulty field of a payload to what is wrong with it.
    """

    def __init__(self, message, *, status: int = 422, kind: str = "invalid-order", errors=None):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.errors = errors or {}


@dataclass(frozen=True)
class LineItem:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OrderPayload:
    type: str
    order_id: str
    email: str
    currency: str
    total: Decimal
    refunded: Decimal
    line_items: tuple[LineItem, ...]
    discount_codes: tuple[str, ...]
    created_at: datetime
    paid_at: datetime | None
    cancelled_at: datetime | None
    occurred_at: datetime

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.sku for line in self.line_items))


def _amount(value, field: str, errors: dict) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        errors[field] = _("Give an amount, e.g. “49.90”.")
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("“%(value)s” is not an amount.") % {"value": str(value)[:40]}
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        errors[field] = _("An amount must be zero or more.")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors[field] = _("An amount has at most two decimals.")
        return None
    return amount.quantize(Decimal("0.01"))


def _moment(value, field: str, errors: dict, *, required: bool) -> datetime | None:
    if value in (None, ""):
        if required:
            errors[field] = _("Give a date and time (ISO 8601, e.g. 2026-12-01T10:00:00Z).")
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors[field] = _("“%(value)s” is not a date and time in ISO 8601.") % {
            "value": str(value)[:40]
        }
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_fixed_timezone(0))
    return parsed


def _text(value, field: str, errors: dict, *, max_length: int, required: bool = True) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (required and not value.strip()):
        if required or value is not None:
            errors[field] = _("Give a text value.")
        return ""
    value = value.strip()
    if len(value) > max_length:
        errors[field] = _("At most %(max)d characters.") % {"max": max_length}
    return value


def parse_order_event(envelope, *, default_currency: str = "EUR") -> OrderPayload:
    """Check an order event and return it typed, or raise ShopError (422) listing every error.

    The envelope is Standard Webhooks': ``{"type": "order.paid", "timestamp": "…", "data":
    {…}}``; see hub.shop.services.ingest_order_event for the fields of ``data``.
    """
    errors: dict[str, str] = {}
    if not isinstance(envelope, dict):
        raise ShopError(_("The body must be a JSON object."), errors={"": _("Not an object.")})
    kind = envelope.get("type")
    if kind not in EVENT_TYPES:
        errors["type"] = _("One of: %(types)s.") % {"types": ", ".join(EVENT_TYPES)}
    occurred = _moment(envelope.get("timestamp"), "timestamp", errors, required=False)
    data = envelope.get("data")
    if not isinstance(data, dict):
        errors["data"] = _("The order, as an object.")
        raise ShopError(_("The order event is not valid."), errors=errors)

    order_id = _text(data.get("id"), "data.id", errors, max_length=100)
    email = _text(data.get("email"), "data.email", errors, max_length=254).lower()
    if email and "data.email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["data.email"] = _("Enter a valid e-mail address.")
    currency = data.get("currency") or default_currency
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        errors["data.currency"] = _("A three-letter currency code, e.g. EUR.")
        currency = default_currency
    total = _amount(data.get("total"), "data.total", errors)
    refunded = Decimal("0.00")
    if data.get("refunded") not in (None, ""):
        refunded = _amount(data.get("refunded"), "data.refunded", errors) or Decimal("0.00")
    elif kind == "order.refunded" and total is not None:
        refunded = total  # a full refund need not repeat the amount
    if total is not None and refunded > total:
        errors["data.refunded"] = _("The refunded amount is more than the total.")

    lines = []
    raw_lines = data.get("line_items", [])
    if not isinstance(raw_lines, list) or len(raw_lines) > MAX_LINES:
        errors["data.line_items"] = _("A list of at most %(max)d items.") % {"max": MAX_LINES}
        raw_lines = []
    for number, raw in enumerate(raw_lines):
        field = f"data.line_items[{number}]"
        if not isinstance(raw, dict):
            errors[field] = _("An item, as an object.")
            continue
        sku = _text(raw.get("sku"), f"{field}.sku", errors, max_length=64)
        name = _text(raw.get("name"), f"{field}.name", errors, max_length=200, required=False)
        quantity = raw.get("quantity", 1)
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= 10000
        ):
            errors[f"{field}.quantity"] = _("A whole number from 1 to 10,000.")
            quantity = 1
        price = _amount(raw.get("unit_price", "0"), f"{field}.unit_price", errors)
        lines.append(
            LineItem(sku=sku, name=name, quantity=quantity, unit_price=price or Decimal(0))
        )

    codes = data.get("discount_codes", [])
    if not isinstance(codes, list) or len(codes) > MAX_CODES:
        errors["data.discount_codes"] = _("A list of at most %(max)d codes.") % {"max": MAX_CODES}
        codes = []
    clean_codes = []
    for number, code in enumerate(codes):
        text = _text(code, f"data.discount_codes[{number}]", errors, max_length=120)
        if text:
            clean_codes.append(text)

    created_at = _moment(data.get("created_at"), "data.created_at", errors, required=True)
    paid_at = _moment(data.get("paid_at"), "data.paid_at", errors, required=False)
    cancelled_at = _moment(data.get("cancelled_at"), "data.cancelled_at", errors, required=False)
    if errors:
        raise ShopError(_("The order event is not valid."), errors=errors)

    occurred = occurred or timezone.now()
    if kind in ("order.paid", "order.partially_refunded", "order.refunded") and paid_at is None:
        paid_at = occurred if kind == "order.paid" else created_at  # a refund implies a payment
    if kind == "order.cancelled" and cancelled_at is None:
        cancelled_at = occurred
    return OrderPayload(
        type=kind,
        order_id=order_id,
        email=email,
        currency=currency.upper(),
        total=total,
        refunded=refunded,
        line_items=tuple(lines),
        discount_codes=tuple(dict.fromkeys(clean_codes)),
        created_at=created_at,
        paid_at=paid_at,
        cancelled_at=cancelled_at,
        occurred_at=occurred,
    )
