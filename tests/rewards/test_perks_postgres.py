"""Redeeming under load on PostgreSQL: 50 members at once never oversell a perk, never hand one code
to two people, never take points for nothing, and never leave a balance below zero."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from hub.rewards import services
from hub.rewards.models import Balance, Perk, PerkCode, PointsEntry, Redemption
from hub.rewards.services import RewardsError, redeem_perk
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


def members_with(count: int, points: int) -> list:
    members = [UserFactory(username=f"racer{n}") for n in range(count)]
    for member in members:
        services.adjust(member, points, reason="Load test", by=None)
    return members


def redeem_all_at_once(pairs) -> list:
    """Call redeem_perk(perk, by=member) for every pair, each in its own thread and connection,
    released together; returns each call's Redemption or exception."""
    barrier = threading.Barrier(len(pairs))
    results: list = [None] * len(pairs)

    def run(index, member, perk):
        try:
            barrier.wait(timeout=30)
            results[index] = redeem_perk(perk, by=member)
        except Exception as error:  # collected, and asserted on below
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, member, perk))
        for i, (member, perk) in enumerate(pairs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    unexpected = [r for r in results if not isinstance(r, Redemption | RewardsError)]
    assert unexpected == []
    return results


def spendable_by_member(members) -> dict[int, int]:
    return dict(Balance.objects.filter(user__in=members).values_list("user_id", "spendable"))


def test_fifty_members_racing_for_ten_in_stock_get_exactly_ten(capsys):
    members = members_with(THREADS, 100)
    perk = Perk.objects.create(title="Mug", slug="mug", cost=100, stock=10, shared_code="MUG")

    results = redeem_all_at_once([(member, perk) for member in members])

    won = [r for r in results if isinstance(r, Redemption)]
    assert len(won) == 10
    assert Redemption.objects.filter(perk=perk).count() == 10
    perk.refresh_from_db()
    assert perk.redeemed_count == 10
    spendable = spendable_by_member(members)
    winners = {r.user_id for r in won}
    assert sorted(spendable.values()).count(0) == 10
    assert {uid for uid, points in spendable.items() if points == 0} == winners
    assert all(points == 100 for uid, points in spendable.items() if uid not in winners)
    assert PointsEntry.objects.filter(kind=PointsEntry.REDEMPTION).count() == 10
    assert all("Out of stock" in str(r) for r in results if isinstance(r, RewardsError))
    call_command("check_ledger")
    assert "Ledger consistent" in capsys.readouterr().out


def test_thirty_members_racing_for_twenty_unique_codes_each_get_their_own():
    members = members_with(30, 50)
    perk = Perk.objects.create(
        title="Enamel mug", slug="enamel-mug", cost=50, code_type=Perk.UNIQUE
    )
    PerkCode.objects.bulk_create([PerkCode(perk=perk, code=f"MUG-{n:03d}") for n in range(20)])

    results = redeem_all_at_once([(member, perk) for member in members])

    won = [r for r in results if isinstance(r, Redemption)]
    refused = [r for r in results if isinstance(r, RewardsError)]
    assert (len(won), len(refused)) == (20, 10)
    codes = list(Redemption.objects.filter(perk=perk).values_list("code__code", flat=True))
    assert len(codes) == len(set(codes)) == 20
    assert not PerkCode.objects.filter(perk=perk, redemption__isnull=True).exists()
    spendable = spendable_by_member(members)
    winners = {r.user_id for r in won}
    assert all(spendable[uid] == 0 for uid in winners)
    assert all(points == 50 for uid, points in spendable.items() if uid not in winners)
    assert PointsEntry.objects.filter(kind=PointsEntry.REDEMPTION).count() == 20


def test_one_member_hammering_redeem_gets_what_their_points_pay_for():
    (member,) = members_with(1, 300)
    perk = Perk.objects.create(
        title="Socks", slug="socks", cost=100, per_member_limit=5, shared_code="SOCKS"
    )

    results = redeem_all_at_once([(member, perk)] * 20)

    assert sum(isinstance(r, Redemption) for r in results) == 3
    assert Redemption.objects.filter(user=member).count() == 3
    balance = Balance.objects.get(user=member)
    assert (balance.lifetime, balance.spendable, balance.owed) == (300, 0, 0)
    assert all("more points" in str(r) for r in results if isinstance(r, RewardsError))
    perk.refresh_from_db()
    assert perk.redeemed_count == 3
