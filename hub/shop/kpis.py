"""Purchase KPIs: the figures that say whether the programme brings customers back to buy again,
and whether community members buy more than other customers.

Definitions (also in the README and on the report):

- **Purchase**: an order that was paid, is not cancelled and is not fully refunded; its
  **revenue** is its total less what was refunded. Orders only placed (not paid) do not count.
  The purchase's date is when the order was placed.
- **Customer**: a member (all their orders, whatever the address) or, for orders not attached
  to a member, an e-mail address.
- **Period**: the last 365 days, today included. Amounts are added as the shops send them
  (connect shops that sell in one currency).
- **Repeat purchase rate**: of the customers with a purchase in the period, the share with two
  or more. **Purchase frequency**: purchases per customer in the period. **Average order
  value**: revenue per purchase in the period.
- **Historic customer lifetime value**: all revenue to date per customer to date.
- **Purchase churn**: of every customer to date, the share whose latest purchase is older than
  N days (the shop programme's setting; "the last N days" counts today and the N−1 before).
- **Retention by first-order month**: the customers whose first purchase fell in a calendar
  month, and the share of them with a purchase in that month (+0, always all) and in each
  calendar month after it.
- **Community member**: a customer who is a member and *contributed* in the period: earned
  points in the ledger for something they did in a feature app (posting, replying, reviewing,
  proposing an idea, answering a survey, RSVPing, checking in…), i.e. an award whose action
  is not the account's own (``accounts.*``), the programme's (``rewards.*``: referrals,
  redemptions, adjustments) or the shop's (``shop.*``). **Other customers** are everyone else:
  customers without an account and members who did not contribute.
- **Referral revenue**: revenue in the period from members whose referral qualified.

The figures are read from the per-customer purchase summaries the ingestion keeps
(hub.shop.summaries: one row per customer, one per customer and month) and the ledger, in two
queries (and one for the shops' currency) whatever the number of orders: the period's purchases
are its calendar months' plus or minus, from the orders, the days of its first month that lie
inside or outside it (whichever are fewer); community members are found with one probe each
of a partial index of the ledger's contributions. Should an order be dated after ``today`` (a shop's clock ahead, or figures asked for
a past day), the kept rows would count it, so the figures are then computed from the orders
themselves (``compute_from_orders``, the reference the summaries are tested against). Either
way they are cached for CACHE_SECONDS (five minutes, like the rest of the dashboard): a CSV
import drops the cache at once, single orders show within those five minutes.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from .models import CustomerMonth, CustomerSummary, Order, Shop
from .queries import programme_settings
from .summaries import PERIOD_DAYS, PURCHASE

CACHE_SECONDS = 300
COHORT_MONTHS = 6
MONTHLY_MONTHS = 12
# Ledger actions that are not contributions to the community (see "Community member").
NOT_CONTRIBUTIONS = ("accounts.", "rewards.", "shop.")
GROUPS = ("all", "community", "others")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + (day.month - 1) - months_back
    return date(index // 12, index % 12 + 1, 1)


def _share(part, whole) -> float | None:
    """A percentage with one decimal (half up), or None when there is nothing to divide by."""
    return _ratio(100 * Decimal(str(part)), whole, "0.1")


def _money(value) -> float:
    """A sum of amounts as a JSON-safe number with two decimals (SQLite sums in floats)."""
    if value is None:
        return 0.0
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _ratio(part, whole, places: str = "0.01") -> float | None:
    if not whole:
        return None
    value = Decimal(str(part)) / Decimal(str(whole))
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _purchases_sql() -> tuple[str, list]:
    """The purchases CTE body: one row per purchase with its customer, member, revenue, date
    and calendar month (in the current time zone)."""
    table = Order._meta.db_table
    month_sql, month_params = connection.ops.datetime_trunc_sql(
        "month", "o.placed_at", (), timezone.get_current_timezone_name()
    )
    sql = f"""
        SELECT COALESCE(CAST(o.member_id AS TEXT), o.email) AS customer,
               o.member_id AS member_id, o.total - o.refunded AS net, o.placed_at AS placed_at,
               {month_sql} AS month
        FROM {table} o
        WHERE o.paid_at IS NOT NULL AND o.cancelled_at IS NULL AND o.total > o.refunded
          AND o.placed_at < %s
    """  # noqa: S608  (table name from the model, values as parameters)
    return sql, list(month_params)


def _month_key(value) -> str:
    """DATE_TRUNC gives a datetime on PostgreSQL and a string on SQLite: "YYYY-MM" either way."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m")
    return str(value)[:7]


def purchase_kpis(today: date | None = None) -> dict:
    """Every purchase KPI, overall and for community members and other customers (cached)."""
    today = today or timezone.localdate()
    settings = programme_settings()
    key = f"shop:kpi:{today.isoformat()}:{settings.churn_days}"
    value = cache.get(key)
    if value is None:
        value = compute(today, churn_days=settings.churn_days)
        cache.set(key, value, CACHE_SECONDS)
    return value


def drop_cache(today: date | None = None) -> None:
    """Forget today's cached figures (after a CSV import or seeding)."""
    today = today or timezone.localdate()
    cache.delete(f"shop:kpi:{today.isoformat()}:{programme_settings().churn_days}")


def compute(today: date, *, churn_days: int) -> dict:
    """The figures, uncached, from the purchase summaries: three queries (four on PostgreSQL,
    which first sets work_mem and the planner); from the orders when one is dated after
    ``today``."""
    end = _start_of_day(today + timedelta(days=1))
    start = _start_of_day(today - timedelta(days=PERIOD_DAYS - 1))
    churn_cutoff = _start_of_day(today - timedelta(days=churn_days - 1))
    with transaction.atomic():
        _raise_work_mem()
        groups = _summary_groups(start, end, churn_cutoff)
        if groups is None:  # an order dated after today: the summaries would count it
            groups = _groups(start, end, churn_cutoff)
            cohorts, monthly = _months(today, end)
        else:
            cohorts, monthly = _summary_months(today)
        currency = _currency()
    return _result(today, churn_days, currency, groups, cohorts, monthly)


def compute_from_orders(today: date, *, churn_days: int) -> dict:
    """The same figures computed from every order (what the summaries must agree with)."""
    end = _start_of_day(today + timedelta(days=1))
    start = _start_of_day(today - timedelta(days=PERIOD_DAYS - 1))
    churn_cutoff = _start_of_day(today - timedelta(days=churn_days - 1))
    with transaction.atomic():
        _raise_work_mem()
        groups = _groups(start, end, churn_cutoff)
        cohorts, monthly = _months(today, end)
        currency = _currency()
    return _result(today, churn_days, currency, groups, cohorts, monthly)


def _raise_work_mem() -> None:
    if connection.vendor == "postgresql":
        # Rare (cached) and large: let the sorts and hashes stay in memory. The planner
        # cannot estimate the CTEs' rows: its guesses switch on JIT compilation (most of a
        # second, more than the queries take) and pick merge joins that sort 400,000 rows
        # where a hash join takes a fraction of that; both off, for this transaction only.
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off; SET LOCAL enable_mergejoin = off"
            )


def _result(today, churn_days, currency, groups, cohorts, monthly) -> dict:
    return {
        "today": today.isoformat(),
        "period_days": PERIOD_DAYS,
        "churn_days": churn_days,
        "currency": currency,
        **groups,
        "cohorts": cohorts,
        "monthly": monthly,
    }


def _currency() -> str:
    currencies = sorted(set(Shop.objects.values_list("currency", flat=True)))
    return currencies[0] if len(currencies) == 1 else "/".join(currencies)


def _groups(start: datetime, end: datetime, churn_cutoff: datetime) -> dict:
    purchases, month_params = _purchases_sql()
    from hub.rewards.models import PointsEntry, Referral

    ledger, referrals = PointsEntry._meta.db_table, Referral._meta.db_table
    not_like = " AND ".join("action NOT LIKE %s" for _p in NOT_CONTRIBUTIONS)
    sql = f"""
        WITH purchases AS ({purchases}),
        customers AS (
            SELECT customer, MAX(member_id) AS member_id, COUNT(*) AS orders_all,
                   SUM(net) AS revenue_all, MAX(placed_at) AS last_at,
                   SUM(CASE WHEN placed_at >= %s THEN 1 ELSE 0 END) AS orders_period,
                   SUM(CASE WHEN placed_at >= %s THEN net ELSE 0 END) AS revenue_period
            FROM purchases GROUP BY customer
        ),
        contributors AS (
            SELECT DISTINCT user_id FROM {ledger}
            WHERE kind = 'award' AND created >= %s AND created < %s AND {not_like}
        ),
        referred AS (SELECT referred_id FROM {referrals} WHERE state = 'qualified'),
        flagged AS (
            SELECT c.*,
                   CASE WHEN c.member_id IN (SELECT user_id FROM contributors) THEN 1 ELSE 0 END
                       AS community,
                   CASE WHEN c.member_id IN (SELECT referred_id FROM referred) THEN 1 ELSE 0 END
                       AS referred
            FROM customers c
        )
        SELECT community, COUNT(*), SUM(revenue_all),
               SUM(CASE WHEN last_at < %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN orders_period > 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN orders_period > 1 THEN 1 ELSE 0 END),
               SUM(orders_period), SUM(revenue_period),
               SUM(CASE WHEN referred = 1 THEN revenue_period ELSE 0 END),
               SUM(CASE WHEN referred = 1 THEN orders_period ELSE 0 END),
               SUM(CASE WHEN referred = 1 AND orders_period > 0 THEN 1 ELSE 0 END)
        FROM flagged GROUP BY community
    """  # noqa: S608  (table names from the models, values as parameters)
    params = [
        *month_params,
        _dt(end),
        _dt(start),
        _dt(start),
        _dt(start),
        _dt(end),
        *[prefix + "%" for prefix in NOT_CONTRIBUTIONS],
        _dt(churn_cutoff),
    ]
    raw = {0: [0] * 10, 1: [0] * 10}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for community, *values in cursor.fetchall():
            raw[int(community)] = [v or 0 for v in values]
    return _group_figures(raw)


def _group_figures(raw: dict) -> dict:
    """The figures of each group from their sums: customers to date, revenue to date, churned,
    customers in the period, repeat customers, purchases and revenue in the period, and the
    referred members' revenue, purchases and customers in the period."""
    totals = [a + b for a, b in zip(raw[0], raw[1], strict=True)]
    referral = {
        "revenue": _money(totals[7]),
        "orders": int(totals[8]),
        "customers": int(totals[9]),
        "share": _share(_money(totals[7]), _money(totals[6])),
    }
    return {
        "all": _figures(totals),
        "community": _figures(raw[1]),
        "others": _figures(raw[0]),
        "referral": referral,
    }


def _contribution_condition(alias: str) -> tuple[str, list]:
    """The ledger rows that make a member a contributor (see "Community member"); the same
    condition as the index migration 0004 builds, so PostgreSQL probes that index."""
    not_like = " AND ".join(f"{alias}.action NOT LIKE %s" for _p in NOT_CONTRIBUTIONS)
    return (
        f"{alias}.kind = 'award' AND {not_like}",
        [prefix + "%" for prefix in NOT_CONTRIBUTIONS],
    )


def _summary_groups(start: datetime, end: datetime, churn_cutoff: datetime) -> dict | None:
    """The group figures from the summaries in one query, or None when a purchase is dated
    after the period (the summaries include it; the orders must be read instead).

    Per customer (their summary row): customers and revenue to date, churned (latest purchase
    before the cut-off), in the period (latest purchase in it), repeat (second-latest in it),
    community (one probe of the ledger's contribution index) and referred. The period's
    purchases and revenue: the row's purchases from the month the period starts in
    (``recent_*``; from its month rows if the row was not moved on to that month yet), less
    the purchases of that month's days before the period (from the orders, grouped by
    customer)."""
    from hub.rewards.models import PointsEntry, Referral

    summaries, months = CustomerSummary._meta.db_table, CustomerMonth._meta.db_table
    orders, referrals = Order._meta.db_table, Referral._meta.db_table
    ledger = PointsEntry._meta.db_table
    contribution, contribution_params = _contribution_condition("e")
    recent_from = timezone.localtime(start).date().replace(day=1)  # period_month(today)
    key = "COALESCE(CAST(o.member_id AS TEXT), o.email)"
    sql = f"""
        WITH before_period AS (
            SELECT {key} AS customer_key, COUNT(*) AS orders,
                   SUM(o.total - o.refunded) AS revenue
            FROM {orders} o
            WHERE {PURCHASE} AND o.placed_at >= %s AND o.placed_at < %s
            GROUP BY {key}
        ),
        flagged AS (
            SELECT s.revenue, s.last_at, s.prev_at,
                   CASE WHEN s.recent_from = %s THEN s.recent_purchases
                        ELSE COALESCE((SELECT SUM(m.purchases) FROM {months} m
                                       WHERE m.customer_id = s.id AND m.month >= %s), 0)
                   END - COALESCE(b.orders, 0) AS orders,
                   CASE WHEN s.recent_from = %s THEN s.recent_revenue
                        ELSE COALESCE((SELECT SUM(m.revenue) FROM {months} m
                                       WHERE m.customer_id = s.id AND m.month >= %s), 0)
                   END - COALESCE(b.revenue, 0) AS period_revenue,
                   CASE WHEN s.member_id IS NOT NULL AND (
                            SELECT 1 FROM {ledger} e
                            WHERE e.user_id = s.member_id AND e.created >= %s
                              AND e.created < %s AND {contribution} LIMIT 1) = 1
                        THEN 1 ELSE 0 END AS community,
                   CASE WHEN s.member_id IN (
                            SELECT referred_id FROM {referrals} WHERE state = 'qualified')
                        THEN 1 ELSE 0 END AS referred
            FROM {summaries} s LEFT JOIN before_period b ON b.customer_key = s.customer_key
            WHERE s.purchases > 0
        )
        SELECT community, COUNT(*), SUM(revenue),
               SUM(CASE WHEN last_at < %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN last_at >= %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN prev_at >= %s THEN 1 ELSE 0 END),
               SUM(orders), SUM(period_revenue),
               SUM(CASE WHEN referred = 1 THEN period_revenue ELSE 0 END),
               SUM(CASE WHEN referred = 1 THEN orders ELSE 0 END),
               SUM(CASE WHEN referred = 1 AND last_at >= %s THEN 1 ELSE 0 END),
               (SELECT COUNT(*) FROM {orders} o WHERE {PURCHASE} AND o.placed_at >= %s)
        FROM flagged GROUP BY community
    """  # noqa: S608  (table names from the models, values as parameters)
    month = connection.ops.adapt_datefield_value(recent_from)
    params = [
        _dt(_start_of_day(recent_from)),
        _dt(start),
        month,
        month,
        month,
        month,
        _dt(start),
        _dt(end),
        *contribution_params,
        _dt(churn_cutoff),
        _dt(start),
        _dt(start),
        _dt(start),
        _dt(end),
    ]
    raw = {0: [0] * 10, 1: [0] * 10}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if any(row[-1] for row in rows):
        return None
    for community, *values in rows:
        raw[int(community)] = [v or 0 for v in values[:-1]]
    return _group_figures(raw)


def _summary_months(today: date) -> tuple[list[dict], list[dict]]:
    """Retention by first-order month and the figures per month, from the customer-months in
    one query: each month's totals (cohort empty), then each recent cohort's customers per
    month."""
    from .summaries import month_sql

    summaries, months = CustomerSummary._meta.db_table, CustomerMonth._meta.db_table
    first_month = month_start(today, MONTHLY_MONTHS - 1)
    first_cohort = month_start(today, COHORT_MONTHS - 1)
    cohort_sql, cohort_params = month_sql("s.first_at")
    per_month: dict[str, list] = {}
    cells: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT NULL AS cohort, month, SUM(purchases), SUM(revenue), COUNT(*)
            FROM {months}
            WHERE month >= %s AND purchases > 0 GROUP BY month
            UNION ALL
            SELECT c.cohort, m.month, 0, 0, COUNT(*)
            FROM {months} m
            JOIN (SELECT s.id, {cohort_sql} AS cohort FROM {summaries} s
                  WHERE s.purchases > 0 AND s.first_at >= %s) AS c ON c.id = m.customer_id
            WHERE m.month >= %s AND m.purchases > 0
            GROUP BY c.cohort, m.month
            """,  # noqa: S608
            [
                connection.ops.adapt_datefield_value(first_month),
                *cohort_params,
                _dt(_start_of_day(first_cohort)),
                connection.ops.adapt_datefield_value(first_cohort),
            ],
        )
        for cohort, month, orders, revenue, customers in cursor.fetchall():
            if cohort is None:
                per_month[_month_key(month)] = [orders, revenue or 0, customers]
            else:
                cells[(_month_key(cohort), _month_key(month))] = customers
    return _cohort_rows(today, cells), _monthly_rows(today, per_month)


def _figures(values) -> dict:
    customers_all, revenue_all, churned, customers, repeat, orders, revenue = values[:7]
    customers_all, churned, customers, repeat, orders = map(
        int, (customers_all, churned, customers, repeat, orders)
    )
    return {
        "customers": customers,
        "repeat_customers": repeat,
        "repeat_rate": _share(repeat, customers),
        "orders": orders,
        "frequency": _ratio(orders, customers),
        "revenue": _money(revenue),
        "average_order_value": _ratio(_money(revenue), orders),
        "customers_to_date": customers_all,
        "revenue_to_date": _money(revenue_all),
        "lifetime_value": _ratio(_money(revenue_all), customers_all),
        "churned": churned,
        "churn": _share(churned, customers_all),
    }


def _months(today: date, end: datetime) -> tuple[list[dict], list[dict]]:
    """Retention by first-order month (the last COHORT_MONTHS months) and purchases, revenue
    and customers per calendar month (the last MONTHLY_MONTHS), oldest first, from one query:
    each customer's purchases per month, grouped by the month of their first purchase."""
    purchases, month_params = _purchases_sql()
    sql = f"""
        WITH purchases AS ({purchases}),
        customer_months AS (
            SELECT customer, month, COUNT(*) AS orders, SUM(net) AS revenue
            FROM purchases GROUP BY customer, month
        ),
        firsts AS (SELECT customer, MIN(month) AS cohort FROM customer_months GROUP BY customer)
        SELECT f.cohort, m.month, COUNT(*), SUM(m.orders), SUM(m.revenue)
        FROM customer_months m JOIN firsts f ON f.customer = m.customer
        WHERE m.month >= %s
        GROUP BY f.cohort, m.month
    """  # noqa: S608
    first_month = month_start(today, max(COHORT_MONTHS, MONTHLY_MONTHS) - 1)
    first_start = _start_of_day(first_month)
    # The truncated month is a local timestamp without a zone on PostgreSQL.
    first_value = _dt(
        timezone.make_naive(first_start) if connection.vendor == "postgresql" else first_start
    )
    cells: dict[tuple[str, str], int] = {}
    per_month: dict[str, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*month_params, _dt(end), first_value])
        for cohort, month, customers, orders, revenue in cursor.fetchall():
            cohort, month = _month_key(cohort), _month_key(month)
            cells[(cohort, month)] = customers
            totals = per_month.setdefault(month, [0, 0, 0])
            totals[0] += orders
            totals[1] += revenue or 0
            totals[2] += customers
    return _cohort_rows(today, cells), _monthly_rows(today, per_month)


def _cohort_rows(today: date, cells: dict) -> list[dict]:
    cohorts = []
    for back in range(COHORT_MONTHS - 1, -1, -1):
        key = month_start(today, back).strftime("%Y-%m")
        size = cells.get((key, key), 0)
        retained = []
        for offset in range(back + 1):
            month = month_start(today, back - offset).strftime("%Y-%m")
            active = cells.get((key, month), 0)
            retained.append({"active": active, "share": _share(active, size)})
        cohorts.append({"month": key, "size": size, "retained": retained})
    return cohorts


def _monthly_rows(today: date, per_month: dict) -> list[dict]:
    monthly = []
    for back in range(MONTHLY_MONTHS - 1, -1, -1):
        key = month_start(today, back).strftime("%Y-%m")
        orders, revenue, customers = per_month.get(key, (0, 0, 0))
        monthly.append(
            {"month": key, "orders": orders, "revenue": _money(revenue), "customers": customers}
        )
    return monthly


def headline(figures: dict) -> dict:
    """The headline figures, flat and JSON-safe (the dashboard's KPI export lists them)."""
    overall = figures["all"]
    return {
        "repeat_purchase_rate": overall["repeat_rate"],
        "purchase_frequency": overall["frequency"],
        "average_order_value": overall["average_order_value"],
        "lifetime_value": overall["lifetime_value"],
        "purchase_churn": overall["churn"],
        "customers": overall["customers"],
        "revenue": overall["revenue"],
        "referral_revenue": figures["referral"]["revenue"],
        "community_repeat_rate": figures["community"]["repeat_rate"],
        "others_repeat_rate": figures["others"]["repeat_rate"],
        "community_lifetime_value": figures["community"]["lifetime_value"],
        "others_lifetime_value": figures["others"]["lifetime_value"],
        "currency": figures["currency"],
        "churn_days": figures["churn_days"],
    }
