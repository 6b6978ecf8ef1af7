"""The points ledger and what is derived from it: balances, rules, tiers and badges."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.search import index

from hub.content_languages import translations_panel

from .actions import all_actions, all_referral_conditions, get_action

TIERS_CACHE_KEY = "rewards:tiers"
# The generation of the rules and badges each process keeps a snapshot of (see rules.py).
GENERATION_KEY = "rewards:config:generation"


def config_changed() -> None:
    """A rule or a badge changed: every process reloads its snapshot on its next award()."""
    cache.delete(GENERATION_KEY)
    # Again after commit: a process that reloaded in between read the old rows.
    transaction.on_commit(lambda: cache.delete(GENERATION_KEY))


class RewardRule(models.Model):
    """How many points an action earns; rows exist for every registered action."""

    action = models.CharField(_("action"), max_length=100, unique=True)
    points = models.IntegerField(_("points"))
    daily_cap = models.PositiveIntegerField(
        _("daily cap"),
        null=True,
        blank=True,
        help_text=_("How many times a day one member can earn points for this (empty: no limit)."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    panels = [FieldPanel("points"), FieldPanel("daily_cap"), FieldPanel("enabled")]

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["action"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        config_changed()  # award() reads the rules from a snapshot in each process

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        config_changed()
        return result

    @property
    def label(self) -> str:
        try:
            return str(get_action(self.action).label)
        except LookupError:
            return self.action


class PointsEntry(models.Model):
    """One line of the append-only ledger. Corrections are new lines, never edits."""

    AWARD, REVERSAL, ADJUSTMENT, REDEMPTION = "award", "reversal", "adjustment", "redemption"
    KIND_CHOICES = [
        (AWARD, _("Award")),
        (REVERSAL, _("Reversal")),
        (ADJUSTMENT, _("Adjustment")),
        (REDEMPTION, _("Redemption")),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="points_entries",
    )
    action = models.CharField(_("action"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES, default=AWARD)
    points = models.IntegerField(_("points"))
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    # Once the admin's ledger viewset registers this model, Wagtail would add reference-index
    # rows (three more statements) for every award: the ledger is not "usage" of its sources.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-id"]
        constraints = [
            # award() and reverse() are idempotent: once per member, action and source, whatever
            # the number of calls or threads.
            models.UniqueConstraint(
                fields=["user", "action", "source_type", "source_id", "kind"],
                condition=Q(kind__in=["award", "reversal"]),
                name="points_once_per_source",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="points_entry_user_latest"),
            models.Index(fields=["user", "action", "created"], name="points_entry_user_action"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.points:+d} ({self.action})"

    @property
    def action_label(self) -> str:
        try:
            return str(get_action(self.action).label)
        except LookupError:
            return self.action


class Balance(models.Model):
    """The member's totals, kept in step with the ledger in the same transaction."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="points_balance",
    )
    lifetime = models.IntegerField(_("lifetime points"), default=0)
    spendable = models.IntegerField(_("spendable points"), default=0)
    # Points reversed after they were spent: paid back from the next points earned, so the
    # spendable balance itself never goes below zero.
    owed = models.IntegerField(_("owed points"), default=0)

    class Meta:
        verbose_name = _("points balance")
        constraints = [
            models.CheckConstraint(condition=Q(spendable__gte=0), name="spendable_never_negative"),
            models.CheckConstraint(condition=Q(owed__gte=0), name="owed_never_negative"),
        ]
        indexes = [models.Index(fields=["-lifetime"], name="balance_lifetime")]

    def __str__(self) -> str:
        return f"{self.user}: {self.lifetime} lifetime, {self.spendable} spendable"


class Tier(index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    threshold = models.PositiveIntegerField(
        _("lifetime points needed"),
        unique=True,
        help_text=_("Members reach this tier at this many lifetime points."),
    )
    description = models.TextField(_("what it means"), blank=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#4338ca", help_text=_("A hex colour, e.g. #4338ca.")
    )
    points_multiplier = models.DecimalField(
        _("points multiplier for purchases"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("10.00"))],
        help_text=_(
            "Points earned per currency unit spent in the shop are multiplied by this for "
            "members of this tier (1.00: no change, 1.50: half as much again)."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("threshold"),
        FieldPanel("description"),
        FieldPanel("colour"),
        FieldPanel("points_multiplier"),
        translations_panel("name", "description"),
    ]
    search_fields = [index.SearchField("name")]

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["threshold"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(TIERS_CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(TIERS_CACHE_KEY)
        return result


class Badge(index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200)
    symbol = models.CharField(
        _("symbol"), max_length=8, default="★", help_text=_("An emoji or a character.")
    )
    action = models.CharField(
        _("earned by action"),
        max_length=100,
        blank=True,
        help_text=_(
            "Awarded automatically after this action has earned points often enough (optional)."
        ),
    )
    count = models.PositiveIntegerField(_("how many times"), null=True, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("symbol"),
        FieldPanel("action"),
        FieldPanel("count"),
        translations_panel("name", "description"),
    ]
    search_fields = [index.SearchField("name")]

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        config_changed()  # award() only looks for badges of the actions some badge counts

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        config_changed()
        return result


class BadgeAward(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="badge_awards",
    )
    badge = models.ForeignKey(
        Badge, verbose_name=_("badge"), on_delete=models.CASCADE, related_name="awards"
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("awarded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created = models.DateTimeField(_("awarded"), auto_now_add=True)

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        constraints = [
            models.UniqueConstraint(fields=["user", "badge"], name="badge_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.badge} → {self.user}"


class LeaderboardScore(models.Model):
    """A member's points per period ("all", "m2026-11", "w2026-W47"), kept by award() so a
    leaderboard is an index scan, never a scan of the ledger.

    ``ranked`` copies whether the member may be listed (active, not staff, not opted out), so
    counting the members ahead of someone reads this table's index alone, with no join to the
    members. hub.accounts keeps it in step (services.sync_leaderboard_standing) whenever one of
    those changes, and check_ledger verifies it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=12)
    points = models.IntegerField(default=0)
    ranked = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "user"], name="one_score_per_period")
        ]
        indexes = [
            # The top 50 and "your rank" are both ranges of this index (the rank an index-only
            # count); ties go to the member who joined first.
            models.Index(fields=["period", "ranked", "-points", "user"], name="leaderboard_ranked")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.period}: {self.points}"


class Perk(index.Indexed, models.Model):
    """Something members unlock or redeem: a discount code, early access, an exclusive."""

    SHARED, UNIQUE = "shared", "unique"
    CODE_CHOICES = [
        (SHARED, _("One code for everyone")),
        (UNIQUE, _("A unique code per member (imported)")),
    ]

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveIntegerField(_("cost in points"), default=0)
    min_tier = models.ForeignKey(
        Tier,
        verbose_name=_("minimum tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stock = models.PositiveIntegerField(
        _("stock"),
        null=True,
        blank=True,
        help_text=_("How many can be redeemed in all (empty: unlimited)."),
    )
    redeemed_count = models.PositiveIntegerField(_("redeemed"), default=0, editable=False)
    per_member_limit = models.PositiveIntegerField(_("limit per member"), default=1)
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    code_type = models.CharField(_("codes"), max_length=10, choices=CODE_CHOICES, default=SHARED)
    shared_code = models.CharField(_("shared code"), max_length=120, blank=True)
    instructions = models.TextField(
        _("how to use it"), blank=True, help_text=_("Shown with the code after redeeming.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    search_fields = [index.SearchField("title"), index.SearchField("description")]

    class Meta:
        verbose_name = _("perk")
        verbose_name_plural = _("perks")
        ordering = ["cost", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(redeemed_count__lte=models.F("stock")),
                name="perk_never_oversold",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PerkCode(models.Model):
    """One unique code from an imported pool; handed to exactly one member."""

    perk = models.ForeignKey(
        Perk, verbose_name=_("perk"), on_delete=models.CASCADE, related_name="codes"
    )
    code = models.CharField(_("code"), max_length=120)
    created = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("perk code")
        verbose_name_plural = _("perk codes")
        constraints = [models.UniqueConstraint(fields=["perk", "code"], name="perk_code_unique")]

    def __str__(self) -> str:
        return self.code


class Redemption(models.Model):
    perk = models.ForeignKey(
        Perk, verbose_name=_("perk"), on_delete=models.PROTECT, related_name="redemptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="redemptions",
    )
    code = models.OneToOneField(
        PerkCode,
        verbose_name=_("code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemption",
    )
    points = models.PositiveIntegerField(_("points spent"), default=0)
    entry = models.OneToOneField(
        PointsEntry,
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemption",
    )
    created = models.DateTimeField(_("redeemed"), auto_now_add=True, db_index=True)
    # A code handed out by the programme (a welcome or come-back perk) may expire; a code seen
    # in a shop order's discount codes is marked used.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_reference = models.CharField(_("used on"), max_length=120, blank=True)
    granted_reason = models.CharField(_("given for"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "perk"], name="redemption_member_perk")]

    def __str__(self) -> str:
        return f"{self.perk} → {self.user}"


class Referral(models.Model):
    """A member who signed up through another member's share link, and how far they have got."""

    PENDING, QUALIFIED, FLAGGED, REJECTED = "pending", "qualified", "flagged", "rejected"
    STATE_CHOICES = [
        (PENDING, _("Signed up")),
        (QUALIFIED, _("Qualified")),
        (FLAGGED, _("Flagged for review")),
        # An editor confirmed the flag: it never earns points and leaves the flags queue.
        (REJECTED, _("Rejected")),
    ]

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.CASCADE,
        related_name="referrals_made",
    )
    referred = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new member"),
        on_delete=models.CASCADE,
        related_name="referred_by",
    )
    state = models.CharField(_("state"), max_length=10, choices=STATE_CHOICES, default=PENDING)
    flag_reason = models.CharField(_("why it was flagged"), max_length=255, blank=True)
    signup_ip = models.GenericIPAddressField(_("sign-up IP address"), null=True, blank=True)
    created = models.DateTimeField(_("signed up"), auto_now_add=True)
    qualified_at = models.DateTimeField(_("qualified"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["referrer", "state"], name="referral_referrer_state"),
            models.Index(fields=["signup_ip", "created"], name="referral_ip_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.referrer} → {self.referred} ({self.state})"


def qualifying_action_choices() -> list[tuple[str, str]]:
    """Actions a new member can do to qualify a referral (the referral rewards themselves excluded)."""
    return [("", _("Nothing else"))] + [
        (action.code, f"{action.label} ({action.code})")
        for action in all_actions()
        if not action.code.startswith("rewards.")
    ]


def qualifying_condition_choices() -> list[tuple[str, str]]:
    """Conditions other parts of the hub offer for qualifying a referral (a first paid order…)."""
    return [("", _("Nothing else"))] + [
        (condition.code, str(condition.label)) for condition in all_referral_conditions()
    ]


def referral_conditions_registered() -> set[str]:
    return {condition.code for condition in all_referral_conditions()}


@register_setting(icon="group")
class ReferralSettings(BaseSiteSetting):
    """What a member who joined through a share link must do before both members earn points."""

    require_verified_email = models.BooleanField(
        _("require a verified e-mail address"),
        default=True,
        help_text=_("The new member must confirm their e-mail address first."),
    )
    require_action = models.CharField(
        _("also require this action"),
        max_length=100,
        blank=True,
        help_text=_(
            "For example their first forum post. It counts once it has earned them points, "
            "so keep its points rule enabled."
        ),
    )

    require_condition = models.CharField(
        _("also require"),
        max_length=100,
        blank=True,
        help_text=_(
            "A condition checked on what the new member did, for example their first paid "
            "order in the shop."
        ),
    )
    welcome_perk = models.ForeignKey(
        Perk,
        verbose_name=_("welcome perk for the new member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Handed to the new member, free, when the referral qualifies (for example a "
            "discount code for their next order). Empty: points only."
        ),
    )

    panels = [
        FieldPanel("require_verified_email"),
        FieldPanel("require_action", widget=forms.Select(choices=qualifying_action_choices)),
        FieldPanel("require_condition", widget=forms.Select(choices=qualifying_condition_choices)),
        FieldPanel("welcome_perk"),
    ]

    class Meta:
        verbose_name = _("referral programme")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def clean(self):
        super().clean()
        if (
            self.require_condition
            and self.require_condition not in referral_conditions_registered()
        ):
            raise ValidationError({"require_condition": _("Choose one of the conditions offered.")})
        if self.require_action:
            try:
                get_action(self.require_action)
            except LookupError:
                raise ValidationError(
                    {"require_action": _("Choose one of the actions that earn points.")}
                ) from None

    @property
    def action_label(self) -> str:
        if not self.require_action:
            return ""
        try:
            return str(get_action(self.require_action).label)
        except LookupError:
            return self.require_action
