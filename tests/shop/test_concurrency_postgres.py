"""Twenty deliveries of one order at once, on PostgreSQL: points are awarded once, whether the
deliveries repeat one webhook id or carry twenty.

Each delivery is accepted (202) and its task enqueued when it commits; the tests' immediate task
backend then runs the task in the delivering thread, so twenty workers apply the events at
once, as twenty worker processes would. One test drives the database queue and real workers."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from hub.rewards.models import Balance, PointsEntry
from hub.shop.models import Order, OrderEvent
from hub.shop.signing import sign
from tests.shop.helpers import WEBHOOK, envelope, make_shop, verified_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 20


def all_at_once(calls) -> list:
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=30)
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls, timeout=120))


def post(body: bytes, headers: dict):
    def call():
        return (
            Client()
            .post(
                WEBHOOK,
                body,
                content_type="application/json",
                **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
            )
            .status_code
        )

    return call


def test_twenty_deliveries_of_one_webhook_id_process_once():
    _shop, secret = make_shop()
    ana = verified_member("ana")
    body = json.dumps(envelope(total="100.00")).encode()
    headers = sign(secret, body, webhook_id="msg_same")
    statuses = all_at_once([post(body, headers)] * THREADS)

    assert sorted(statuses) == [202] + [409] * (THREADS - 1)
    assert Order.objects.count() == OrderEvent.objects.count() == 1
    assert OrderEvent.objects.get().processed_at is not None
    assert PointsEntry.objects.filter(user=ana, action="shop.order.paid").count() == 1
    assert Balance.objects.get(user=ana).lifetime == 100
    assert ana.notifications.filter(kind="shop.order.rewarded").count() == 1


def test_twenty_deliveries_of_one_order_under_different_ids_award_once():
    _shop, secret = make_shop()
    ana = verified_member("ana")
    body = json.dumps(envelope(total="100.00")).encode()
    calls = [post(body, sign(secret, body, webhook_id=f"msg_{n}")) for n in range(THREADS)]
    statuses = all_at_once(calls)

    assert statuses == [202] * THREADS
    assert Order.objects.count() == 1 and OrderEvent.objects.count() == THREADS
    assert not OrderEvent.objects.filter(processed_at__isnull=True).exists()
    assert PointsEntry.objects.filter(user=ana, action="shop.order.paid").count() == 1
    balance = Balance.objects.get(user=ana)
    assert (balance.lifetime, balance.spendable) == (100, 100)
    assert ana.notifications.filter(kind="shop.order.rewarded").count() == 1


def test_twenty_refunds_of_one_order_take_back_once():
    shop, secret = make_shop()
    ana = verified_member("ana")
    from hub.shop.services import ingest_order_event

    ingest_order_event(shop, envelope(total="100.00"))
    body = json.dumps(
        envelope(kind="order.partially_refunded", total="100.00", refunded="25.00")
    ).encode()
    all_at_once([post(body, sign(secret, body, webhook_id=f"r_{n}")) for n in range(THREADS)])

    assert Balance.objects.get(user=ana).lifetime == 75
    assert Order.objects.get().points_reversed == 25
    assert ana.notifications.filter(kind="shop.order.refunded").count() == 1


def test_concurrent_orders_and_refunds_of_one_customer_keep_the_summaries_exact():
    """Twenty deliveries at once for one member and one address without an account: new
    purchases (added in place), then refunds, cancellations and partial refunds (computed again
    from the orders) of the same customers, all at once: the kept summaries equal a rebuild."""
    from hub.shop import summaries
    from hub.shop.models import CustomerSummary

    _shop, secret = make_shop()
    ana = verified_member("ana")

    def delivery(order_id, email, **kwargs):
        body = json.dumps(envelope(order_id, email, "40.00", **kwargs)).encode()
        return post(body, sign(secret, body, webhook_id=f"msg_{order_id}_{kwargs.get('kind')}"))

    customers = ["ana@example.com", "guest@example.net"]
    all_at_once([delivery(f"{n}", customers[n % 2]) for n in range(THREADS)])
    kept = summaries.snapshot()
    assert kept[str(ana.pk)][2] == kept["guest@example.net"][2] == THREADS // 2

    changes = []
    for n in range(THREADS):
        email = customers[n % 2]
        if n % 4 < 2:
            changes.append(delivery(f"{n}", email, kind="order.refunded"))
        elif n % 8 < 6:
            changes.append(delivery(f"{n}", email, kind="order.cancelled"))
        else:
            changes.append(
                delivery(f"{n}", email, kind="order.partially_refunded", refunded="15.00")
            )
        changes.append(delivery(f"new-{n}", email))  # and a new purchase beside each
    all_at_once(changes[:THREADS])
    all_at_once(changes[THREADS:])

    kept = summaries.snapshot()
    summaries.rebuild()
    assert summaries.snapshot() == kept
    assert CustomerSummary.objects.get(member=ana).purchases == kept[str(ana.pk)][2] > 0


def test_twenty_deliveries_queued_in_the_database_are_applied_once_by_four_workers(settings):
    """The production path: the deliveries' tasks wait in the database queue, and four
    workers (django_tasks_db's, one thread each) take them at once."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _shop, secret = make_shop()
    ana = verified_member("ana")
    body = json.dumps(envelope(total="100.00")).encode()
    calls = [post(body, sign(secret, body, webhook_id=f"msg_{n}")) for n in range(THREADS)]
    assert all_at_once(calls) == [202] * THREADS
    assert not Order.objects.exists()  # accepted, not applied yet
    queued = DBTaskResult.objects.filter(task_path="hub.shop.inbox.process_order_event_task")
    assert queued.filter(status=TaskResultStatus.READY).count() == THREADS

    from hub.management.commands.db_worker import Worker

    def worker(n):
        return Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"worker-{n}",
            excluded_queue_names=[],
        ).run

    all_at_once([worker(n) for n in range(4)])

    assert not queued.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert Order.objects.count() == 1
    assert not OrderEvent.objects.filter(processed_at__isnull=True).exists()
    assert PointsEntry.objects.filter(user=ana, action="shop.order.paid").count() == 1
    assert Balance.objects.get(user=ana).lifetime == 100
    assert ana.notifications.filter(kind="shop.order.rewarded").count() == 1
