"""Plug the advocate programme's admin (viewsets.py) into Wagtail: the "Advocates" menu, its
extra pages, the bulk actions on its listings, and the history entries it writes."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from . import services
from .bulk_actions import ACTIONS
from .viewsets import AdjustMenuItem, AdvocatesGroup, admin_urls


@hooks.register("register_admin_viewset")
def register_advocates():
    return AdvocatesGroup()


@hooks.register("register_admin_urls")
def register_advocates_urls():
    return admin_urls()


@hooks.register("register_advocates_menu_item")
def register_adjust_menu_item():
    return AdjustMenuItem(
        _("Award or deduct points"), reverse("rewards_adjust_points"), icon_name="pick", order=2
    )


for action in ACTIONS:
    hooks.register("register_bulk_action", action)


@hooks.register("register_log_actions")
def register_referral_log_actions(actions):
    @actions.register_action("rewards.referral.cleared")
    class ReferralCleared(LogFormatter):
        label = _("Clear referral flag")

        def format_message(self, log_entry):
            return _("Flag cleared: %(reason)s") % {"reason": log_entry.data.get("reason", "")}

    @actions.register_action("rewards.referral.rejected")
    class ReferralRejected(LogFormatter):
        label = _("Reject referral")

        def format_message(self, log_entry):
            return _("Rejected: %(reason)s") % {"reason": log_entry.data.get("reason", "")}


@hooks.register("register_log_actions")
def register_points_log_actions(actions):
    @actions.register_action(services.POINTS_REVERSED)
    class PointsReversed(LogFormatter):
        label = _("Take points back")

        def format_message(self, log_entry):
            return _("%(points)d points taken back: %(reason)s") % {
                "points": abs(log_entry.data.get("points", 0)),
                "reason": log_entry.data.get("reason", ""),
            }


@hooks.register("register_log_actions")
def register_perk_log_actions(actions):
    @actions.register_action("rewards.perk.codes_imported")
    class PerkCodesImported(LogFormatter):
        label = _("Import perk codes")

        def format_message(self, log_entry):
            added, skipped = log_entry.data.get("added", 0), log_entry.data.get("skipped", 0)
            return (
                ngettext("%(added)d code imported", "%(added)d codes imported", added)
                % {"added": added}
                + ", "
                + ngettext(
                    "%(skipped)d duplicate skipped", "%(skipped)d duplicates skipped", skipped
                )
                % {"skipped": skipped}
            )

    @actions.register_action("rewards.perk.codes_removed")
    class PerkCodesRemoved(LogFormatter):
        label = _("Remove unused perk codes")

        def format_message(self, log_entry):
            removed = log_entry.data.get("removed", 0)
            return ngettext(
                "%(removed)d unused code removed", "%(removed)d unused codes removed", removed
            ) % {"removed": removed}
