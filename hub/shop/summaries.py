"""Per-customer purchase summaries, kept by the ingestion, so the purchase KPIs read one row per
customer (and one per customer and month) instead of aggregating every order.

What is kept (hub.shop.models.CustomerSummary and CustomerMonth) is always *derived* from the
orders with the KPIs' own definitions (a purchase: paid, not cancelled, not fully refunded; its
revenue: the total less refunds; a customer: the member, or the e-mail address of orders
without one). A change that only adds (a new purchase, or a purchase's
revenue changed by a partial refund) is added in place, under the row's lock, in two
statements whatever the customer's number of orders; a change that takes a purchase away
(refunded in full, cancelled) or moves it to another customer (it attached to a member)
computes the customer's row and the month's row again from that customer's orders (an index
range). ``rebuild()`` (``manage.py rebuild_purchase_summaries``) gives exactly the same rows
from scratch; the tests compare the two after every kind of event.

Locking (PostgreSQL, READ COMMITTED). Every transaction that changes a customer's orders
refreshes that customer last, after the order's row lock and after the member's balance lock
(the points): the order row, then the balance, then the summary row, then the month row. The
refresh first locks the customer's summary row (an upsert), and only then reads the orders, in
a new statement, so it sees every change committed by whoever held that lock before; a
transaction still on its way to the lock will compute the row again after this one commits.
Whoever refreshes last has seen every order. An order moving from one customer to another (it
attaches to the member who verified its address) refreshes both, in the order of their keys.
The month rows are written only under the customer's summary lock. ``rebuild()`` locks both
tables for its duration (orders keep flowing; their refreshes wait and then recompute).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .models import CustomerMonth, CustomerSummary, Order

PURCHASE = "o.paid_at IS NOT NULL AND o.cancelled_at IS NULL AND o.total > o.refunded"
PERIOD_DAYS = 365  # the KPIs' period: the last 365 days, today included


def period_month(today: date | None = None) -> date:
    """The calendar month in which the KPIs' period starts today: the summaries keep each
    customer's purchases from that month on (``recent_*``)."""
    today = today or timezone.localdate()
    return (today - timedelta(days=PERIOD_DAYS - 1)).replace(day=1)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def customer_key(member_id, email: str) -> str:
    """The KPIs' customer: the member's id as text, or the address of an order without one."""
    return str(member_id) if member_id is not None else email


def month_of(moment: datetime) -> date:
    """The calendar month (its first day) of ``moment`` in the current time zone."""
    return timezone.localtime(moment).date().replace(day=1)


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    following = (month + timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(datetime.combine(month, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def month_sql(column: str) -> tuple[str, list]:
    """SQL for the first day (a date) of ``column``'s calendar month in the current time zone,
    as the KPIs truncate it."""
    sql, params = connection.ops.datetime_trunc_sql(
        "month", column, (), timezone.get_current_timezone_name()
    )
    if connection.vendor == "postgresql":
        return f"CAST({sql} AS DATE)", list(params)
    return f"DATE({sql})", list(params)


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _tables() -> tuple[str, str, str]:
    return (
        CustomerSummary._meta.db_table,
        CustomerMonth._meta.db_table,
        Order._meta.db_table,
    )


def _whose(member_id, email: str) -> tuple[str, list]:
    if member_id is not None:
        return "o.member_id = %s", [member_id]
    return "o.member_id IS NULL AND o.email = %s", [email]


class PurchaseFacts(NamedTuple):
    """What an order's part in the summaries depends on (its date never changes)."""

    member_id: int | None
    email: str
    total: Decimal
    refunded: Decimal
    paid_at: datetime | None
    cancelled_at: datetime | None

    @property
    def key(self) -> str:
        return customer_key(self.member_id, self.email)

    @property
    def net(self) -> Decimal | None:
        """The order's revenue if it is a purchase, else None."""
        if self.paid_at is None or self.cancelled_at is not None or self.total <= self.refunded:
            return None
        return self.total - self.refunded


def order_changed(order: Order, before: PurchaseFacts | None, after: PurchaseFacts) -> None:
    """Bring the summaries up to date after ``order`` went from ``before`` (None: it is new)
    to ``after``. What only adds to a customer (a new purchase; a purchase's revenue changed
    by a partial refund) is added in place, in two statements whatever the customer's number
    of orders; what takes a purchase away or moves it to another customer computes the rows
    concerned again from the orders."""
    month = month_of(order.placed_at)
    if before is None or before.key == after.key:
        old, new = (before.net if before else None), after.net
        if old is None and new is None:
            return  # not a purchase before or after: nothing the summaries count
        if old is None:
            _add(after, order.placed_at, month, purchases=1, revenue=new)
            return
        if new is not None:
            if new != old:
                _add(after, order.placed_at, month, purchases=0, revenue=new - old)
            return
    customers = [(after.member_id, after.email)]
    if before is not None:
        customers.append((before.member_id, before.email))
    refresh(customers, [month])


def _add(facts: PurchaseFacts, placed_at, month: date, *, purchases: int, revenue) -> None:
    """Add to the customer's row and month row in place, each in one upsert (which locks the
    row, and adds to the latest committed values). ``purchases`` 1: a new purchase placed at
    ``placed_at`` (the dates move); 0: only its revenue changed."""
    summaries, month_table, _orders = _tables()
    member_id = facts.member_id
    email = facts.email if member_id is None else ""
    dates = ""
    if purchases:
        dates = f"""
            first_at = CASE WHEN {summaries}.first_at IS NULL
                              OR EXCLUDED.first_at < {summaries}.first_at
                            THEN EXCLUDED.first_at ELSE {summaries}.first_at END,
            prev_at = CASE WHEN {summaries}.last_at IS NULL THEN NULL
                           WHEN EXCLUDED.last_at >= {summaries}.last_at THEN {summaries}.last_at
                           WHEN {summaries}.prev_at IS NULL
                             OR EXCLUDED.last_at > {summaries}.prev_at THEN EXCLUDED.last_at
                           ELSE {summaries}.prev_at END,
            last_at = CASE WHEN {summaries}.last_at IS NULL
                             OR EXCLUDED.last_at > {summaries}.last_at
                           THEN EXCLUDED.last_at ELSE {summaries}.last_at END,
        """
    placed = _dt(placed_at)
    recent_from = period_month()
    recent = month >= recent_from
    month_value = connection.ops.adapt_datefield_value(month)
    with connection.cursor() as cursor:
        # A new row starts from the period's month; an existing one adds to its recent sums if
        # the order's month is in them (whatever month the row counts from).
        cursor.execute(
            f"""
            INSERT INTO {summaries} (customer_key, member_id, email, purchases, revenue,
                first_at, last_at, prev_at, recent_from, recent_purchases, recent_revenue,
                updated_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, %s, %s, %s, %s)
            ON CONFLICT (customer_key) DO UPDATE SET
                purchases = {summaries}.purchases + EXCLUDED.purchases,
                revenue = {summaries}.revenue + EXCLUDED.revenue, {dates}
                recent_purchases = {summaries}.recent_purchases
                    + CASE WHEN {summaries}.recent_from <= %s THEN %s ELSE 0 END,
                recent_revenue = {summaries}.recent_revenue
                    + CASE WHEN {summaries}.recent_from <= %s THEN %s ELSE 0 END,
                updated_at = EXCLUDED.updated_at
            RETURNING id
            """,  # noqa: S608  (table names from the models, values as parameters)
            [
                facts.key,
                member_id,
                email,
                purchases,
                revenue,
                placed,
                placed,
                connection.ops.adapt_datefield_value(recent_from),
                purchases if recent else 0,
                revenue if recent else 0,
                _dt(timezone.now()),
                month_value,
                purchases,
                month_value,
                revenue,
            ],
        )
        summary_id = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO {month_table} (customer_id, member_id, month, purchases, revenue)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (customer_id, month) DO UPDATE SET
                purchases = {month_table}.purchases + EXCLUDED.purchases,
                revenue = {month_table}.revenue + EXCLUDED.revenue
            """,  # noqa: S608
            [summary_id, member_id, month_value, purchases, revenue],
        )


def refresh(customers, months=None) -> None:
    """Compute again the summary of each customer in ``customers`` (``(member_id, email)``
    pairs) and their rows for ``months`` (dates, first of the month; None: every month).
    Call it inside the transaction that changed their orders, after everything else."""
    unique = {customer_key(m, e): (m, e) for m, e in customers if m is not None or e}
    for key in sorted(unique):
        member_id, email = unique[key]
        _refresh_one(key, member_id, email if member_id is None else "", months)


def refresh_order(order: Order, before: tuple | None = None) -> None:
    """After ``order`` changed: its customer's summary and month (and those of the customer it
    belonged to ``before``, a ``(member_id, email)`` pair, if that was another)."""
    customers = [(order.member_id, order.email)]
    if before is not None and customer_key(*before) != customer_key(*customers[0]):
        customers.append(before)
    refresh(customers, [month_of(order.placed_at)])


def _refresh_one(key: str, member_id, email: str, months) -> None:
    summaries, month_table, orders = _tables()
    whose, params = _whose(member_id, email)
    now = _dt(timezone.now())
    with connection.cursor() as cursor:
        # 1. The customer's row, created if need be and locked until commit.
        cursor.execute(
            f"""
            INSERT INTO {summaries} (customer_key, member_id, email, purchases, revenue,
                recent_purchases, recent_revenue, updated_at)
            VALUES (%s, %s, %s, 0, 0, 0, 0, %s)
            ON CONFLICT (customer_key) DO UPDATE SET updated_at = EXCLUDED.updated_at
            RETURNING id
            """,  # noqa: S608  (table names from the models, values as parameters)
            [key, member_id, email, now],
        )
        summary_id = cursor.fetchone()[0]
        # 2. Under that lock, a new statement: what their orders say now.
        recent_from = period_month()
        recent_start = _dt(_day_start(recent_from))
        cursor.execute(
            f"""
            UPDATE {summaries} SET purchases = a.n, revenue = a.r, first_at = a.f,
                last_at = a.l,
                prev_at = (SELECT o.placed_at FROM {orders} o WHERE {whose} AND {PURCHASE}
                           ORDER BY o.placed_at DESC LIMIT 1 OFFSET 1),
                recent_from = %s, recent_purchases = a.rn, recent_revenue = a.rr
            FROM (SELECT COUNT(*) AS n, COALESCE(SUM(o.total - o.refunded), 0) AS r,
                         MIN(o.placed_at) AS f, MAX(o.placed_at) AS l,
                         COALESCE(SUM(CASE WHEN o.placed_at >= %s THEN 1 ELSE 0 END), 0)
                             AS rn,
                         COALESCE(SUM(CASE WHEN o.placed_at >= %s
                                           THEN o.total - o.refunded ELSE 0 END), 0) AS rr
                  FROM {orders} o WHERE {whose} AND {PURCHASE}) AS a
            WHERE {summaries}.id = %s
            """,  # noqa: S608
            [
                *params,
                connection.ops.adapt_datefield_value(recent_from),
                recent_start,
                recent_start,
                *params,
                summary_id,
            ],
        )
        if months is None:
            cursor.execute(f"DELETE FROM {month_table} WHERE customer_id = %s", [summary_id])  # noqa: S608
            month, month_params = month_sql("o.placed_at")
            cursor.execute(
                f"""
                INSERT INTO {month_table} (customer_id, member_id, month, purchases, revenue)
                SELECT %s, %s, p.month, COUNT(*), SUM(p.net)
                FROM (SELECT {month} AS month, o.total - o.refunded AS net
                      FROM {orders} o WHERE {whose} AND {PURCHASE}) AS p
                GROUP BY p.month
                """,  # noqa: S608
                [summary_id, member_id, *month_params, *params],
            )
            return
        for month in sorted(set(months)):
            start, end = _month_bounds(month)
            cursor.execute(
                f"""
                INSERT INTO {month_table} (customer_id, member_id, month, purchases, revenue)
                SELECT %s, %s, %s, COUNT(*), COALESCE(SUM(o.total - o.refunded), 0)
                FROM {orders} o
                WHERE {whose} AND {PURCHASE} AND o.placed_at >= %s AND o.placed_at < %s
                ON CONFLICT (customer_id, month) DO UPDATE SET purchases = EXCLUDED.purchases,
                    revenue = EXCLUDED.revenue, member_id = EXCLUDED.member_id
                """,  # noqa: S608
                [
                    summary_id,
                    member_id,
                    connection.ops.adapt_datefield_value(month),
                    *params,
                    _dt(start),
                    _dt(end),
                ],
            )


def _empty(cursor, summaries: str, month_table: str) -> None:
    """TRUNCATE where it can run (a second for a million rows); DELETE in a transaction that
    has foreign-key checks pending (Django defers them: a seeder's or a test's), where
    PostgreSQL refuses TRUNCATE."""
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                cursor.execute(f"TRUNCATE {month_table}, {summaries}")
            return
        except OperationalError:
            pass
    cursor.execute(f"DELETE FROM {month_table}")  # noqa: S608
    cursor.execute(f"DELETE FROM {summaries}")  # noqa: S608


def rebuild(log=None) -> tuple[int, int]:
    """Derive every summary and month row again from the orders (after a bulk load, or to
    check the kept ones): returns (customers, customer-months). Blocks the ingestion's
    refreshes while it runs; they compute their rows again when it commits."""
    summaries, month_table, orders = _tables()
    key = "COALESCE(CAST(o.member_id AS TEXT), o.email)"
    month, month_params = month_sql("o.placed_at")
    recent_from = period_month()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {summaries}, {month_table} IN EXCLUSIVE MODE")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        _empty(cursor, summaries, month_table)
        cursor.execute(
            f"""
            INSERT INTO {summaries} (customer_key, member_id, email, purchases, revenue, first_at,
                last_at, prev_at, recent_from, recent_purchases, recent_revenue, updated_at)
            SELECT p.customer_key, MAX(p.member_id),
                   CASE WHEN MAX(p.member_id) IS NULL THEN MAX(p.email) ELSE '' END,
                   COUNT(*), SUM(p.net), MIN(p.placed_at), MAX(p.placed_at),
                   MAX(CASE WHEN p.nth = 2 THEN p.placed_at END), %s,
                   SUM(CASE WHEN p.placed_at >= %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN p.placed_at >= %s THEN p.net ELSE 0 END), %s
            FROM (
                SELECT {key} AS customer_key, o.member_id, o.email, o.total - o.refunded AS net,
                       o.placed_at,
                       ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY o.placed_at DESC) AS nth
                FROM {orders} o WHERE {PURCHASE}
            ) AS p
            GROUP BY p.customer_key
            """,  # noqa: S608
            [
                connection.ops.adapt_datefield_value(recent_from),
                _dt(_day_start(recent_from)),
                _dt(_day_start(recent_from)),
                _dt(timezone.now()),
            ],
        )
        customers = cursor.rowcount
        if log:
            log(f"{customers} customer summaries")
        cursor.execute(
            f"""
            INSERT INTO {month_table} (customer_id, member_id, month, purchases, revenue)
            SELECT s.id, s.member_id, p.month, COUNT(*), SUM(p.net)
            FROM (
                SELECT {key} AS customer_key, {month} AS month, o.total - o.refunded AS net
                FROM {orders} o WHERE {PURCHASE}
            ) AS p
            JOIN {summaries} s ON s.customer_key = p.customer_key
            GROUP BY s.id, s.member_id, p.month
            """,  # noqa: S608
            month_params,
        )
        months = cursor.rowcount
        if log:
            log(f"{months} customer-months")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {summaries}")
            cursor.execute(f"ANALYZE {month_table}")
    return customers, months


def snapshot() -> dict:
    """Every customer with a purchase, as comparable values: ``{customer_key: (member_id,
    email, purchases, revenue, first_at, last_at, prev_at, (recent_from, recent_purchases,
    recent_revenue), {month: (purchases, revenue)})}``
    (the rows left with no purchase are placeholders, not compared)."""
    months: dict[int, dict] = {}
    for customer_id, month, purchases, revenue in CustomerMonth.objects.filter(
        purchases__gt=0
    ).values_list("customer_id", "month", "purchases", "revenue"):
        months.setdefault(customer_id, {})[month] = (purchases, revenue)
    return {
        row.customer_key: (
            row.member_id,
            row.email,
            row.purchases,
            row.revenue,
            row.first_at,
            row.last_at,
            row.prev_at,
            (row.recent_from, row.recent_purchases, row.recent_revenue),
            months.get(row.pk, {}),
        )
        for row in CustomerSummary.objects.filter(purchases__gt=0)
    }


ROLL_BATCH = 2_000


def roll(today: date | None = None, log=None) -> int:
    """Move every customer's recent sums on to the month the KPIs' period starts in (once a
    month, from cron or ``roll_purchase_summaries``; until then those rows are counted from
    their month rows, exactly but slower). In batches, each its own transaction: a batch locks
    its rows first, in the order of their keys (as the ingestion does for two customers), and
    only then sums their month rows, in a new statement, so a purchase committed meanwhile is
    counted. Returns how many rows moved."""
    summaries, month_table, _orders = _tables()
    recent_from = connection.ops.adapt_datefield_value(period_month(today))
    moved = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
            cursor.execute(
                f"""
                SELECT id FROM {summaries}
                WHERE recent_from IS NULL OR recent_from <> %s
                ORDER BY customer_key LIMIT %s{lock}
                """,  # noqa: S608
                [recent_from, ROLL_BATCH],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return moved
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"""
                UPDATE {summaries} SET recent_from = %s,
                    recent_purchases = COALESCE((SELECT SUM(m.purchases) FROM {month_table} m
                        WHERE m.customer_id = {summaries}.id AND m.month >= %s), 0),
                    recent_revenue = COALESCE((SELECT SUM(m.revenue) FROM {month_table} m
                        WHERE m.customer_id = {summaries}.id AND m.month >= %s), 0)
                WHERE id IN ({placeholders})
                """,  # noqa: S608
                [recent_from, recent_from, recent_from, *ids],
            )
            moved += len(ids)
        if log:
            log(f"{moved} customer summaries moved on")
