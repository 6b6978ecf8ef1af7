"""The ledger under concurrency on PostgreSQL: idempotent awards and reversals, no lost updates,
and a spendable balance that never goes below zero."""

import threading
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from hub.rewards import services
from hub.rewards.models import Balance, LeaderboardScore, Perk, PointsEntry
from hub.rewards.queries import ALL_TIME
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
VERIFIED = "accounts.email.verified"  # worth 10 points


def all_at_once(calls) -> list:
    """Run each (function, args, kwargs) in its own thread and database connection, released
    together; returns their results in order (an exception in any thread is raised here)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        function, args, kwargs = call
        try:
            barrier.wait(timeout=30)
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls, timeout=120))


def ledger_sum(member) -> int:
    return sum(PointsEntry.objects.filter(user=member).values_list("points", flat=True))


def assert_ledger_consistent() -> None:
    out = StringIO()
    call_command("check_ledger", stdout=out)  # exits 1 when anything disagrees
    assert "Ledger consistent" in out.getvalue()


def test_twenty_simultaneous_awards_for_one_source_pay_once():
    member, source = UserFactory(), UserFactory()
    results = all_at_once([(services.award, (member, VERIFIED), {"source": source})] * THREADS)

    assert len([r for r in results if r is not None]) == 1
    assert PointsEntry.objects.filter(user=member).count() == 1
    balance = Balance.objects.get(user=member)
    assert (balance.lifetime, balance.spendable) == (10, 10)
    assert LeaderboardScore.objects.get(user=member, period=ALL_TIME).points == 10


def test_twenty_simultaneous_awards_for_different_sources_all_count():
    member = UserFactory()
    sources = UserFactory.create_batch(THREADS)
    all_at_once([(services.award, (member, VERIFIED), {"source": s}) for s in sources])

    assert PointsEntry.objects.filter(user=member).count() == THREADS
    balance = Balance.objects.get(user=member)
    assert balance.lifetime == balance.spendable == ledger_sum(member) == 10 * THREADS
    assert LeaderboardScore.objects.get(user=member, period=ALL_TIME).points == 10 * THREADS
    assert_ledger_consistent()


def test_twenty_simultaneous_reversals_take_the_points_back_once():
    member, source = UserFactory(), UserFactory()
    services.award(member, VERIFIED, source=source)
    services.award(member, VERIFIED, source=UserFactory())
    results = all_at_once(
        [(services.reverse, (member, VERIFIED), {"source": source, "reason": "Bounced"})] * THREADS
    )

    assert len([r for r in results if r is not None]) == 1
    assert PointsEntry.objects.filter(user=member, kind=PointsEntry.REVERSAL).count() == 1
    balance = Balance.objects.get(user=member)
    assert (balance.lifetime, balance.spendable, balance.owed) == (10, 10, 0)
    assert_ledger_consistent()


def test_concurrent_reversals_and_adjustments_never_make_spendable_negative():
    member = UserFactory()
    sources = UserFactory.create_batch(10)
    for source in sources:
        services.award(member, VERIFIED, source=source)  # 100 points
    perk = Perk.objects.create(title="Jacket", slug="jacket", cost=80, shared_code="WARM")
    services.redeem_perk(perk, by=member)  # 20 left to spend

    calls = [
        (services.reverse, (member, VERIFIED), {"source": s, "reason": "Spam"}) for s in sources
    ]
    calls += [(services.adjust, (member, -4), {"reason": "Correction", "by": None})] * 5
    calls += [(services.adjust, (member, 6), {"reason": "Thanks", "by": None})] * 5
    all_at_once(calls)  # a violated CHECK constraint would raise IntegrityError here

    # 20 spendable - 100 reversed - 20 deducted + 30 given: 70 short, whatever the order.
    balance = Balance.objects.get(user=member)
    assert (balance.lifetime, balance.spendable, balance.owed) == (10, 0, 70)
    assert PointsEntry.objects.filter(user=member, kind=PointsEntry.REVERSAL).count() == 10
    assert_ledger_consistent()


def test_concurrent_awards_pay_back_owed_points_exactly():
    member, spent_source = UserFactory(), UserFactory()
    services.award(member, VERIFIED, source=spent_source)
    services.adjust(member, 40, reason="Welcome", by=None)
    perk = Perk.objects.create(title="Cap", slug="cap", cost=50, shared_code="CAP")
    services.redeem_perk(perk, by=member)
    services.adjust(member, -45, reason="Duplicate account", by=None)  # 45 owed

    sources = UserFactory.create_batch(THREADS)
    all_at_once([(services.award, (member, VERIFIED), {"source": s}) for s in sources])

    balance = Balance.objects.get(user=member)
    assert (balance.spendable, balance.owed) == (10 * THREADS - 45, 0)
    assert balance.lifetime == ledger_sum(member) + 50  # redemptions leave lifetime alone
    assert_ledger_consistent()
