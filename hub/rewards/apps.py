from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


class RewardsConfig(AppConfig):
    name = "hub.rewards"
    label = "rewards"
    verbose_name = _("Advocate programme")

    def ready(self):
        from hub.navigation import register_nav_item
        from hub.notifications.kinds import INAPP, register_kind
        from hub.webhooks.types import register_event_type

        from .actions import register_action
        from .queries import REFERRAL_BONUS_EVERY

        register_action("accounts.email.verified", _("Verified e-mail address"), default_points=10)
        register_action("accounts.profile.completed", _("Completed profile"), default_points=20)
        register_action("rewards.manual.adjusted", _("Adjusted by the team"), default_points=0)
        register_action("rewards.perk.redeemed", _("Redeemed a perk"), default_points=0)
        register_action(
            "rewards.referral.qualified", _("A friend you invited qualified"), default_points=50
        )
        register_action(
            "rewards.referral.welcome", _("Joined through a friend's invitation"), default_points=25
        )
        register_action(
            "rewards.referral.bonus",
            ngettext_lazy(
                "Bonus for every friend who qualified",
                "Bonus for every %(count)d friends who qualified",
                "count",
            )
            % {"count": REFERRAL_BONUS_EVERY},
            default_points=100,
        )
        register_kind(
            "rewards.referral.qualified", _("A friend you invited qualified"), default_channel=INAPP
        )
        register_kind("rewards.tier.reached", _("Reaching a new tier"), default_channel=INAPP)
        register_kind("rewards.badge.awarded", _("Earning a badge"), default_channel=INAPP)
        register_kind("rewards.perk.redeemed", _("Redeeming a perk"), default_channel=INAPP)
        register_kind(
            "rewards.points.adjusted", _("Points given or taken by the team"), default_channel=INAPP
        )
        register_event_type("member.tier_changed", _("A member moved to another tier"))
        register_event_type("points.awarded", _("Points were awarded (or adjusted by the team)"))
        register_event_type("perk.redeemed", _("A member redeemed a perk"))
        register_nav_item("leaderboard", _("Leaderboard"), "rewards:leaderboard", order=60)
        register_nav_item("perks", _("Perks"), "rewards:perks", order=70)

        from .moderation import register as register_moderation

        register_moderation()  # referral flags in the one moderation queue
