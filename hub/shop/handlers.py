"""The registry of what feature apps do when an order arrives: they register a handler from
AppConfig.ready(), so hub.shop never imports them.

    register_order_handler("feedback.verified_buyer", record_purchase)

A handler receives ``OrderFacts`` (ids and plain values, never model instances) inside the
transaction that changed the order, each in a savepoint of its own: a handler that fails is
logged and undone, and the order, its points and the other handlers stand. Handlers must be
idempotent (an order is paid once, but the same facts may come again after a retry).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrderFacts:
    order_id: int
    shop_id: int
    member_id: int
    reference: str  # "Shop name #1001", for messages
    event: str  # "order.paid", "order.refunded", "order.partially_refunded", "order.cancelled"
    skus: tuple[str, ...]
    placed_at: datetime
    paid_at: datetime | None
    # When to invite the member to review what they bought (the shop programme's setting).
    review_invitation_at: datetime | None = None


@dataclass(frozen=True)
class OrderHandler:
    key: str
    func: Callable[[OrderFacts], None]


_handlers: dict[str, OrderHandler] = {}


def register_order_handler(key: str, func) -> None:
    """``func(facts)`` runs for every order event of a member's order; registering a key again
    replaces it."""
    _handlers[key] = OrderHandler(key=key, func=func)


def order_handlers() -> list[OrderHandler]:
    return sorted(_handlers.values(), key=lambda h: h.key)
