"""Verify that balances and leaderboard scores agree with the points ledger (and --repair them).

The ledger is the truth: replaying a member's entries in order gives their lifetime, spendable
and owed points, and summing them per period gives their leaderboard scores.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from hub.rewards.models import Balance, LeaderboardScore, PointsEntry
from hub.rewards.queries import periods_for
from hub.rewards.services import sync_leaderboard_standing


def listed_members():
    """Members who may appear on the leaderboards, as a subquery on a score's member."""
    return get_user_model().objects.filter(
        pk=OuterRef("user_id"), is_active=True, is_staff=False, show_on_leaderboard=True
    )


def misranked_members() -> list[int]:
    """Members whose scores' ``ranked`` flag disagrees with their account (one query)."""
    return list(
        LeaderboardScore.objects.alias(listed=Exists(listed_members()))
        .filter(Q(ranked=True, listed=False) | Q(ranked=False, listed=True))
        .values_list("user_id", flat=True)
        .distinct()
    )


def replay(entries) -> tuple[dict, dict]:
    """(balance fields, scores per period) from one member's entries, oldest first: rows of
    (kind, points, created, action, source_type_id, source_id)."""
    lifetime = spendable = owed = 0
    scores: dict[str, int] = defaultdict(int)
    awarded_at = {}
    for kind, points, created, *source in entries:
        if kind == PointsEntry.AWARD:
            awarded_at[tuple(source)] = created
        elif kind == PointsEntry.REVERSAL:
            # reverse() takes the points out of the periods they were earned in.
            created = awarded_at.get(tuple(source), created)
        if kind == PointsEntry.REDEMPTION:
            spendable += points  # a redemption is a negative entry against spendable points only
            continue
        lifetime += points
        if points >= 0:
            repay = min(owed, points)
            owed -= repay
            spendable += points - repay
        else:
            taken = min(spendable, -points)
            spendable -= taken
            owed += -points - taken
        for period in periods_for(created):
            scores[period] += points
    return {"lifetime": lifetime, "spendable": spendable, "owed": owed}, dict(scores)


class Command(BaseCommand):
    help = "Check balances and leaderboard scores against the points ledger; --repair fixes them."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="rewrite what disagrees")

    def handle(self, *args, repair=False, **options):
        user_ids = set(PointsEntry.objects.values_list("user_id", flat=True).distinct())
        user_ids |= set(Balance.objects.values_list("user_id", flat=True))
        problems = 0
        for user_id in sorted(user_ids):
            with transaction.atomic():
                balance, _ = Balance.objects.select_for_update().get_or_create(user_id=user_id)
                entries = PointsEntry.objects.filter(user_id=user_id).order_by("id")
                expected, scores = replay(
                    entries.values_list(
                        "kind", "points", "created", "action", "source_type_id", "source_id"
                    )
                )
                actual = {
                    "lifetime": balance.lifetime,
                    "spendable": balance.spendable,
                    "owed": balance.owed,
                }
                stored = dict(
                    LeaderboardScore.objects.filter(user_id=user_id).values_list("period", "points")
                )
                stored_nonzero = {k: v for k, v in stored.items() if v}
                expected_nonzero = {k: v for k, v in scores.items() if v}
                if actual == expected and stored_nonzero == expected_nonzero:
                    continue
                problems += 1
                self.stdout.write(
                    f"member {user_id}: balance {actual} but the ledger says {expected}"
                    if actual != expected
                    else f"member {user_id}: leaderboard scores differ from the ledger"
                )
                if repair:
                    Balance.objects.filter(pk=balance.pk).update(**expected)
                    LeaderboardScore.objects.filter(user_id=user_id).delete()
                    LeaderboardScore.objects.bulk_create(
                        [
                            LeaderboardScore(user_id=user_id, period=p, points=v)
                            for p, v in scores.items()
                        ]
                    )
                    sync_leaderboard_standing([user_id])
        misranked = misranked_members()
        if misranked:
            # Someone changed members with a queryset update, which skips User.save().
            problems += len(misranked)
            self.stdout.write(
                f"{len(misranked)} member(s) listed or left off the leaderboards wrongly: "
                f"{', '.join(map(str, misranked[:20]))}"
            )
            if repair:
                sync_leaderboard_standing(misranked)
        if problems == 0:
            self.stdout.write(self.style.SUCCESS(f"Ledger consistent for {len(user_ids)} members."))
        elif repair:
            self.stdout.write(self.style.WARNING(f"Repaired {problems} member(s)."))
        else:
            self.stdout.write(
                self.style.ERROR(
                    f"{problems} member(s) disagree with the ledger; run with --repair."
                )
            )
            raise SystemExit(1)
