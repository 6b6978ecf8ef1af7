"""Demo activity: the demo members joined a few months ago and came by regularly since, so the
dashboard's figures and charts show something on a fresh demo site. Idempotent (one row per
member and day; the join dates move only on the first run)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from hub.demo import register_seeder

from . import kpis
from .models import MemberActivity

# Every how many days each demo member came by, and how many days ago they joined.
RHYTHM = {"ana": 1, "ben": 3, "chen": 2, "dara": 4}
JOINED_DAYS_AGO = {"ana": 150, "ben": 120, "chen": 75, "dara": 20}


def seed_activity(log) -> None:
    today = timezone.localdate()
    members = list(get_user_model().objects.filter(username__in=RHYTHM))
    rows = []
    for member in members:
        if member.date_joined > timezone.now() - timedelta(days=1):
            # Freshly seeded: give the demo members a history, so cohorts have something to show.
            member.date_joined = timezone.now() - timedelta(days=JOINED_DAYS_AGO[member.username])
            member.save(update_fields=["date_joined"])
        joined = timezone.localtime(member.date_joined).date()
        rows += [
            MemberActivity(user=member, day=today - timedelta(days=offset))
            for offset in range(0, (today - joined).days + 1, RHYTHM[member.username])
        ]
    MemberActivity.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    log(f"member activity: {len(rows)} days for {len(members)} demo members")
    _flagged_referral(log)
    kpis.drop_cache(today)


def _flagged_referral(log) -> None:
    """Something in the moderation queue: ben's second account, invited through his own link."""
    from hub.rewards import services as rewards_services
    from hub.rewards.models import Referral

    User = get_user_model()
    ben = User.objects.filter(username="ben").first()
    if ben is None or Referral.objects.filter(referred__username="ben.outdoors").exists():
        return
    second, _created = User.objects.get_or_create(
        username="ben.outdoors", defaults={"email": "ben+outdoors@example.com"}
    )
    second.set_unusable_password()
    second.save(update_fields=["password"])
    code = rewards_services.referral_code_for(ben)
    if rewards_services.record_referral(second, code=code, ip="203.0.113.9"):
        log("flagged referral: ben invited ben.outdoors (same mailbox)")


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
# After the demo members and their points exist.
register_seeder("workspace activity", seed_activity, order=90)
