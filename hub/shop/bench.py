"""Benchmark of the shop connection: 1,000,000 orders for the 100,000 bench advocates (and a
quarter from customers without an account), the order webhook under 4 threads (and the lag
until the background workers have applied each order), the purchase KPIs computed cold, and
the members-vs-others report warm.

The orders are generated inside PostgreSQL (generate_series; no rows through Python), with the
orders' secondary indexes dropped for the insert and rebuilt once after it, as for the ledger.
"""

import asyncio
import json
import time
import uuid

from django.db import connection, transaction
from django.urls import reverse

from hub.bench import register_bench_page, register_bench_probe, register_bench_seeder

ORDERS = 1_000_000
ADVOCATES = 100_000
GUESTS = 50_000
ADVOCATE_PREFIX = "bench-adv-"  # hub.rewards.bench's advocates
BENCH_SHOP = "bench-shop"
THREADS = 4
# Background workers applying the probe's orders meanwhile (separate processes, as in
# production; `make run` starts one).
WORKERS = 2
PROBE_MEMBERS = 400


def seed_bench_shop(log, scale: float) -> None:
    from hub.rewards.bench import without_secondary_indexes

    from .models import CustomerSummary, Order, OrderLine, Shop
    from .services import connect_shop

    if connection.vendor != "postgresql":
        log("orders are generated in PostgreSQL only; skipped")
        return
    orders = max(1_000, round(ORDERS * scale))
    advocates = max(100, round(ADVOCATES * scale))
    guests = max(50, round(GUESTS * scale))
    started = time.monotonic()
    shop = Shop.objects.filter(slug=BENCH_SHOP).first()
    if shop is None:
        shop = Shop.objects.create(name="Bench shop", slug=BENCH_SHOP)
        connect_shop(shop)
    have = Order.objects.filter(shop=shop, external_id__startswith="B").count()
    if have >= orders:
        log(f"{have} orders exist")
        if not CustomerSummary.objects.exists():  # seeded before the summaries were kept
            _rebuild_summaries(log)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM (SELECT id FROM accounts_user WHERE username LIKE %s "
            "ORDER BY id LIMIT %s) a",
            [ADVOCATE_PREFIX + "%", advocates],
        )
        low, high = cursor.fetchone()
    if low is None:
        log("no bench advocates: the rewards seeder runs first")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        before = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with without_secondary_indexes(cursor, Order._meta.db_table):
            # Three orders in four from members (a few buy often, most now and then), one in
            # four from an address without an account; over two years; 3% refunded, 3% partly
            # refunded, 2% cancelled.
            cursor.execute(
                """
                INSERT INTO shop_order (shop_id, external_id, email, member_id, currency, total,
                    refunded, status, discount_codes, placed_at, paid_at, cancelled_at,
                    received_at, updated_at, rewarded, points_awarded, points_reversed)
                SELECT %(shop)s, 'B' || g,
                       CASE WHEN x.member_id IS NULL THEN 'guest' || (g %% %(guests)s) || '@example.net'
                            ELSE 'member' || x.member_id || '@example.com' END,
                       x.member_id, 'EUR', x.total,
                       CASE WHEN x.fate < 0.03 THEN x.total WHEN x.fate < 0.06
                            THEN round(x.total / 2, 2) ELSE 0 END,
                       CASE WHEN x.fate < 0.03 THEN 'refunded' WHEN x.fate < 0.06
                            THEN 'partially_refunded' WHEN x.fate < 0.08 THEN 'cancelled'
                            ELSE 'paid' END,
                       '[]'::jsonb, x.placed, x.placed + interval '5 minutes',
                       CASE WHEN x.fate >= 0.06 AND x.fate < 0.08 THEN x.placed + interval '1 day' END,
                       x.placed, x.placed, x.member_id IS NOT NULL, 0, 0
                FROM generate_series(%(first)s, %(n)s) AS g
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN random() < 0.75 THEN %(low)s
                                + floor(power(random(), 2) * (%(high)s - %(low)s + 1))::int END
                               AS member_id,
                           round((15 + random() * 285)::numeric, 2) AS total,
                           random() AS fate,
                           now() - random() * interval '730 days' AS placed,
                           g AS k
                ) AS x
                """,
                {
                    "shop": shop.pk,
                    "guests": guests,
                    "first": have + 1,
                    "n": orders,
                    "low": low,
                    "high": high,
                },
            )
        cursor.execute(
            f"""
            INSERT INTO {OrderLine._meta.db_table} (order_id, sku, name, quantity, unit_price)
            SELECT id, 'BENCH-' || (id %% 2000 + 1), '', 1, total FROM shop_order
            WHERE id > %s AND shop_id = %s
            """,  # noqa: S608
            [before, shop.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE shop_order")
        cursor.execute("ANALYZE shop_orderline")
    log(f"orders: {orders - have} in {time.monotonic() - started:.0f} s")
    # The bulk insert bypassed the ingestion: derive the purchase summaries from the orders,
    # as `manage.py rebuild_purchase_summaries` does.
    _rebuild_summaries(log)


def _rebuild_summaries(log) -> None:
    from .summaries import rebuild

    started = time.monotonic()
    customers, months = rebuild()
    log(
        f"purchase summaries: {customers} customers, {months} customer-months in "
        f"{time.monotonic() - started:.0f} s"
    )


def _probe_members() -> list[str]:
    """Bench advocates with a verified address, so probe orders attach and earn points."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    members = list(
        get_user_model()
        .objects.filter(username__startswith=ADVOCATE_PREFIX)
        .order_by("pk")
        .values_list("pk", "email")[:PROBE_MEMBERS]
    )
    have = set(
        EmailAddress.objects.filter(user_id__in=[pk for pk, _e in members]).values_list(
            "user_id", flat=True
        )
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email, verified=True, primary=True)
            for pk, email in members
            if pk not in have
        ],
        ignore_conflicts=True,
    )
    return [email for _pk, email in members]


def _post_orders(
    emails: list[str], count: int, secret: str, pause: float = 0
) -> list[tuple[float, int]]:
    """Post ``count`` signed paid orders through the whole HTTP stack, timing each (``pause``
    seconds apart); returns (seconds, accepted event id) per order."""
    from django.db import connections
    from django.test import Client

    from .services import demo_envelope
    from .signing import sign

    client = Client()
    url = reverse("shop_order_webhook") + f"?shop={BENCH_SHOP}"
    timed = []
    try:
        for number in range(count):
            envelope = demo_envelope(
                f"P-{uuid.uuid4().hex[:12]}", emails[number % len(emails)], 49.90
            )
            body = json.dumps(envelope, default=str).encode()
            headers = {
                f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sign(secret, body).items()
            }
            started = time.perf_counter()
            response = client.post(url, body, content_type="application/json", **headers)
            timed.append((time.perf_counter() - started, response.json().get("event")))
            if response.status_code != 202:
                raise RuntimeError(f"order webhook answered {response.status_code}")
            if pause:
                time.sleep(pause)
    finally:
        connections.close_all()
    return timed


def _start_workers(count: int, *, niceness: int = 0) -> list:
    """``count`` real background workers (``manage.py db_worker``, separate processes, as in
    production) reading the database queue the probe's orders are enqueued in; ``niceness``
    lowers their CPU priority below the web process's (``nice -n``)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "BENCH_TASKS_IN_DATABASE": "1"}
    prefix = ["nice", "-n", str(niceness)] if niceness else []
    return [
        subprocess.Popen(  # noqa: S603  (our own manage.py, fixed arguments)
            [
                *prefix,
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "db_worker",
                "--interval",
                "0.05",
                "--no-startup-delay",
                "--worker-id",
                f"bench-shop-{n}-{uuid.uuid4().hex[:8]}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]


def _stop_workers(workers) -> None:
    import signal

    for process in workers:
        process.send_signal(signal.SIGTERM)  # finishes its task, then exits
    for process in workers:
        try:
            process.wait(timeout=30)
        except Exception:  # noqa: BLE001
            process.kill()


def _applied(event_ids: list[int], timeout: float) -> tuple[list[float], int, float]:
    """Wait (at most ``timeout`` seconds) until the worker has applied every event; returns
    each applied event's lag (accepted → applied, seconds), how many were still pending, and
    the workers' rate (events applied per second, from the first acceptance)."""
    from django.db import connections

    from .models import OrderEvent

    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            pending = OrderEvent.objects.filter(pk__in=event_ids, processed_at__isnull=True)
            if not pending.exists():
                break
            time.sleep(0.2)
        rows = list(
            OrderEvent.objects.filter(pk__in=event_ids, processed_at__isnull=False).values_list(
                "received_at", "processed_at"
            )
        )
    finally:
        connections.close_all()
    lags = [(done - received).total_seconds() for received, done in rows]
    if not rows:
        return [], len(event_ids), 0.0
    span = (max(d for _r, d in rows) - min(r for r, _d in rows)).total_seconds()
    return lags, len(event_ids) - len(rows), round(len(rows) / span, 1) if span > 0 else 0.0


async def measure_order_ingestion(samples: int):
    """Signed order webhooks from 4 threads at once, answered when stored (202): orders per
    second and time per order; then how long the background workers (real ``db_worker``
    processes, running meanwhile on the same machine) took to apply each order's effects: the
    end-to-end lag. Twice: workers at the web process's CPU priority, then at a lower one
    (``nice -n 10``, as a deployment that shares the web server's cores would run them)."""
    from asgiref.sync import sync_to_async

    from hub.bench import ProbeResult

    from .queries import active_secrets

    secrets = await sync_to_async(active_secrets)(BENCH_SHOP)
    if not secrets:
        return [ProbeResult(name="order webhook", error="no bench shop: seed first")]
    emails = await sync_to_async(_probe_members)()
    if not emails:
        return [ProbeResult(name="order webhook", error="no bench advocates: seed first")]
    rows = []
    for niceness in (0, 10):
        rows += await _measure_ingestion(samples, emails, secrets[0].secret, niceness)
    # And with no worker on this machine meanwhile (workers on other machines, or a burst the
    # queue absorbs): what accepting an order costs by itself.
    rows += await _measure_ingestion(samples, emails, secrets[0].secret, None)
    return rows


async def _measure_ingestion(samples: int, emails, secret: str, niceness: int | None):
    """One configuration: 4 threads posting while WORKERS workers at ``niceness`` apply the
    orders (None: the workers start once every order is accepted)."""
    from asgiref.sync import sync_to_async
    from django.test.utils import override_settings

    from hub.bench import ProbeResult, percentile

    per_thread = max(1, samples // THREADS)
    chunks = [emails[n::THREADS] for n in range(THREADS)]
    workers = _start_workers(WORKERS, niceness=niceness or 0) if niceness is not None else []
    try:
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            await asyncio.sleep(2)  # the workers start up
            started = time.perf_counter()
            results = await asyncio.gather(
                *[
                    sync_to_async(_post_orders, thread_sensitive=False)(chunk, per_thread, secret)
                    for chunk in chunks
                ]
            )
            elapsed = time.perf_counter() - started
        timed = [item for part in results for item in part]
        if niceness is None:
            workers = _start_workers(WORKERS)
        lags, pending, applied_rate = await sync_to_async(_applied, thread_sensitive=False)(
            [event for _d, event in timed], timeout=300
        )
        single = None
        if niceness == 0:
            # Then orders one at a time (the queue empty, the workers waiting for work).
            with override_settings(
                TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
            ):
                one_by_one = await sync_to_async(_post_orders, thread_sensitive=False)(
                    emails, 20, secret, 0.5
                )
            single = await sync_to_async(_applied, thread_sensitive=False)(
                [event for _d, event in one_by_one], timeout=60
            )
    finally:
        await sync_to_async(_stop_workers, thread_sensitive=False)(workers)
    durations = [d for d, _e in timed]
    p95 = percentile([d * 1000 for d in durations], 0.95)
    workers_are = f"{WORKERS} workers" + (f" at nice {niceness}" if niceness else "")
    if niceness is None:
        return [
            ProbeResult(
                name=f"order webhook accepted (202) x{len(durations)}, {THREADS} threads, "
                "no worker meanwhile",
                durations=durations,
                extra={
                    "orders_per_second": round(len(durations) / elapsed, 1),
                    "p95_ms": round(p95, 1),
                    "p95_within_target": p95 < 50,
                    "threads": THREADS,
                },
            )
        ]
    rows = []
    if single is not None:
        rows.append(
            ProbeResult(
                name=f"order effects applied by {workers_are}, one order every 0.5 s (lag)",
                durations=single[0],
                failures=single[1],
                extra={"workers": WORKERS},
            )
        )
    return [
        ProbeResult(
            name=f"order webhook accepted (202) x{len(durations)}, {THREADS} threads, "
            f"{workers_are} meanwhile",
            durations=durations,
            extra={
                "orders_per_second": round(len(durations) / elapsed, 1),
                "p95_ms": round(p95, 1),
                "p95_within_target": p95 < 50,
                "threads": THREADS,
            },
        ),
        ProbeResult(
            name=f"order effects applied by {workers_are} (lag after acceptance)",
            durations=lags,
            failures=pending,
            extra={"workers": WORKERS, "niceness": niceness, "applied_per_second": applied_rate},
        ),
        *rows,
    ]


async def measure_kpis_cold(samples: int):
    """The purchase KPIs computed with nothing cached (what the first dashboard view after the
    cache expires pays), a few times."""
    from asgiref.sync import sync_to_async
    from django.utils import timezone

    from hub.bench import ProbeResult

    from . import kpis
    from .queries import programme_settings

    def run() -> list[float]:
        churn_days = programme_settings().churn_days
        durations = []
        for _n in range(min(5, max(1, samples))):
            started = time.perf_counter()
            kpis.compute(timezone.localdate(), churn_days=churn_days)
            durations.append(time.perf_counter() - started)
        from django.db import connections

        connections.close_all()
        return durations

    durations = await sync_to_async(run, thread_sensitive=False)()
    from .models import Order

    orders = await sync_to_async(Order.objects.count)()
    return [
        ProbeResult(
            name="purchase KPIs, cold",
            durations=durations,
            extra={"orders": orders, "max_within_target": max(durations) < 2.0},
        )
    ]


register_bench_seeder("shop", seed_bench_shop, order=70)
register_bench_page(
    "purchases report (members vs others)",
    lambda: reverse("shop_purchases_report"),
    as_user="superuser",
    order=82,
)
register_bench_probe("order ingestion", measure_order_ingestion)
register_bench_probe("purchase KPIs cold", measure_kpis_cold)
