"""An index of the ledger's contributions (awards for something done in a feature app), so the
purchase KPIs tell community members apart with one index probe per customer instead of
reading the period's ledger (hub.shop.kpis: "Community member"). Its condition repeats
kpis.NOT_CONTRIBUTIONS, which the KPI query must keep matching for PostgreSQL to use it.

Built CONCURRENTLY on PostgreSQL: the ledger keeps taking awards while it builds."""

from django.db import migrations

INDEX = "shop_ledger_contribution"
CONDITION = (
    "kind = 'award' AND action NOT LIKE 'accounts.%%' AND action NOT LIKE 'rewards.%%' "
    "AND action NOT LIKE 'shop.%%'"
)


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} "
        f"ON rewards_pointsentry (user_id, created) WHERE {CONDITION}"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("shop", "0003_purchase_summaries"),
        ("rewards", "0008_shop_purchases"),
    ]

    operations = [migrations.RunPython(create, drop)]
