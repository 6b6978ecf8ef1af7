"""Vacuum the leaderboard scores often (PostgreSQL only).

Every award updates three score rows, and "your rank" is an index-only count: it reads the table
for every index entry on a page not marked all-visible. With PostgreSQL's default (vacuum after
20% of 3.6M rows changed) the visibility map decays between vacuums and the count slows several
times; vacuuming after every 5,000 changed rows keeps it an index-only count.
"""

from django.db import migrations

TABLE = "rewards_leaderboardscore"


def vacuum_often(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} SET (autovacuum_vacuum_scale_factor = 0,"
            " autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0,"
            " autovacuum_vacuum_insert_threshold = 5000, autovacuum_analyze_scale_factor = 0.02)"
        )


def vacuum_by_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} RESET (autovacuum_vacuum_scale_factor,"
            " autovacuum_vacuum_threshold, autovacuum_vacuum_insert_scale_factor,"
            " autovacuum_vacuum_insert_threshold, autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("rewards", "0006_leaderboard_ranked_and_verbose_names")]

    operations = [migrations.RunPython(vacuum_often, vacuum_by_default)]
