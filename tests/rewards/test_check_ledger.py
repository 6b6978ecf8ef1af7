"""`manage.py check_ledger`: balances and leaderboard scores checked against the ledger, and repaired."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from hub.rewards import services
from hub.rewards.models import Balance, LeaderboardScore, Perk
from hub.rewards.queries import ALL_TIME, period_key
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

VERIFIED = "accounts.email.verified"  # worth 10 points


def check_ledger(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_ledger", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def history(member):
    """A member with awards, a manual adjustment, a redemption and a reversal."""
    editor = make_editor()
    sources = UserFactory.create_batch(3)
    for source in sources:
        services.award(member, VERIFIED, source=source)
    services.adjust(member, 40, reason="Meet-up host", by=editor)
    perk = Perk.objects.create(title="Sticker pack", slug="stickers", cost=65, shared_code="HI")
    services.redeem_perk(perk, by=member)
    services.reverse(member, VERIFIED, source=sources[0], reason="Bounced")  # 10 more than left
    services.award(UserFactory(), VERIFIED, source=member)
    balance = Balance.objects.get(user=member)
    assert (balance.lifetime, balance.spendable, balance.owed) == (60, 0, 5)
    return member


def test_consistent_ledger_exits_zero_and_says_so(history):
    code, out = check_ledger()
    assert code == 0
    assert "Ledger consistent for 2 members." in out


def test_corrupt_balance_is_reported_and_exits_one(history):
    Balance.objects.filter(user=history).update(spendable=500)
    code, out = check_ledger()
    assert code == 1
    assert f"member {history.pk}: balance" in out
    assert "'spendable': 500" in out
    assert "1 member(s) disagree with the ledger; run with --repair." in out


def test_corrupt_leaderboard_score_is_reported_and_exits_one(history):
    LeaderboardScore.objects.filter(user=history, period=ALL_TIME).update(points=9999)
    code, out = check_ledger()
    assert code == 1
    assert f"member {history.pk}: leaderboard scores differ from the ledger" in out


def test_missing_balance_is_reported(history):
    Balance.objects.filter(user=history).delete()
    code, out = check_ledger()
    assert code == 1
    assert f"member {history.pk}: balance" in out


def test_repair_fixes_a_corrupt_balance_then_it_is_consistent(history):
    Balance.objects.filter(user=history).update(lifetime=1, spendable=500, owed=0)
    code, out = check_ledger("--repair")
    assert code == 0
    assert "Repaired 1 member(s)." in out

    balance = Balance.objects.get(user=history)
    assert (balance.lifetime, balance.spendable, balance.owed) == (60, 0, 5)
    assert check_ledger() == (0, "Ledger consistent for 2 members.\n")


def test_repair_fixes_corrupt_leaderboard_scores_then_it_is_consistent(history):
    week = period_key("week")
    LeaderboardScore.objects.filter(user=history, period=week).delete()
    LeaderboardScore.objects.filter(user=history, period=ALL_TIME).update(points=9999)
    assert check_ledger("--repair")[0] == 0

    scores = dict(LeaderboardScore.objects.filter(user=history).values_list("period", "points"))
    assert scores[ALL_TIME] == 60
    assert scores[week] == 60
    assert check_ledger()[0] == 0


def test_points_reversed_in_a_later_month_are_consistent(member):
    source = UserFactory()
    long_ago = timezone.now() - datetime.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        services.award(member, VERIFIED, source=source)
    services.reverse(member, VERIFIED, source=source, reason="Bounced")

    assert check_ledger() == (0, "Ledger consistent for 1 members.\n")
    # A repair would leave the scores as they are.
    check_ledger("--repair")
    assert LeaderboardScore.objects.get(user=member, period=ALL_TIME).points == 0
    assert (
        LeaderboardScore.objects.get(user=member, period=period_key("month", long_ago)).points == 0
    )
