"""The leaderboard's "your rank" on PostgreSQL: a count the leaderboard index answers alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.rewards.models import LeaderboardScore
from hub.rewards.queries import ALL_TIME
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_your_rank_is_an_index_only_count_of_the_scores(client):
    members = UserFactory.create_batch(60)
    LeaderboardScore.objects.bulk_create(
        [
            LeaderboardScore(user=m, period=ALL_TIME, points=10 * (i + 1))
            for i, m in enumerate(members)
        ]
    )
    me = members[2]  # 30 points: #58
    client.force_login(me)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/leaderboard/").content.decode()
    assert "You are #58 with 30 points." in html
    [count] = [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper() and "rewards_leaderboardscore" in q["sql"]
    ]
    with connection.cursor() as cursor:
        # At this size a sequential scan would be cheaper; forbid it to see what the index can do.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {count}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using leaderboard_ranked" in plan, plan
    assert "accounts_user" not in plan
