"""Benchmark: a year of member activity for the bench advocates, and the workspace's pages."""

import time

from django.db import connection
from django.urls import reverse

from hub.bench import register_bench_page, register_bench_seeder

ACTIVITY_DAYS = 180
# About this many active days per advocate over ACTIVITY_DAYS, skewed: a few come daily.
MEAN_ACTIVE_DAYS = 12
PREFIX = "bench-adv-"


def seed_bench_activity(log, scale: float) -> None:
    """MemberActivity rows for the bench advocates, generated inside PostgreSQL (no rows through
    Python); idempotent: a second run adds only what is missing (ON CONFLICT DO NOTHING)."""
    from .models import MemberActivity

    started = time.monotonic()
    advocates = max(100, round(100_000 * scale))
    target = advocates * MEAN_ACTIVE_DAYS
    have = MemberActivity.objects.filter(user__username__startswith=PREFIX).count()
    if have >= target * 0.9:
        log(f"{have} activity rows exist")
        return
    if connection.vendor != "postgresql":
        log("activity rows are generated in PostgreSQL only; skipped")
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workspace_memberactivity (user_id, day)
            SELECT u.id, current_date - floor(power(random(), 2) * %(days)s)::int
            FROM (SELECT id FROM accounts_user WHERE username LIKE %(prefix)s
                  ORDER BY id LIMIT %(advocates)s) AS u,
                 generate_series(1, %(per)s) AS g
            WHERE random() < 0.5 + (u.id %% 7) / 14.0
            ON CONFLICT DO NOTHING
            """,
            {
                "days": ACTIVITY_DAYS,
                "prefix": PREFIX + "%",
                "advocates": advocates,
                "per": MEAN_ACTIVE_DAYS * 2,
            },
        )
        cursor.execute("ANALYZE workspace_memberactivity")
    count = MemberActivity.objects.count()
    log(f"member activity: {count} rows in {time.monotonic() - started:.0f} s")


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_seeder("workspace activity", seed_bench_activity, order=60)
register_bench_page("admin dashboard (KPIs)", "/admin/", as_user="superuser", order=80)
register_bench_page(
    "moderation queue", lambda: reverse("moderation_queue"), as_user="superuser", order=81
)
