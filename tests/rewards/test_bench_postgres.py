"""The advocate programme's bench seeder at a tiny scale: the same data shape as at full size,
consistent with the ledger, every index and constraint back, and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from hub.rewards.bench import ACTIONS, seed_bench_rewards
from hub.rewards.models import Balance, LeaderboardScore, PointsEntry
from hub.rewards.queries import ALL_TIME

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def schema(table: str) -> set[str]:
    """The table's indexes (name, unique, partial) and constraint definitions."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        found = {
            f"{name}: unique={'UNIQUE' in definition} partial={' WHERE ' in definition}"
            for name, definition in cursor.fetchall()
        }
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass",
            [table],
        )
        found |= {f"{name}: {definition}" for name, definition in cursor.fetchall()}
    return found


def test_tiny_bench_seed_is_consistent_and_keeps_every_index():
    tables = [PointsEntry._meta.db_table, LeaderboardScore._meta.db_table]
    before = {table: schema(table) for table in tables}

    seed_bench_rewards(lambda message: None, scale=0.001)  # 100 advocates, 5,000 entries

    assert PointsEntry.objects.filter(action__in=ACTIONS).count() == 5_000
    assert {table: schema(table) for table in tables} == before
    out = StringIO()
    call_command("check_ledger", stdout=out)  # balances, scores and their ranked flags agree
    assert "Ledger consistent for 100 members." in out.getvalue()
    # Every 50th advocate opted out of the leaderboards: their scores are not ranked.
    assert LeaderboardScore.objects.filter(period=ALL_TIME, ranked=False).count() == 2
    assert Balance.objects.count() == 100

    seed_bench_rewards(lambda message: None, scale=0.001)  # again: nothing is added
    assert PointsEntry.objects.count() == 5_000
