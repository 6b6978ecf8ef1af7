"""Derive every customer's purchase summary again from the orders.

The ingestion keeps the summaries itself (hub.shop.summaries); run this after loading orders
around it (a bulk SQL import, a restore of the orders table alone), or to check the kept ones:
with --check it compares and changes nothing. Blocks order ingestion's summary updates while
it runs (about half a minute per million orders); deliveries wait, they are not refused.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hub.shop import kpis, summaries


class Command(BaseCommand):
    help = "Recompute the per-customer purchase summaries (the purchase KPIs' source) from orders."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare the kept summaries with a rebuild and report differences; change nothing",
        )

    def handle(self, *args, check, **options):
        if check:
            differences = _differences()
            if differences:
                for line in differences[:20]:
                    self.stdout.write(line)
                raise CommandError(f"{len(differences)} summary row(s) differ from the orders")
            self.stdout.write(self.style.SUCCESS("the purchase summaries match the orders"))
            return
        customers, months = summaries.rebuild(log=lambda line: self.stdout.write(f"  {line}"))
        kpis.drop_cache()
        self.stdout.write(
            self.style.SUCCESS(f"rebuilt {customers} customer summaries, {months} customer-months")
        )


class _Rollback(Exception):
    pass


def _differences() -> list[str]:
    """The kept rows against a rebuild, both in one transaction that is rolled back: the kept
    ones moved on to the current period first (rows not moved on yet are not wrong)."""
    kept, rebuilt = {}, {}
    try:
        with transaction.atomic():
            summaries.roll()
            kept = summaries.snapshot()
            summaries.rebuild()
            rebuilt = summaries.snapshot()
            raise _Rollback
    except _Rollback:
        pass
    lines = []
    for key in sorted(set(kept) | set(rebuilt)):
        if kept.get(key) != rebuilt.get(key):
            lines.append(f"{key}: kept {kept.get(key)} / from the orders {rebuilt.get(key)}")
    return lines
