"""Benchmark data for the advocate programme: 100,000 advocates and 5,000,000 ledger entries.

Generated inside PostgreSQL with generate_series (no rows travel through Python), then balances
and leaderboard scores are derived from the ledger with the same arithmetic as check_ledger.
The ledger's and the scores' secondary indexes and foreign keys are dropped for the bulk insert
and rebuilt once after it: maintaining five indexes row by row (and queueing 5,000,000 deferred
foreign-key checks) was what made seeding take twenty minutes.
"""

import time
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse

from hub.bench import (
    BENCH_PASSWORD,
    register_bench_page,
    register_bench_probe,
    register_bench_seeder,
)

from .models import Balance, LeaderboardScore, PointsEntry

ADVOCATES = 100_000
ENTRIES = 5_000_000
PREFIX = "bench-adv-"
# Requested as this advocate: mid-table, so "your rank" is counted, not found in the top 50.
MEASURED_ADVOCATE = f"{PREFIX}050001"
ACTIONS = ["accounts.email.verified", "accounts.profile.completed", "bench.contribution.made"]


def _advocate_ids(target: int) -> list[int]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have < target:
        password = make_password(BENCH_PASSWORD)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
                    email, is_staff, is_active, date_joined, display_name, bio, avatar,
                    avatar_thumbnail, show_on_leaderboard, language)
                SELECT %s, false, %s || lpad(g::text, 6, '0'), '', '', %s || g || '@example.com',
                    false, true, now() - (g %% 700) * interval '1 day', 'Advocate ' || g, '', '', '',
                    g %% 50 <> 0, ''
                FROM generate_series(%s, %s) AS g
                ON CONFLICT (username) DO NOTHING
                """,
                [password, PREFIX, PREFIX, have + 1, target],
            )
    return list(
        User.objects.filter(username__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)
    )


@contextmanager
def without_secondary_indexes(cursor, table: str):
    """Drop ``table``'s indexes (all but its primary key) and foreign keys, and create them again
    on leaving: one sorted build per index instead of millions of random insertions."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('f', 'u')
        ORDER BY contype DESC  -- unique constraints first, foreign keys after
        """,
        [table],
    )
    constraints = cursor.fetchall()
    quoted = connection.ops.quote_name(table)
    for name, _definition in reversed(constraints):
        cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(
            f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
        )


def seed_bench_rewards(log, scale: float) -> None:
    advocates = max(100, round(ADVOCATES * scale))
    entries = max(1_000, round(ENTRIES * scale))
    started = time.monotonic()
    ids = _advocate_ids(advocates)
    content_type = ContentType.objects.get_for_model(Balance)
    # Bench entries are numbered 1..n by their source id and inserted in one transaction, so
    # this count says which numbers are missing (a larger scale adds only those).
    have = PointsEntry.objects.filter(source_type=content_type, action__in=ACTIONS).count()
    if have >= entries:
        log(f"{advocates} advocates and {have} ledger entries exist")
        return
    low, high = ids[0], ids[-1]
    with transaction.atomic(), connection.cursor() as cursor:
        with without_secondary_indexes(cursor, PointsEntry._meta.db_table):
            # Skewed activity (a few very active members, a long tail), over the last year.
            cursor.execute(
                """
                INSERT INTO rewards_pointsentry (user_id, action, kind, points, source_type_id,
                    source_id, reason, created)
                SELECT %(low)s + floor(power(random(), 3) * (%(high)s - %(low)s + 1))::int,
                       (%(actions)s::text[])[1 + (g %% 3)], 'award',
                       (ARRAY[5, 10, 20, 50])[1 + (g %% 4)],
                       %(ct)s, 'bench-' || g, '', now() - random() * interval '365 days'
                FROM generate_series(%(first)s, %(n)s) AS g
                """,
                {
                    "low": low,
                    "high": high,
                    "actions": ACTIONS,
                    "ct": content_type.pk,
                    "first": have + 1,
                    "n": entries,
                },
            )
            log(f"ledger: {entries - have} entries in {time.monotonic() - started:.0f} s")
        log(f"ledger indexes rebuilt; {time.monotonic() - started:.0f} s")
        cursor.execute(
            """
            INSERT INTO rewards_balance (user_id, lifetime, spendable, owed)
            SELECT user_id, sum(points), sum(points), 0 FROM rewards_pointsentry GROUP BY user_id
            ON CONFLICT (user_id) DO UPDATE SET lifetime = EXCLUDED.lifetime,
                spendable = EXCLUDED.spendable, owed = 0
            """
        )
        cursor.execute("TRUNCATE rewards_leaderboardscore")
        with without_secondary_indexes(cursor, LeaderboardScore._meta.db_table):
            insert_leaderboard_scores(cursor)
    with connection.cursor() as cursor:
        # VACUUM marks the scores' pages all-visible, so counting a rank needs no table reads;
        # it cannot run in a transaction, where `manage.py bench` vacuums after every seeder.
        if not connection.in_atomic_block:
            cursor.execute("VACUUM (ANALYZE) rewards_leaderboardscore, rewards_balance")
        cursor.execute("ANALYZE rewards_pointsentry")
    log(f"balances and leaderboard scores derived; {time.monotonic() - started:.0f} s in all")


def insert_leaderboard_scores(cursor) -> None:
    """Every member's score per period, summed from the ledger, each ``ranked`` as their account
    says (the same arithmetic as award() and check_ledger)."""
    cursor.execute(
        """
        INSERT INTO rewards_leaderboardscore (user_id, period, points, ranked)
        SELECT scored.user_id, scored.period, scored.points,
               (u.is_active AND NOT u.is_staff AND u.show_on_leaderboard)
        FROM (
            SELECT user_id, period, sum(points) AS points FROM (
                SELECT user_id, 'all' AS period, points FROM rewards_pointsentry
                UNION ALL
                SELECT user_id, 'm' || to_char(created AT TIME ZONE 'UTC', 'YYYY-MM'), points
                FROM rewards_pointsentry
                UNION ALL
                SELECT user_id, 'w' || to_char(created AT TIME ZONE 'UTC', 'IYYY') || '-W'
                    || to_char(created AT TIME ZONE 'UTC', 'IW'), points
                FROM rewards_pointsentry
            ) AS entries
            GROUP BY user_id, period
        ) AS scored
        JOIN accounts_user u ON u.id = scored.user_id
        """
    )


def _middle_advocate() -> str | None:
    """An advocate ranked far outside the top 50, so "your rank" is computed, not looked up."""
    row = (
        Balance.objects.filter(user__username__startswith=PREFIX, user__show_on_leaderboard=True)
        .order_by("lifetime", "user_id")
        .values_list("user__username", flat=True)
    )
    count = row.count()
    return row[count // 2] if count else None


def leaderboard_url(period: str):
    def url() -> str:
        return reverse("rewards:leaderboard") + f"?period={period}"

    return url


def advocate_profile_url() -> str | None:
    username = _middle_advocate()
    return reverse("accounts:profile", kwargs={"username": username}) if username else None


THROUGHPUT_THREADS = 4


def _award_many(user_ids: list[int], offset: int) -> list[float]:
    """Award a fresh source to each member in turn, timing each award() call."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from .services import award

    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}
    durations = []
    base = time.time_ns() // 1000 * 10 + offset  # unique per run and thread
    try:
        for number, user_id in enumerate(user_ids):
            # A new (unsaved) source each call, so every award() really appends to the ledger.
            source = PointsEntry(pk=base * 100_000 + number)
            started = time.perf_counter()
            award(users[user_id], "bench.contribution.made", source=source)
            durations.append(time.perf_counter() - started)
    finally:
        connections.close_all()
    return durations


async def measure_award_throughput(samples: int):
    """award() calls per second from several threads at once, each against the 5M-row ledger."""
    from asgiref.sync import sync_to_async

    from hub.bench import ProbeResult

    from .actions import register_action
    from .services import get_rule

    register_action("bench.contribution.made", "Benchmark contribution", default_points=5)
    await sync_to_async(get_rule)("bench.contribution.made")
    ids = await sync_to_async(lambda: _advocate_ids(0)[:4000])()
    if not ids:
        return [ProbeResult(name="award() throughput", error="no bench advocates: seed first")]
    per_thread = max(1, samples // THROUGHPUT_THREADS)
    chunks = [ids[i * per_thread : (i + 1) * per_thread] for i in range(THROUGHPUT_THREADS)]
    import asyncio

    started = time.perf_counter()
    results = await asyncio.gather(
        *[
            sync_to_async(_award_many, thread_sensitive=False)(chunk, n)
            for n, chunk in enumerate(chunks)
        ]
    )
    elapsed = time.perf_counter() - started
    durations = [d for part in results for d in part]
    with_entries = await sync_to_async(PointsEntry.objects.count)()
    return [
        ProbeResult(
            name=f"award() x{len(durations)}, {THROUGHPUT_THREADS} threads",
            durations=durations,
            extra={
                "awards_per_second": round(len(durations) / elapsed, 1),
                "ledger_entries": with_entries,
                "threads": THROUGHPUT_THREADS,
            },
        )
    ]


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_probe("award throughput", measure_award_throughput)
register_bench_seeder("rewards", seed_bench_rewards, order=50)
register_bench_page(
    "leaderboard all-time", leaderboard_url("all"), as_user=MEASURED_ADVOCATE, order=70
)
register_bench_page(
    "leaderboard month", leaderboard_url("month"), as_user=MEASURED_ADVOCATE, order=71
)
register_bench_page(
    "leaderboard week", leaderboard_url("week"), as_user=MEASURED_ADVOCATE, order=72
)
register_bench_page("advocate profile", advocate_profile_url, order=73)
register_bench_page("my points", lambda: reverse("rewards:my_points"), as_user="member", order=74)
register_bench_page("how to earn points", lambda: reverse("rewards:how_to_earn"), order=75)
