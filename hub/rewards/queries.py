"""Read paths for the advocate programme: tiers, a member's standing, their history."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from .actions import all_actions, get_action
from .models import (
    TIERS_CACHE_KEY,
    BadgeAward,
    Balance,
    LeaderboardScore,
    Perk,
    PerkCode,
    PointsEntry,
    Redemption,
    Referral,
    ReferralSettings,
    RewardRule,
    Tier,
)


def tiers() -> list[Tier]:
    cached = cache.get(TIERS_CACHE_KEY)
    if cached is None:
        cached = list(Tier.objects.order_by("threshold"))
        cache.set(TIERS_CACHE_KEY, cached, 600)
    return cached


def earning_rules() -> list[RewardRule]:
    """What earns points now, most points first: every registered action with its editable rule
    (or its registered default until an editor first saves one), enabled and worth points. One
    query; the labels come from the registered actions."""
    rows = {rule.action: rule for rule in RewardRule.objects.all()}
    rules = [
        rows.get(action.code) or RewardRule(action=action.code, points=action.default_points)
        for action in all_actions()
    ]
    return sorted(
        (rule for rule in rules if rule.enabled and rule.points > 0),
        key=lambda rule: (-rule.points, rule.action),
    )


def tier_for(lifetime: int) -> Tier | None:
    reached = [t for t in tiers() if t.threshold <= lifetime]
    return reached[-1] if reached else None


def next_tier(lifetime: int) -> Tier | None:
    return next((t for t in tiers() if t.threshold > lifetime), None)


def standing(user) -> dict:
    """Balance, tier and progress to the next tier, for profile pages."""
    balance = Balance.objects.filter(user=user).first() or Balance(user=user)
    current, upcoming = tier_for(balance.lifetime), next_tier(balance.lifetime)
    progress = 100
    if upcoming:
        floor = current.threshold if current else 0
        span = max(1, upcoming.threshold - floor)
        progress = int(100 * (balance.lifetime - floor) / span)
    return {
        "balance": balance,
        "tier": current,
        "next_tier": upcoming,
        "to_next": (upcoming.threshold - balance.lifetime) if upcoming else 0,
        "progress": max(0, min(100, progress)),
    }


def badges_of(user) -> list[BadgeAward]:
    return list(BadgeAward.objects.filter(user=user).select_related("badge").order_by("-created"))


def history(user):
    return PointsEntry.objects.filter(user=user).order_by("-id")


# --- Leaderboards ------------------------------------------------------------------------------
ALL_TIME, MONTH, WEEK = "all", "month", "week"
BOARDS = (ALL_TIME, MONTH, WEEK)
TOP_SIZE = 50
TOP_TTL = 300


def period_key(board: str, when=None) -> str:
    when = timezone.localtime(when) if when else timezone.localtime()
    if board == MONTH:
        return when.strftime("m%Y-%m")
    if board == WEEK:
        year, week, _ = when.isocalendar()
        return f"w{year}-W{week:02d}"
    return ALL_TIME


def periods_for(when) -> list[str]:
    return [period_key(board, when) for board in BOARDS]


def counts_on_leaderboard(user) -> bool:
    """Whether the member may be listed: active, not staff, and not opted out."""
    return user.is_active and not user.is_staff and user.show_on_leaderboard


def _ranked(period: str):
    """Scores that count: members who may be listed (the scores' ``ranked`` copy of
    counts_on_leaderboard, so no join to the members is needed to filter or count them)."""
    return LeaderboardScore.objects.filter(period=period, ranked=True, points__gt=0)


def _top_key(period: str) -> str:
    return f"rewards:top:{period}"


def top(period: str) -> list[dict]:
    """The top 50 of a period, cached; award() drops the cache when a score may enter it."""
    rows = cache.get(_top_key(period))
    if rows and "url" not in rows[0]:
        rows = None  # cached by an older release, without the profile links
    if rows is None:
        rows = [
            {
                "user_id": s.user_id,
                "username": s.user.username,
                "url": s.user.get_absolute_url(),
                "name": s.user.public_name,
                "avatar": s.user.avatar_thumbnail.url if s.user.avatar_thumbnail else "",
                "initials": s.user.initials,
                "hue": s.user.avatar_hue,
                "points": s.points,
            }
            for s in _ranked(period)
            .select_related("user")
            .order_by("-points", "user_id")[:TOP_SIZE]
        ]
        for position, row in enumerate(rows, start=1):
            row["rank"] = position
        cache.set(_top_key(period), rows, TOP_TTL)
    return rows


def leaderboard_changed(period: str, user, delta: int, score: int | None = None) -> None:
    """Drop a cached top 50 (once the change commits) only when this change can alter it;
    ``score`` is the member's new score when the caller knows it."""
    rows = cache.get(_top_key(period))
    if rows is None:
        return
    listed = any(r["user_id"] == user.pk for r in rows)
    if score is None and delta > 0 and len(rows) >= TOP_SIZE:
        score = _score(period, user)
    enters = delta > 0 and (len(rows) < TOP_SIZE or score >= rows[-1]["points"])
    if listed or enters:
        transaction.on_commit(lambda: cache.delete(_top_key(period)))


def member_changed(user=None) -> None:
    """Drop the current cached top lists once a change to the member commits: their name or
    avatar changed, or they opted out (or back in) or left, which must show at once."""
    keys = [_top_key(period) for period in periods_for(timezone.now())]
    transaction.on_commit(lambda: cache.delete_many(keys))


def _score(period: str, user) -> int:
    return (
        LeaderboardScore.objects.filter(period=period, user=user)
        .values_list("points", flat=True)
        .first()
        or 0
    )


def rank_of(period: str, user) -> dict | None:
    """The member's own rank, even far outside the top 50 (an index range count)."""
    if not counts_on_leaderboard(user):
        return None
    # One query: the member's score, and the members ahead of it counted over one range of the
    # leaderboard index (points >= theirs) without reading the table. Ties go to the member
    # who joined first, as in top().
    ahead = (
        _ranked(period)
        .filter(points__gte=OuterRef("points"))
        .filter(Q(points__gt=OuterRef("points")) | Q(user_id__lt=OuterRef("user_id")))
        .order_by()
        .annotate(n=Func(Value(1), function="COUNT"))
        .values("n")
    )
    row = (
        _ranked(period)
        .filter(user=user)
        .annotate(ahead=Subquery(ahead))
        .values_list("points", "ahead")
        .first()
    )
    if row is None:
        return None
    points, ahead = row
    return {"rank": ahead + 1, "points": points}


# --- Referrals ---------------------------------------------------------------------------------
REFERRALS_SHOWN = 50
# A bonus for every this many qualified referrals (settings.REFERRAL_BONUS_EVERY).
REFERRAL_BONUS_EVERY = max(1, getattr(settings, "REFERRAL_BONUS_EVERY", 5))
REFERRER_ACTION = "rewards.referral.qualified"
WELCOME_ACTION = "rewards.referral.welcome"
BONUS_ACTION = "rewards.referral.bonus"


def referrer_by_code(code: str):
    """The active member whose share link carries ``code``, or None."""
    if not code:
        return None
    return get_user_model().objects.filter(referral_code=code, is_active=True).first()


def referrals_of(user) -> dict:
    """The member's latest referrals with their states, and how far they are from the next bonus
    (two queries, however many friends they invited)."""
    counts = Referral.objects.filter(referrer=user).aggregate(
        total=Count("id"), qualified=Count("id", filter=Q(state=Referral.QUALIFIED))
    )
    recent = []
    if counts["total"]:
        recent = list(
            Referral.objects.filter(referrer=user)
            .select_related("referred")
            .order_by("-created", "-id")[:REFERRALS_SHOWN]
        )
    qualified = counts["qualified"]
    return {
        "referrals": recent,
        "total": counts["total"],
        "qualified": qualified,
        "more": max(0, counts["total"] - len(recent)),
        "to_bonus": REFERRAL_BONUS_EVERY - qualified % REFERRAL_BONUS_EVERY,
    }


def referral_conditions() -> ReferralSettings:
    """What qualifies a referral, as editors set it (the default site's settings)."""
    site = Site.objects.filter(is_default_site=True).first()
    return ReferralSettings.for_site(site) if site else ReferralSettings()


def referral_rewards() -> dict[str, int]:
    """What each referral reward is worth right now (0 when its rule is off), in one query."""
    actions = {"referrer": REFERRER_ACTION, "welcome": WELCOME_ACTION, "bonus": BONUS_ACTION}
    rules = {r.action: r for r in RewardRule.objects.filter(action__in=actions.values())}
    worth = {}
    for key, action in actions.items():
        rule = rules.get(action)
        points = get_action(action).default_points if rule is None else rule.points
        worth[key] = max(0, points) if rule is None or rule.enabled else 0
    return worth


# --- Perks -------------------------------------------------------------------------------------
PERK_INACTIVE, PERK_NOT_YET, PERK_ENDED = "inactive", "not_yet", "ended"
PERK_LOCKED, PERK_LIMIT, PERK_SOLD_OUT, PERK_POINTS = "locked", "limit", "sold_out", "points"


@dataclass
class PerkOffer:
    """A perk as one member sees it: what is left, and why they cannot redeem it (if so)."""

    perk: Perk
    left: int | None  # how many can still be redeemed; None: no limit
    reason: str = ""  # one of the PERK_* codes; empty when the member can redeem it now
    message: str = ""
    min_tier: Tier | None = None
    to_unlock: int = 0  # lifetime points still needed for the minimum tier
    missing: int = 0  # spendable points still needed
    redeemed: int = 0  # how many times this member has redeemed it

    @property
    def can_redeem(self) -> bool:
        return not self.reason

    @property
    def within_reach(self) -> bool:
        """Nothing but points stands between the member and this perk (or nothing at all)."""
        return self.reason in ("", PERK_POINTS)


def perk_min_tier(perk: Perk) -> Tier | None:
    """The perk's minimum tier from the cached tier list (no query, and no join under a lock)."""
    if perk.min_tier_id is None:
        return None
    tier = next((t for t in tiers() if t.pk == perk.min_tier_id), None)
    return tier or Tier.objects.filter(pk=perk.min_tier_id).first()


def perk_left(perk: Perk, codes_left: int | None = None) -> int | None:
    """How many can still be redeemed: the stock left, and for unique codes the unused codes."""
    left = None if perk.stock is None else max(0, perk.stock - perk.redeemed_count)
    if perk.code_type == Perk.UNIQUE and codes_left is not None:
        left = codes_left if left is None else min(left, codes_left)
    return left


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def perk_refusal(
    perk: Perk, *, lifetime: int, spendable: int, redeemed: int, left: int | None, now=None
) -> tuple[str, str]:
    """(reason code, message for the member) when they cannot redeem ``perk``, else ("", "").

    The one statement of the rules: the perks page explains with it, redeem_perk() enforces it.
    """
    now = now or timezone.now()
    if not perk.is_active:
        return PERK_INACTIVE, _("This perk is no longer offered.")
    if perk.available_from and now < perk.available_from:
        return PERK_NOT_YET, _("Not available yet: from %(date)s.") % {
            "date": _when(perk.available_from)
        }
    if perk.available_until and now >= perk.available_until:
        return PERK_ENDED, _("No longer available: it ended on %(date)s.") % {
            "date": _when(perk.available_until)
        }
    tier = perk_min_tier(perk)
    if tier is not None and lifetime < tier.threshold:
        return PERK_LOCKED, _("Reach %(tier)s to unlock this perk.") % {"tier": tier.name}
    if redeemed >= perk.per_member_limit:
        if perk.per_member_limit <= 1:
            return PERK_LIMIT, _("You have already redeemed this perk.")
        return PERK_LIMIT, ngettext(
            "You have already redeemed this perk %(count)d time, the most allowed.",
            "You have already redeemed this perk %(count)d times, the most allowed.",
            redeemed,
        ) % {"count": redeemed}
    if left is not None and left <= 0:
        return PERK_SOLD_OUT, _("Out of stock: every one has been redeemed.")
    if spendable < perk.cost:
        missing = perk.cost - spendable
        return PERK_POINTS, ngettext(
            "You need %(count)d more point.", "You need %(count)d more points.", missing
        ) % {"count": missing}
    return "", ""


def member_points(user) -> tuple[int, int]:
    """(lifetime, spendable) points of ``user``; (0, 0) for a visitor or before their first."""
    if not user.is_authenticated:
        return 0, 0
    balance = Balance.objects.filter(user=user).first()
    return (balance.lifetime, balance.spendable) if balance else (0, 0)


def perk_offer(perk: Perk, user) -> PerkOffer:
    """Where ``user`` stands with one perk (the redeem confirmation page)."""
    return perk_offers(user, perks=Perk.objects.filter(pk=perk.pk))[0]


def perk_offers(user, *, points: tuple[int, int] | None = None, perks=None) -> list[PerkOffer]:
    """The active perks and where this member stands with each: three queries for a member, one
    for a visitor, however many perks there are (two when the caller passes ``points``, the
    member's (lifetime, spendable) from member_points())."""
    unused_codes = (
        PerkCode.objects.filter(perk=OuterRef("pk"), redemption__isnull=True)
        .order_by()
        .values("perk")
        .annotate(n=Count("pk"))
        .values("n")
    )
    perks = list(
        (Perk.objects.filter(is_active=True) if perks is None else perks)
        .select_related("min_tier")
        .annotate(codes_left=Coalesce(Subquery(unused_codes), 0))
    )
    lifetime = spendable = 0
    redeemed: dict[int, int] = {}
    if user.is_authenticated and perks:
        lifetime, spendable = points if points is not None else member_points(user)
        redeemed = dict(
            Redemption.objects.filter(user=user)
            .order_by()
            .values("perk")
            .annotate(n=Count("pk"))
            .values_list("perk", "n")
        )
    now = timezone.now()
    offers = []
    for perk in perks:
        left = perk_left(perk, perk.codes_left)
        mine = redeemed.get(perk.pk, 0)
        reason, message = perk_refusal(
            perk, lifetime=lifetime, spendable=spendable, redeemed=mine, left=left, now=now
        )
        tier = perk.min_tier
        offers.append(
            PerkOffer(
                perk=perk,
                left=left,
                reason=reason,
                message=message,
                min_tier=tier,
                to_unlock=max(0, tier.threshold - lifetime) if tier else 0,
                missing=max(0, perk.cost - spendable),
                redeemed=mine,
            )
        )
    return offers


def redemptions_of(user):
    """The member's redemptions with their perks and codes, newest first (for "My perks")."""
    return (
        Redemption.objects.filter(user=user)
        .select_related("perk", "code")
        .order_by("-created", "-id")
    )


# --- Standing of many members at once (names on forum posts, comments, reviews) ---------------
@dataclass(frozen=True)
class MemberStanding:
    tier: Tier | None
    badges: list


def standings_for(user_ids) -> dict[int, MemberStanding]:
    """Each member's tier and badges (newest first), for a page of posts: two queries whatever
    the number of members (tiers come from the cache)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    lifetime = dict(Balance.objects.filter(user_id__in=ids).values_list("user_id", "lifetime"))
    badges: dict[int, list] = {uid: [] for uid in ids}
    for award_row in (
        BadgeAward.objects.filter(user_id__in=ids).select_related("badge").order_by("-created")
    ):
        badges[award_row.user_id].append(award_row.badge)
    return {
        uid: MemberStanding(tier=tier_for(lifetime.get(uid, 0)), badges=badges[uid]) for uid in ids
    }
