"""The editors' side of the advocate programme: rules, tiers, badges, the ledger, adjustments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from hub.workspace.bulk import BulkActionsIndexMixin

from . import bulk_actions, services  # noqa: F401  (bulk_actions registers them)
from .forms import AdjustPointsForm
from .models import Badge, PointsEntry, RewardRule, Tier
from .perk_viewsets import (
    ImportPerkCodesView,
    PerkCodeViewSet,
    PerkViewSet,
    RedemptionViewSet,
)
from .viewsets import ReferralFlagViewSet, ReferralViewSet


class RewardRuleIndexView(BulkActionsIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        services.sync_rules()
        return super().get_base_queryset()


class RewardRuleViewSet(ModelViewSet):
    model = RewardRule
    index_view_class = RewardRuleIndexView
    icon = "pick"
    menu_label = _("Points rules")
    form_fields = ["points", "daily_cap", "enabled"]
    list_display = ["label", "action", "points", "daily_cap", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["action"]
    list_export = ["action", "label", "points", "daily_cap", "enabled"]
    export_filename = "points-rules"
    copy_view_enabled = False


class TierViewSet(ModelViewSet):
    model = Tier
    icon = "order"
    menu_label = _("Tiers")
    form_fields = ["name", "threshold", "description", "colour", "points_multiplier"]
    list_display = ["name", "threshold", "points_multiplier"]
    search_fields = ["name", "description"]
    search_backend_name = None  # a few rows: the ORM's substring search, on any database
    list_export = ["name", "threshold", "description", "colour", "points_multiplier"]
    export_filename = "tiers"


class BadgeViewSet(ModelViewSet):
    model = Badge
    icon = "success"
    menu_label = _("Badges")
    form_fields = ["name", "description", "symbol", "action", "count"]
    list_display = ["name", "description", "action", "count"]
    list_filter = ["action"]
    search_fields = ["name", "description", "action"]
    search_backend_name = None
    list_export = ["name", "description", "symbol", "action", "count"]
    export_filename = "badges"


class LedgerAddRedirect(generic.CreateView):
    """The ledger is append-only and written by services: "Add" is a manual award or deduction."""

    def dispatch(self, request, *args, **kwargs):
        return redirect("rewards_adjust_points")


class LedgerEntryNoEdit(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # entries are never edited; corrections are new entries


class LedgerEntryNoDelete(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class LedgerIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "created_by")


class PointsEntryViewSet(ModelViewSet):
    model = PointsEntry
    icon = "list-ul"
    menu_label = _("Points ledger")
    add_view_class = LedgerAddRedirect
    edit_view_class = LedgerEntryNoEdit
    delete_view_class = LedgerEntryNoDelete
    list_display = ["created", "user", "action_label", "kind", "points", "reason", "created_by"]
    list_filter = ["kind", "action", "created"]
    search_fields = ["user__username", "user__email", "action", "reason"]
    list_export = [
        "created",
        "user",
        "action",
        "kind",
        "points",
        "source_type",
        "source_id",
        "reason",
        "created_by",
    ]
    export_filename = "points-ledger"
    form_fields = ["reason"]  # the ledger is append-only: no add, edit or delete views are linked
    inspect_view_enabled = True
    copy_view_enabled = False

    index_view_class = LedgerIndexView


class AdvocatesGroup(ViewSetGroup):
    menu_label = _("Advocates")
    menu_icon = "group"
    menu_order = 700
    # "Award or deduct points" joins the group through this hook (it is a form, not a viewset).
    submenu_hook = "register_advocates_menu_item"
    items = (
        PointsEntryViewSet("points-ledger"),
        RewardRuleViewSet("points-rules"),
        TierViewSet("tiers"),
        BadgeViewSet("badges"),
        PerkViewSet("perks"),
        PerkCodeViewSet("perk-codes"),
        RedemptionViewSet("perk-redemptions"),
        ReferralViewSet("referrals"),
        ReferralFlagViewSet("referral-flags"),
    )


@hooks.register("register_admin_viewset")
def register_advocates():
    return AdvocatesGroup()


class AdjustPointsView(WagtailAdminTemplateMixin, FormView):
    """Award or deduct points by hand; the reason is required and logged in the history."""

    form_class = AdjustPointsForm
    template_name = "rewards/admin/adjust_points.html"
    page_title = _("Award or deduct points")
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("rewards.add_pointsentry"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        entry = services.adjust(
            form.member,
            form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
            by=self.request.user,
        )
        messages.success(
            self.request,
            ngettext(
                "%(points)+d point for %(member)s recorded.",
                "%(points)+d points for %(member)s recorded.",
                abs(entry.points),
            )
            % {"points": entry.points, "member": form.member},
        )
        return redirect("rewards_adjust_points")


@hooks.register("register_admin_urls")
def register_adjust_url():
    return [
        path("advocates/adjust-points/", AdjustPointsView.as_view(), name="rewards_adjust_points")
    ]


class AdjustMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("rewards.add_pointsentry")


@hooks.register("register_advocates_menu_item")
def register_adjust_menu_item():
    return AdjustMenuItem(
        _("Award or deduct points"), reverse("rewards_adjust_points"), icon_name="pick", order=2
    )


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


@hooks.register("register_admin_urls")
def register_import_perk_codes_url():
    return [
        path(
            "advocates/perks/<int:pk>/import-codes/",
            ImportPerkCodesView.as_view(),
            name="rewards_import_perk_codes",
        )
    ]


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
