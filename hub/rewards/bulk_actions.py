"""Bulk actions on the Advocates listings: switch points rules on or off, withdraw or offer perks,
remove perk codes that were never handed out, and decide several referral flags at once. Each goes through
hub.rewards.services and needs the permission the one-at-a-time view needs."""

from django.utils.translation import gettext_lazy as _

from hub.adminkit import ReasonForm, ServiceBulkAction

from . import services
from .models import Perk, PerkCode, Referral, RewardRule


class RuleBulkAction(ServiceBulkAction):
    models = [RewardRule]
    permission = "rewards.change_rewardrule"
    enabled = True

    def apply(self, rule) -> bool:
        return services.set_rule_enabled(rule, enabled=self.enabled, by=self.request.user)


class EnableRules(RuleBulkAction):
    display_name = _("Switch on")
    action_type = "enable"
    aria_label = _("Switch the selected points rules on")
    confirm_text = _("Members earn points for these actions again from now on.")
    action_priority = 10


class DisableRules(RuleBulkAction):
    display_name = _("Switch off")
    action_type = "disable"
    aria_label = _("Switch the selected points rules off")
    confirm_text = _(
        "Members earn no points for these actions until they are switched on again; points "
        "already earned stay."
    )
    action_priority = 20
    enabled = False


class PerkBulkAction(ServiceBulkAction):
    models = [Perk]
    permission = "rewards.change_perk"
    active = True

    def apply(self, perk) -> bool:
        return services.set_perk_active(perk, active=self.active, by=self.request.user)


class OfferPerks(PerkBulkAction):
    display_name = _("Offer")
    action_type = "offer"
    aria_label = _("Offer the selected perks on the perks page")
    confirm_text = _("Members can see and redeem these perks again (within their dates and stock).")
    action_priority = 10


class WithdrawPerks(PerkBulkAction):
    display_name = _("Withdraw")
    action_type = "withdraw"
    aria_label = _("Withdraw the selected perks")
    confirm_text = _(
        "These perks leave the perks page and cannot be redeemed; members keep what they "
        "already redeemed."
    )
    button_class = "serious"
    action_priority = 20
    active = False


class RemoveUnusedCodes(ServiceBulkAction):
    display_name = _("Remove unused codes")
    action_type = "remove-unused"
    aria_label = _("Remove the selected codes that were not handed out")
    confirm_text = _(
        "The codes nobody has been handed yet are deleted; codes already handed out stay in "
        "their members' records."
    )
    button_class = "serious"
    action_priority = 30
    models = [PerkCode]
    permission = "rewards.delete_perkcode"

    def execute_action(self, objects, **kwargs):
        removed, self.skipped = services.remove_unused_perk_codes(objects, by=self.request.user)
        return removed, 0


class FlagBulkAction(ServiceBulkAction):
    models = [Referral]
    permission = "rewards.change_referral"
    form_class = ReasonForm
    decide = None

    @classmethod
    def base_queryset(cls, model):
        return model._default_manager.filter(state=Referral.FLAGGED).select_related(
            "referrer", "referred"
        )

    def apply(self, referral) -> bool:
        reason = self.cleaned_form.cleaned_data["reason"]
        self.decide(referral, by=self.request.user, reason=reason)
        return True


class ClearFlags(FlagBulkAction):
    display_name = _("Clear flags")
    action_type = "clear-flags"
    aria_label = _("Clear the selected referral flags")
    confirm_text = _(
        "These referrals count again: each qualifies as soon as its new member meets the "
        "conditions, and both members get their points."
    )
    action_priority = 40
    decide = staticmethod(services.clear_referral_flag)


class RejectReferrals(FlagBulkAction):
    display_name = _("Reject referrals")
    action_type = "reject-referrals"
    aria_label = _("Reject the selected flagged referrals")
    confirm_text = _("These referrals never earn points and leave the flags queue.")
    button_class = "serious"
    action_priority = 50
    decide = staticmethod(services.reject_referral)


# Registered by wagtail_hooks.py, in this order.
ACTIONS = [
    EnableRules,
    DisableRules,
    OfferPerks,
    WithdrawPerks,
    RemoveUnusedCodes,
    ClearFlags,
    RejectReferrals,
]
