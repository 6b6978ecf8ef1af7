"""The order webhook's inbox: a delivery is checked, stored and answered at once, and the
background worker applies it ("respond quickly, process asynchronously", as Shopify and Stripe
ask of their webhook receivers).

accept_order_event stores the delivery (a pending OrderEvent holding its payload, once per
webhook id) with the task that applies it, in one short transaction; process_order_event_task
(the worker) applies it with the same code as every other door (hub.shop.services), once however
often it runs; sweep_pending_order_events, run by every worker every few minutes, enqueues again
a delivery whose task was lost.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import OrderEvent, Shop
from .payloads import ShopError, parse_order_event
from .services import Ingested, apply_order_event, check_order_event, save_event

logger = logging.getLogger(__name__)

# A delivery still pending after this long has lost its task (its own normally runs within
# seconds; even a backlog of thousands of orders is minutes): the sweep enqueues it again.
PENDING_GRACE_SECONDS = 15 * 60
SWEEP_BATCH = 500


def accept_order_event(
    shop: Shop, payload, *, webhook_id: str | None = None, source: str = OrderEvent.WEBHOOK
) -> OrderEvent:
    """Take an order event in for the background worker: the payload is checked (ShopError as
    for ingest_order_event: invalid, shop paused, a replayed webhook id; nothing is stored),
    then stored as a pending OrderEvent together with the task that applies it, in one
    transaction of two inserts. Returns the stored event."""
    parsed = check_order_event(shop, payload)
    event = OrderEvent(
        shop=shop,
        type=parsed.type,
        source=source,
        webhook_id=webhook_id or None,
        payload=payload,
    )
    with transaction.atomic():
        save_event(event)  # a replayed webhook id fails here, before the task is enqueued
        enqueue_processing(event.pk)
    return event


def process_order_event(event_id: int) -> Ingested | None:
    """Apply an accepted delivery: the order, its points, verified buyer, referral, perk codes,
    come-back perk, notifications and purchase summaries, as ingest_order_event does.

    One transaction under the event's row lock: an event already applied (its task ran before,
    or the sweep's did) is left alone, and a worker killed part-way leaves nothing behind (the
    transaction rolls back), so running it again applies it once. None when there was nothing
    to do."""
    with transaction.atomic():
        event = (
            OrderEvent.objects.select_for_update(of=("self",))
            .select_related("shop")
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return None
        try:
            parsed = parse_order_event(event.payload, default_currency=event.shop.currency)
        except ShopError as refused:  # accepted under older checks, say: record why, once
            logger.warning("order event %s cannot be applied: %s", event.pk, refused.message)
            event.outcome = str(refused.message)[:500]
            event.processed_at = timezone.now()
            event.save(update_fields=["outcome", "processed_at"])
            return None
        return apply_order_event(event.shop, parsed, event)


@task()
def process_order_event_task(event_id: int) -> bool:
    return process_order_event(event_id) is not None


def enqueue_processing(event_id: int) -> None:
    """Enqueue the task that applies ``event_id``. A queue kept in this database (the
    django_tasks_db backend) gets it in the caller's transaction, so an accepted event always
    has its task; any other backend (the tests' immediate one) once the transaction commits."""
    if _queues_in_database(process_order_event_task.get_backend()):
        process_order_event_task.enqueue(event_id)
    else:
        transaction.on_commit(lambda: process_order_event_task.enqueue(event_id))


def _queues_in_database(backend) -> bool:
    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover  (the project depends on it)
        return False
    return isinstance(backend, DatabaseBackend)


def pending_event_ids(now=None, *, grace_seconds: float = PENDING_GRACE_SECONDS) -> list[int]:
    """Deliveries accepted more than ``grace_seconds`` ago and not applied yet, oldest first."""
    now = now or timezone.now()
    return list(
        OrderEvent.objects.filter(
            processed_at__isnull=True, received_at__lt=now - timedelta(seconds=grace_seconds)
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def sweep_pending_order_events(*, grace_seconds: float = PENDING_GRACE_SECONDS) -> int:
    """Enqueue again the deliveries whose task was lost; returns how many."""
    ids = pending_event_ids(grace_seconds=grace_seconds)
    for event_id in ids:
        with transaction.atomic():
            enqueue_processing(event_id)
    if ids:
        logger.warning("shop: %d order deliveries were still pending; enqueued again", len(ids))
    return len(ids)
