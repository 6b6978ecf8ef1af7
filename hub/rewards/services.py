"""Every change to points, tiers and badges: one function per intent, one transaction each.

award() and reverse() are idempotent per (member, action, source): the ledger's unique constraint
decides, so calling twice, or from many threads at once, changes the balance once.
"""

import csv
import io
import logging
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from hub.errors import Refusal
from hub.i18n import language_of
from hub.notifications.services import notify
from hub.webhooks import payloads
from hub.webhooks.services import emit

from . import rules
from .actions import get_action, get_referral_condition
from .models import (
    Badge,
    BadgeAward,
    Balance,
    LeaderboardScore,
    Perk,
    PerkCode,
    PointsEntry,
    Redemption,
    Referral,
    RewardRule,
    config_changed,
)
from .queries import (
    BONUS_ACTION,
    REFERRAL_BONUS_EVERY,
    REFERRER_ACTION,
    WELCOME_ACTION,
    leaderboard_changed,
    member_changed,
    periods_for,
    perk_left,
    perk_refusal,
    referral_conditions,
    referrer_by_code,
    tier_for,
)

logger = logging.getLogger(__name__)


class RewardsError(Refusal):
    """A refused points operation, with a message fit for the person who asked."""


def get_rule(action: str) -> RewardRule:
    """The editable rule for ``action``, created from the registered default on first use
    (award() reads the same rules from the process's snapshot in hub.rewards.rules)."""
    default = get_action(action).default_points
    rule, _created = RewardRule.objects.get_or_create(action=action, defaults={"points": default})
    return rule


def sync_rules() -> None:
    """Give every registered action an editable rule row with its default points (the admin's
    rules listing calls this, so editors see new actions as soon as an app registers them)."""
    from .actions import all_actions

    existing = set(RewardRule.objects.values_list("action", flat=True))
    missing = [
        RewardRule(action=a.code, points=a.default_points)
        for a in all_actions()
        if a.default_points > 0 and a.code not in existing
    ]
    if missing:
        RewardRule.objects.bulk_create(missing, ignore_conflicts=True)
        config_changed()


def _locked_balance(user) -> Balance:
    balance = Balance.objects.select_for_update().filter(user=user).first()
    if balance is None:  # the member's first points
        Balance.objects.get_or_create(user=user)
        balance = Balance.objects.select_for_update().get(user=user)
    return balance


def _credit(balance: Balance, points: int) -> None:
    """Add earned points: lifetime grows by all of them; owed points are paid back first."""
    balance.lifetime += points
    repay = min(balance.owed, points)
    balance.owed -= repay
    balance.spendable += points - repay


def _debit(balance: Balance, points: int) -> None:
    """Take points back; what spendable cannot cover becomes owed instead of a negative balance."""
    balance.lifetime -= points
    taken = min(balance.spendable, points)
    balance.spendable -= taken
    balance.owed += points - taken


BALANCE_FIELDS = ["lifetime", "spendable", "owed"]


def _source_key(source) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(source), str(source.pk)


def _bump_scores(user, points: int, when) -> None:
    """Move the member's leaderboard scores for the periods ``when`` falls in, in one statement
    (caller holds the member's balance lock, so no two of these race for one member).

    A new period's row takes its ``ranked`` flag from the member's row as committed now, not
    from ``user``, which may be older than an opt-out made meanwhile.
    """
    periods = periods_for(when)
    scores, members = LeaderboardScore._meta.db_table, get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {scores} (user_id, period, points, ranked)
            SELECT u.id, p.period, %s, (u.is_active AND NOT u.is_staff AND u.show_on_leaderboard)
            FROM {members} u CROSS JOIN (
                SELECT %s AS period UNION ALL SELECT %s UNION ALL SELECT %s
            ) p
            WHERE u.id = %s
            ON CONFLICT (period, user_id) DO UPDATE SET points = {scores}.points + excluded.points
            RETURNING period, points
            """,  # noqa: S608  (table names from the models, values as parameters)
            [points, *periods, user.pk],
        )
        new_scores = dict(cursor.fetchall())
    for period in periods:
        leaderboard_changed(period, user, points, new_scores.get(period))


def sync_leaderboard_standing(user_ids) -> None:
    """Copy whether members may be listed (active, not staff, not opted out) onto their
    leaderboard scores, and drop the cached top lists once that commits.

    hub.accounts calls it whenever one of those changes: the profile form, the Wagtail user
    admin (one member or a bulk action), a deactivation. Each member's balance lock is taken
    first, in id order, so an award() running meanwhile cannot add a score with the old flag.
    """
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return
    listed = get_user_model().objects.filter(
        pk=OuterRef("user_id"), is_active=True, is_staff=False, show_on_leaderboard=True
    )
    with transaction.atomic():
        list(
            Balance.objects.select_for_update()
            .filter(user_id__in=user_ids)
            .order_by("user_id")
            .values_list("pk", flat=True)
        )
        LeaderboardScore.objects.filter(user_id__in=user_ids).update(ranked=Exists(listed))
        member_changed()


def recipient_language(user) -> str:
    """The language to write ``user``'s notification in (``hub.i18n.language_of``)."""
    return language_of(user)


def _after_lifetime_change(user, before: int, after: int) -> None:
    """Tell the member when they reach a higher tier, and integrations of any change of tier."""
    old_tier, new_tier = tier_for(before), tier_for(after)
    if new_tier and (old_tier is None or new_tier.threshold > old_tier.threshold):

        def render_text():  # notify() renders it in the recipient's language
            text = _("You reached the %(tier)s tier. Thank you for everything you do here!") % {
                "tier": new_tier.name
            }
            return text

        notify(user, "rewards.tier.reached", text=render_text, url="/points/")
    if (old_tier and old_tier.pk) != (new_tier and new_tier.pk):
        emit(
            "member.tier_changed",
            lambda: {
                "member": payloads.member(user),
                "tier": payloads.tier(new_tier),
                "previous_tier": payloads.tier(old_tier),
                "lifetime_points": after,
            },
        )


def _points_awarded(user, entry: PointsEntry, balance: Balance) -> None:
    emit(
        "points.awarded",
        lambda: {
            "member": payloads.member(user),
            "entry": {
                "id": entry.pk,
                "action": entry.action,
                "kind": entry.kind,
                "points": entry.points,
                "reason": entry.reason,
                "created": entry.created,
            },
            "points": {
                "lifetime": balance.lifetime,
                "spendable": balance.spendable,
                "owed": balance.owed,
            },
        },
    )


def award(
    user, action: str, *, source, reason: str = "", points: int | None = None
) -> PointsEntry | None:
    """Give ``user`` the points ``action`` is worth for ``source``; None when nothing is due
    (already awarded, rule off, or the daily cap reached).

    ``points`` replaces the rule's fixed amount for rules that pay per unit (the shop's
    "points per currency unit spent": the caller multiplies); the rule still decides whether
    anything is given (on/off, daily cap), and zero or less gives nothing.
    """
    rule = rules.rule_for(action)
    amount = rule.points if points is None else points
    if not rule.enabled or rule.points <= 0 or amount <= 0:
        return None
    source_type, source_id = _source_key(source)
    with transaction.atomic():
        balance = _locked_balance(user)  # serialises one member's awards
        if rule.daily_cap is not None:
            start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            today = PointsEntry.objects.filter(
                user=user, action=action, kind=PointsEntry.AWARD, created__gte=start
            ).count()
            if today >= rule.daily_cap:
                return None
        try:
            with transaction.atomic():
                entry = PointsEntry.objects.create(
                    user=user,
                    action=action,
                    kind=PointsEntry.AWARD,
                    points=amount,
                    source_type=source_type,
                    source_id=source_id,
                    reason=reason[:255],
                )
        except IntegrityError:
            return None
        before = balance.lifetime
        _credit(balance, amount)
        balance.save(update_fields=BALANCE_FIELDS)
        _bump_scores(user, amount, entry.created)
        _points_awarded(user, entry, balance)
        _after_lifetime_change(user, before, balance.lifetime)
        if rules.badge_counts(action):
            _award_badges_for(user, action)
    return entry


POINTS_REVERSED = "rewards.points.reversed"


def reverse(user, action: str, *, source, reason: str, by=None) -> PointsEntry | None:
    """Take back what ``action`` earned for ``source`` (a moderator removed it); once only.

    ``by`` is who took the points back (None when it happened automatically): it is recorded on
    the entry and the reversal is logged in Wagtail's history under their name.
    """
    source_type, source_id = _source_key(source)
    with transaction.atomic():
        balance = _locked_balance(user)
        before = balance.lifetime
        awarded = PointsEntry.objects.filter(
            user=user,
            action=action,
            kind=PointsEntry.AWARD,
            source_type=source_type,
            source_id=source_id,
        ).first()
        if awarded is None:
            return None
        try:
            with transaction.atomic():
                entry = PointsEntry.objects.create(
                    user=user,
                    action=action,
                    kind=PointsEntry.REVERSAL,
                    points=-awarded.points,
                    source_type=source_type,
                    source_id=source_id,
                    reason=reason[:255],
                    created_by=by,
                )
        except IntegrityError:
            return None
        _debit(balance, awarded.points)
        balance.save(update_fields=BALANCE_FIELDS)
        # The points leave the periods they were earned in.
        _bump_scores(user, -awarded.points, awarded.created)
        _after_lifetime_change(user, before, balance.lifetime)
        if by is not None:
            log(
                instance=entry,
                action=POINTS_REVERSED,
                user=by,
                data={"reason": entry.reason, "points": entry.points, "action": action},
            )
    return entry


def take_back(user, action: str, *, source, points: int, reason: str) -> PointsEntry | None:
    """Take back part of what ``action`` earned (a partial refund of an order): a reversal of
    ``points`` recorded against ``source`` (the refund), once per source however often it is
    called. The caller decides how many points are due back, under its own lock on what was
    earned; what the member already spent becomes owed, as with reverse().

    Unlike reverse(), the points leave the periods the reversal falls in (now), not the ones
    they were earned in, which is what check_ledger replays for a reversal with its own source.
    """
    if points <= 0:
        return None
    source_type, source_id = _source_key(source)
    with transaction.atomic():
        balance = _locked_balance(user)
        try:
            with transaction.atomic():
                entry = PointsEntry.objects.create(
                    user=user,
                    action=action,
                    kind=PointsEntry.REVERSAL,
                    points=-points,
                    source_type=source_type,
                    source_id=source_id,
                    reason=reason[:255],
                )
        except IntegrityError:
            return None
        _debit(balance, points)
        balance.save(update_fields=BALANCE_FIELDS)
        _bump_scores(user, -points, entry.created)
    return entry


def adjust(user, points: int, *, reason: str, by, via: str = "") -> PointsEntry:
    """A manual award (points > 0) or deduction (< 0) by an editor, with the reason logged.

    ``by`` is None when an integration made it through the REST API; ``via`` then says which
    (an API key), and is kept in the entry's history."""
    if points == 0:
        raise RewardsError(_("Enter a number of points other than zero."))
    if not reason.strip():
        raise RewardsError(_("Say why: the member sees the reason in their history."))
    with transaction.atomic():
        balance = _locked_balance(user)
        entry = PointsEntry.objects.create(
            user=user,
            action="rewards.manual.adjusted",
            kind=PointsEntry.ADJUSTMENT,
            points=points,
            reason=reason.strip(),
            created_by=by,
        )
        before = balance.lifetime
        if points > 0:
            _credit(balance, points)
        else:
            _debit(balance, -points)
        balance.save(update_fields=BALANCE_FIELDS)
        _bump_scores(user, points, entry.created)
        log(
            instance=entry,
            action="wagtail.create",
            user=by,
            data={"reason": entry.reason, "points": points, **({"via": via} if via else {})},
        )

        def render_text():  # notify() renders it in the recipient's language
            text = (
                ngettext(
                    "You received %(points)d point: %(reason)s",
                    "You received %(points)d points: %(reason)s",
                    points,
                )
                if points > 0
                else ngettext(
                    "%(points)d point was deducted: %(reason)s",
                    "%(points)d points were deducted: %(reason)s",
                    -points,
                )
            ) % {"points": abs(points), "reason": entry.reason}
            return text

        notify(user, "rewards.points.adjusted", text=render_text, url="/points/", actor=None)
        _points_awarded(user, entry, balance)
        _after_lifetime_change(user, before, balance.lifetime)
    return entry


def award_badge(user, badge: Badge, *, by=None, reason: str = "") -> BadgeAward | None:
    """Give a badge once; a second call changes nothing. The member is notified."""
    try:
        with transaction.atomic():
            award_row = BadgeAward.objects.create(
                user=user, badge=badge, awarded_by=by, reason=reason
            )
    except IntegrityError:
        return None
    if by is not None:
        log(instance=award_row, action="wagtail.create", user=by, data={"reason": reason})

    def render_text():  # notify() renders it in the recipient's language
        text = _("You earned the “%(badge)s” badge: %(description)s") % {
            "badge": badge.name,
            "description": badge.description,
        }
        return text

    notify(user, "rewards.badge.awarded", text=render_text, url=user.get_absolute_url())
    return award_row


def _award_badges_for(user, action: str) -> None:
    candidates = list(
        Badge.objects.filter(action=action, count__isnull=False).exclude(awards__user=user)
    )
    if not candidates:
        return
    done = PointsEntry.objects.filter(user=user, action=action, kind=PointsEntry.AWARD).count()
    for badge in candidates:
        if done >= badge.count:
            award_badge(user, badge, reason=_("Earned automatically"))


# --- Referrals ---------------------------------------------------------------------------------
REFERRAL_CODE_ATTEMPTS = 5
GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def referral_code_for(user) -> str:
    """The member's share-link code, made on first use: 8 random URL-safe characters; a clash
    with another member's code (the unique constraint) draws again."""
    if user.referral_code:
        return user.referral_code
    members = get_user_model().objects
    for _attempt in range(REFERRAL_CODE_ATTEMPTS):
        code = secrets.token_urlsafe(6)
        try:
            with transaction.atomic():
                given = members.filter(pk=user.pk, referral_code__isnull=True).update(
                    referral_code=code
                )
        except IntegrityError:
            continue
        if not given:  # a parallel request gave them one first
            code = members.values_list("referral_code", flat=True).get(pk=user.pk)
        user.referral_code = code
        return code
    raise RewardsError(_("We could not make your share link just now. Please try again."))


def _mailbox(address: str) -> str:
    """The mailbox an address delivers to: "+tags" dropped, and for Gmail the dots as well."""
    local, _at, domain = address.strip().lower().rpartition("@")
    if not local:
        return address.strip().lower()
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _mailboxes_of(user) -> set[str]:
    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    addresses.add(user.email)
    return {_mailbox(address) for address in addresses if address}


def _referral_flag_reason(referrer, referred, ip: str | None) -> str:
    """Why a sign-up looks like self-referral ("" when it does not), in the site's language:
    editors read it, not the visitor."""
    with translation.override(settings.LANGUAGE_CODE):
        if referrer.pk == referred.pk:
            return _("Self-referral: the member followed their own share link.")
        if _mailboxes_of(referrer) & _mailboxes_of(referred):
            return _("Same e-mail address as the member who invited them, or a variant of it.")
        if ip:
            limit = getattr(settings, "REFERRAL_MAX_SIGNUPS_PER_IP", 3)
            since = timezone.now() - timedelta(hours=24)
            earlier = Referral.objects.filter(signup_ip=ip, created__gte=since).count()
            if earlier >= limit:
                return ngettext(
                    "%(count)d referred sign-up from %(ip)s within 24 hours.",
                    "%(count)d referred sign-ups from %(ip)s within 24 hours.",
                    earlier + 1,
                ) % {"count": earlier + 1, "ip": ip}
    return ""


def record_referral(referred, *, code: str, ip: str | None = None) -> Referral | None:
    """Remember that ``referred`` joined through the share link carrying ``code``.

    What looks like self-referral (their own link, the same mailbox, many sign-ups from one
    address) is flagged for editors and earns nothing unless one clears it. None when the code is
    unknown or the member was referred already.
    """
    referrer = referrer_by_code(code)
    if referrer is None:
        return None
    reason = _referral_flag_reason(referrer, referred, ip)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                referrer=referrer,
                referred=referred,
                signup_ip=ip or None,
                state=Referral.FLAGGED if reason else Referral.PENDING,
                flag_reason=reason[:255],
            )
    except IntegrityError:
        return None
    if reason:
        logger.info("referral %s flagged: %s", referral.pk, reason)
    else:
        check_referral_qualification(referred)  # when editors require nothing more
        referral.refresh_from_db()
    return referral


def _meets_referral_conditions(user) -> bool:
    conditions = referral_conditions()
    if (
        conditions.require_verified_email
        and not EmailAddress.objects.filter(user=user, verified=True).exists()
    ):
        return False
    if conditions.require_condition:
        condition = get_referral_condition(conditions.require_condition)
        # A condition nobody offers any more cannot be met: better late than paid by mistake.
        if condition is None or not condition.met(user):
            return False
    if conditions.require_action:
        return PointsEntry.objects.filter(
            user=user, action=conditions.require_action, kind=PointsEntry.AWARD
        ).exists()
    return True


def check_referral_qualification(user) -> Referral | None:
    """Qualify the referral that brought ``user`` in once they have done what editors require,
    and reward both members (and the referrer's bonus for every 5th friend).

    Call it after anything that may complete the conditions: the e-mail confirmed, a first
    contribution. Any number of calls, from any number of threads, qualify and pay out once.
    Returns the referral when this call qualified it.
    """
    referral = (
        Referral.objects.filter(referred=user, state=Referral.PENDING)
        .select_related("referrer", "referred")
        .first()
    )
    if referral is None or not _meets_referral_conditions(user):
        return None
    referrer = referral.referrer
    with transaction.atomic():
        # One referrer's referrals qualify one at a time, so every 5th is counted exactly once.
        _locked_balance(referrer)
        now = timezone.now()
        if not Referral.objects.filter(pk=referral.pk, state=Referral.PENDING).update(
            state=Referral.QUALIFIED, qualified_at=now
        ):
            return None  # another call got there first
        referral.state, referral.qualified_at = Referral.QUALIFIED, now
        earned = award(referrer, REFERRER_ACTION, source=referral)
        award(referral.referred, WELCOME_ACTION, source=referral)
        bonus = _award_referral_bonus(referrer, source=referral)
        _notify_referral_qualified(referral, earned, bonus)
        _give_welcome_perk(referral)
    return referral


def _give_welcome_perk(referral: Referral) -> Redemption | None:
    """The new member's welcome perk, when editors chose one (once: the referral qualifies once).
    An empty code pool does not undo the qualification: the editors are told in the log."""
    perk = referral_conditions().welcome_perk
    if perk is None:
        return None
    with translation.override(recipient_language(referral.referred)):
        reason = _("Welcome: you joined through a friend's invitation.")
    try:
        with transaction.atomic():
            return grant_perk(referral.referred, perk, reason=reason)
    except RewardsError as refused:
        logger.warning("referral %s: welcome perk not given: %s", referral.pk, refused)
        return None


def _award_referral_bonus(referrer, *, source: Referral) -> PointsEntry | None:
    """A bonus for every 5th qualified referral, counted against the bonuses already given, so a
    repeated call or a friend who later deletes their account never pays a milestone twice."""
    qualified = Referral.objects.filter(referrer=referrer, state=Referral.QUALIFIED).count()
    given = PointsEntry.objects.filter(
        user=referrer, action=BONUS_ACTION, kind=PointsEntry.AWARD
    ).count()
    if qualified // REFERRAL_BONUS_EVERY <= given:
        return None
    return award(referrer, BONUS_ACTION, source=source)


def _notify_referral_qualified(referral, earned, bonus) -> None:
    name = referral.referred.public_name

    def render_text():  # notify() renders it in the recipient's language
        if earned is not None:
            text = ngettext(
                "Your friend %(name)s joined and qualified: +%(points)d point.",
                "Your friend %(name)s joined and qualified: +%(points)d points.",
                earned.points,
            ) % {"name": name, "points": earned.points}
        else:
            text = _("Your friend %(name)s joined and qualified.") % {"name": name}
        if bonus is not None:
            text += " " + ngettext(
                "Bonus for every friend: +%(points)d points.",
                "Bonus for every %(every)d friends: +%(points)d points.",
                REFERRAL_BONUS_EVERY,
            ) % {"every": REFERRAL_BONUS_EVERY, "points": bonus.points}
        return text

    notify(referral.referrer, "rewards.referral.qualified", text=render_text, url="/points/")


def _decide_flag(referral: Referral, *, state: str, action: str, by, reason: str) -> None:
    """Move a flagged referral to ``state``, once, logging who decided and why."""
    reason = reason.strip()
    if not reason:
        raise RewardsError(_("Say why: the reason is kept in the referral's history."))
    with transaction.atomic():
        if not Referral.objects.filter(pk=referral.pk, state=Referral.FLAGGED).update(state=state):
            raise RewardsError(_("This referral is no longer waiting for review."))
        referral.state = state
        log(
            instance=referral,
            action=action,
            user=by,
            data={"reason": reason, "flag_reason": referral.flag_reason},
        )


def clear_referral_flag(referral: Referral, *, by, reason: str) -> Referral:
    """An editor finds a flagged referral genuine: it counts again as "signed up" and qualifies
    as soon as the new member meets the conditions (at once, if they already do)."""
    _decide_flag(
        referral, state=Referral.PENDING, action="rewards.referral.cleared", by=by, reason=reason
    )
    check_referral_qualification(referral.referred)
    referral.refresh_from_db()
    return referral


def reject_referral(referral: Referral, *, by, reason: str) -> Referral:
    """An editor confirms the flag: the referral never earns points and leaves the flags queue."""
    _decide_flag(
        referral, state=Referral.REJECTED, action="rewards.referral.rejected", by=by, reason=reason
    )
    return referral


# --- Perks -------------------------------------------------------------------------------------
PERK_REDEEMED = "rewards.perk.redeemed"
CODES_FILE_MAX_BYTES = 1_000_000
CODES_FILE_MAX_CODES = 50_000
CODE_MAX_LENGTH = PerkCode._meta.get_field("code").max_length
CODE_HEADERS = {"code", "codes", "coupon", "coupon code", "voucher", "voucher code", "promo code"}


def redeem_perk(perk: Perk, *, by) -> Redemption:
    """Spend ``by``'s points on ``perk`` and hand them its code, or refuse and take nothing.

    Locks the perk row, then the member's balance (always in that order, so two redemptions never
    wait on each other crosswise): the perk lock serialises its stock and code pool, the balance
    lock the member's points. Every rule is checked again under the locks.
    """
    with transaction.atomic():
        perk = Perk.objects.select_for_update().get(pk=perk.pk)
        balance = _locked_balance(by)
        redeemed = Redemption.objects.filter(user=by, perk=perk).count()
        _reason, message = perk_refusal(
            perk,
            lifetime=balance.lifetime,
            spendable=balance.spendable,
            redeemed=redeemed,
            left=perk_left(perk),
        )
        if message:
            raise RewardsError(message)
        code = None
        if perk.code_type == Perk.UNIQUE:
            code = (
                PerkCode.objects.select_for_update(skip_locked=True)
                .filter(perk=perk)
                # NOT EXISTS rather than a LEFT JOIN: PostgreSQL cannot lock the nullable side
                # of an outer join.
                .exclude(Exists(Redemption.objects.filter(code=OuterRef("pk"))))
                .order_by("pk")
                .first()
            )
            if code is None:
                raise RewardsError(_("Out of stock: every code has been handed out."))
        entry = None
        if perk.cost:
            entry = PointsEntry.objects.create(
                user=by,
                action=PERK_REDEEMED,
                kind=PointsEntry.REDEMPTION,
                points=-perk.cost,
                source_type=ContentType.objects.get_for_model(Perk),
                source_id=str(perk.pk),
                reason=perk.title[:255],
            )
            # Spendable points only: lifetime points (and so tiers and leaderboards) keep what
            # the member earned. The check above guarantees this stays at zero or more.
            balance.spendable -= perk.cost
            balance.save(update_fields=["spendable"])
        Perk.objects.filter(pk=perk.pk).update(redeemed_count=F("redeemed_count") + 1)
        perk.redeemed_count += 1
        redemption = Redemption.objects.create(
            perk=perk, user=by, code=code, points=perk.cost, entry=entry
        )
        emit(
            "perk.redeemed",
            lambda: {
                "member": payloads.member(by),
                "perk": {"id": perk.pk, "slug": perk.slug, "title": perk.title, "cost": perk.cost},
                "redemption": {
                    "id": redemption.pk,
                    "code": code.code if code else perk.shared_code,
                    "points": redemption.points,
                    "created": redemption.created,
                },
                "points": {"spendable": balance.spendable},
            },
        )
        notify(
            by,
            PERK_REDEEMED,
            text=lambda: (
                _("You redeemed “%(perk)s”. It is waiting for you under My perks.")
                % {"perk": perk.title}
            ),
            url="/perks/mine/",
            target=redemption,
        )
    return redemption


def grant_perk(user, perk: Perk, *, reason: str, expires_at=None, notify_member=True) -> Redemption:
    """Hand ``user`` a perk for free, as a gift of the programme (a referral's welcome perk, the
    come-back discount after a first order): no points spent, no tier or per-member limit, but
    the stock and the code pool hold as for a redemption (the same perk lock). ``expires_at``
    dates the code; the member is told, with the code, under My perks."""
    with transaction.atomic():
        perk = Perk.objects.select_for_update().get(pk=perk.pk)
        left = perk_left(perk)
        if left is not None and left <= 0:
            raise RewardsError(_("Out of stock: every one has been redeemed."))
        code = None
        if perk.code_type == Perk.UNIQUE:
            code = (
                PerkCode.objects.select_for_update(skip_locked=True)
                .filter(perk=perk)
                .exclude(Exists(Redemption.objects.filter(code=OuterRef("pk"))))
                .order_by("pk")
                .first()
            )
            if code is None:
                raise RewardsError(_("Out of stock: every code has been handed out."))
        Perk.objects.filter(pk=perk.pk).update(redeemed_count=F("redeemed_count") + 1)
        perk.redeemed_count += 1
        redemption = Redemption.objects.create(
            perk=perk,
            user=user,
            code=code,
            points=0,
            expires_at=expires_at,
            granted_reason=reason[:255],
        )
        if notify_member:

            def render_text():  # notify() renders it in the recipient's language
                text = _("%(reason)s A gift for you: “%(perk)s”. Your code is under My perks.") % {
                    "reason": reason,
                    "perk": perk.title,
                }
                return text

            notify(user, PERK_REDEEMED, text=render_text, url="/perks/mine/", target=redemption)
    return redemption


def redemption_code(redemption: Redemption) -> str:
    """The code the member uses in the shop: their unique code, or the perk's shared one."""
    if redemption.code_id:
        return redemption.code.code
    return redemption.perk.shared_code


def mark_codes_used(codes, *, user=None, reference: str, when=None) -> list[Redemption]:
    """Mark the redemptions whose codes were used in a shop order: a unique code wherever it
    is, a shared code only among ``user``'s own redemptions (anyone may type a shared code).
    Each is marked once (the first order that used it); returns those marked now."""
    wanted = {code.strip().lower() for code in codes if code and code.strip()}
    if not wanted:
        return []
    when = when or timezone.now()
    unused = Redemption.objects.filter(used_at__isnull=True).select_related("perk", "code")
    candidates = list(
        unused.filter(code__isnull=False).annotate(c=Lower("code__code")).filter(c__in=wanted)
    )
    if user is not None:
        shared = (
            unused.filter(user=user, code__isnull=True)
            .annotate(c=Lower("perk__shared_code"))
            .filter(c__in=wanted)
            .order_by("created", "pk")
        )
        seen_perks = set()
        for redemption in shared:
            if redemption.perk_id not in seen_perks:  # one use marks one redemption
                seen_perks.add(redemption.perk_id)
                candidates.append(redemption)
    marked = []
    for redemption in candidates:
        if Redemption.objects.filter(pk=redemption.pk, used_at__isnull=True).update(
            used_at=when, used_reference=reference[:120]
        ):
            redemption.used_at, redemption.used_reference = when, reference[:120]
            marked.append(redemption)
    return marked


def _codes_from(file) -> list[str]:
    """The codes in an uploaded CSV or text file: the first column, stripped, blanks skipped."""
    raw = file.read(CODES_FILE_MAX_BYTES + 1)
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > CODES_FILE_MAX_BYTES:
        raise RewardsError(_("That file is larger than 1 MB. Split it and import the parts."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RewardsError(
            _("That file is not a text or CSV file we can read (save it as UTF-8 CSV).")
        ) from None
    if "\x00" in text:
        raise RewardsError(
            _("That file is not a text or CSV file we can read (save it as UTF-8 CSV).")
        )
    codes = []
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            value = row[0].strip() if row else ""
            if not value:
                continue
            if not codes and value.lower() in CODE_HEADERS:
                continue  # a header row
            if len(value) > CODE_MAX_LENGTH:
                raise RewardsError(
                    _("Line %(line)d holds a code longer than %(max)d characters.")
                    % {"line": line, "max": CODE_MAX_LENGTH}
                )
            codes.append(value)
    except csv.Error as error:
        raise RewardsError(_("That file is not valid CSV: %(error)s") % {"error": error}) from None
    return codes


def import_perk_codes(perk: Perk, file, *, by=None) -> tuple[int, int]:
    """Add the unique codes in ``file`` (CSV or plain text, one code per line or in the first
    column) to ``perk``'s pool. Returns (added, skipped duplicates); a bad file adds nothing."""
    if perk.code_type != Perk.UNIQUE:
        raise RewardsError(
            _("This perk uses one shared code. Switch it to unique codes before importing.")
        )
    codes = _codes_from(file)
    if not codes:
        raise RewardsError(_("No codes found in that file."))
    unique = list(dict.fromkeys(codes))
    if len(unique) > CODES_FILE_MAX_CODES:
        raise RewardsError(
            ngettext(
                "That file holds %(count)d code; import at most %(max)d at a time.",
                "That file holds %(count)d codes; import at most %(max)d at a time.",
                len(unique),
            )
            % {"count": len(unique), "max": CODES_FILE_MAX_CODES}
        )
    with transaction.atomic():
        Perk.objects.select_for_update().filter(pk=perk.pk).first()  # one import at a time
        before = PerkCode.objects.filter(perk=perk).count()
        PerkCode.objects.bulk_create(
            [PerkCode(perk=perk, code=code) for code in unique],
            batch_size=1000,
            ignore_conflicts=True,
        )
        added = PerkCode.objects.filter(perk=perk).count() - before
        if by is not None:
            log(
                instance=perk,
                action="rewards.perk.codes_imported",
                user=by,
                data={"added": added, "skipped": len(codes) - added},
            )
    return added, len(codes) - added


def set_rule_enabled(rule: RewardRule, *, enabled: bool, by) -> bool:
    """Switch a points rule on or off (the admin's bulk action); logged in the rule's history.
    False when it already was."""
    with transaction.atomic():
        rule = RewardRule.objects.select_for_update().get(pk=rule.pk)
        if rule.enabled == enabled:
            return False
        rule.enabled = enabled
        rule.save(update_fields=["enabled"])  # save() tells every process the rules changed
        log(instance=rule, action="wagtail.edit", user=by, data={"enabled": enabled})
    return True


def set_perk_active(perk: Perk, *, active: bool, by) -> bool:
    """Offer a perk again or withdraw it (the admin's bulk action): a withdrawn perk leaves
    /perks/ and cannot be redeemed; what members redeemed stays theirs. Logged in the perk's
    history; False when it already was."""
    with transaction.atomic():
        perk = Perk.objects.select_for_update().get(pk=perk.pk)  # after a redemption in flight
        if perk.is_active == active:
            return False
        perk.is_active = active
        perk.save(update_fields=["is_active"])
        log(instance=perk, action="wagtail.edit", user=by, data={"is_active": active})
    return True


def remove_unused_perk_codes(codes, *, by) -> tuple[int, int]:
    """Delete the given unique codes that nobody has been handed yet; a code already redeemed
    stays in its member's records. Returns (removed, kept); each perk's history says how many
    codes were removed and by whom."""
    by_perk: dict[int, list[int]] = {}
    for code in codes:
        by_perk.setdefault(code.perk_id, []).append(code.pk)
    removed = kept = 0
    with transaction.atomic():
        # The perk lock keeps redeem_perk() from handing out a code while it is being removed.
        for perk in Perk.objects.select_for_update().filter(pk__in=by_perk).order_by("pk"):
            ids = by_perk[perk.pk]
            unused = PerkCode.objects.filter(pk__in=ids).exclude(
                Exists(Redemption.objects.filter(code=OuterRef("pk")))
            )
            count = unused.delete()[1].get(PerkCode._meta.label, 0)
            removed, kept = removed + count, kept + len(ids) - count
            if count:
                log(
                    instance=perk,
                    action="rewards.perk.codes_removed",
                    user=by,
                    data={"removed": count},
                )
    return removed, kept


def record_how_to_earn_seen(*, by) -> None:
    """The member opened "How to earn points", a step of the new member's welcome; recorded
    once (hub.accounts cannot be imported from here: it imports the rewards)."""
    if by.saw_how_to_earn_at is None:
        now = timezone.now()
        get_user_model().objects.filter(pk=by.pk, saw_how_to_earn_at__isnull=True).update(
            saw_how_to_earn_at=now
        )
        by.saw_how_to_earn_at = now
