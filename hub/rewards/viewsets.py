"""The editors' side of the advocate programme, one "Advocates" menu: the points ledger and
manual adjustments, rules, tiers and badges, perks with their codes and redemptions, referrals.

The ledger is append-only and written by services. Editors manage perks and codes (and import
codes from CSV); redemptions are made only by redeem_perk(), so their report is read-only, and a
perk or a code that has been redeemed stays in the records (editors withdraw a perk by unticking
"active"). Referrals change only through the services: the "edit" view of a flagged referral is
its review (clear or reject, with a reason logged in its history).
"""

import django_filters
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from hub.adminkit import (
    BulkActionsIndexMixin,
    NoAddView,
    NoDeleteView,
    NoEditView,
    ReadOnlyListingMixin,
)
from hub.content_languages import TranslatedNamesViewSetMixin, translations_panel
from hub.converters import parse_id
from hub.errors import Refusal

from . import services
from .forms import AdjustPointsForm, ImportPerkCodesForm, PerkAdminForm, ReferralReviewForm
from .models import Badge, Perk, PerkCode, PointsEntry, Redemption, Referral, RewardRule, Tier

SAME_IP_SHOWN = 20


# --- Points: rules, tiers, badges, the ledger ---------------------------------------------------
class RewardRuleIndexView(BulkActionsIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        services.sync_rules()
        return super().get_base_queryset()


class RewardRuleViewSet(ModelViewSet):
    model = RewardRule
    index_view_class = RewardRuleIndexView
    icon = "pick"
    menu_label = gettext_lazy("Points rules")
    form_fields = ["points", "daily_cap", "enabled"]
    list_display = ["label", "action", "points", "daily_cap", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["action"]
    list_export = ["action", "label", "points", "daily_cap", "enabled"]
    export_filename = "points-rules"
    copy_view_enabled = False


class TierViewSet(TranslatedNamesViewSetMixin, ModelViewSet):
    model = Tier
    icon = "order"
    menu_label = gettext_lazy("Tiers")
    form_fields = ["name", "threshold", "description", "colour", "points_multiplier"]
    list_display = ["name", "threshold", "points_multiplier"]
    search_fields = ["name", "description"]
    search_backend_name = None  # a few rows: the ORM's substring search, on any database
    list_export = ["name", "threshold", "description", "colour", "points_multiplier"]
    export_filename = "tiers"


class BadgeViewSet(TranslatedNamesViewSetMixin, ModelViewSet):
    model = Badge
    icon = "success"
    menu_label = gettext_lazy("Badges")
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


class LedgerIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "created_by")


class PointsEntryViewSet(ModelViewSet):
    model = PointsEntry
    icon = "list-ul"
    menu_label = gettext_lazy("Points ledger")
    add_view_class = LedgerAddRedirect
    edit_view_class = NoEditView  # entries are never edited; corrections are new entries
    delete_view_class = NoDeleteView
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


class AdjustPointsView(WagtailAdminTemplateMixin, FormView):
    """Award or deduct points by hand; the reason is required and logged in the history."""

    form_class = AdjustPointsForm
    template_name = "rewards/admin/adjust_points.html"
    page_title = gettext_lazy("Award or deduct points")
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


class AdjustMenuItem(AdminMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("rewards.add_pointsentry")


# --- Perks -------------------------------------------------------------------------------------
def import_codes_url(user, perk: Perk) -> str | None:
    if perk.code_type == Perk.UNIQUE and user.has_perm("rewards.add_perkcode"):
        return reverse("rewards_import_perk_codes", args=[perk.pk])
    return None


def _unused_codes():
    return (
        PerkCode.objects.filter(perk=OuterRef("pk"), redemption__isnull=True)
        .order_by()
        .values("perk")
        .annotate(n=Count("pk"))
        .values("n")
    )


class PerkIndexView(BulkActionsIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("min_tier")
            .annotate(codes_left=Coalesce(Subquery(_unused_codes()), 0))
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if url := import_codes_url(self.request.user, instance):
            buttons.append(MenuItem(_("Import codes"), url=url, icon_name="upload", priority=15))
        return buttons


class PerkEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if url := import_codes_url(self.request.user, self.object):
            buttons.append(Button(_("Import codes"), url=url, icon_name="upload", priority=5))
        return buttons


class KeepWhenRedeemedDeleteView(generic.DeleteView):
    """Deleting something a member has redeemed would erase their record: say so instead."""

    refusal = ""

    def is_redeemed(self) -> bool:
        raise NotImplementedError

    def refuse(self):
        messages.error(self.request, self.refusal)
        return redirect(self.index_url_name)

    def get(self, request, *args, **kwargs):
        return self.refuse() if self.is_redeemed() else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse() if self.is_redeemed() else super().post(request, *args, **kwargs)


class PerkDeleteView(KeepWhenRedeemedDeleteView):
    refusal = gettext_lazy(
        "Members have redeemed this perk, so it stays in their records. Untick “active” to "
        "withdraw it."
    )

    def is_redeemed(self) -> bool:
        return self.object.redemptions.exists()


class PerkViewSet(TranslatedNamesViewSetMixin, ModelViewSet):
    model = Perk
    icon = "tag"
    menu_label = gettext_lazy("Perks")
    index_view_class = PerkIndexView
    edit_view_class = PerkEditView
    delete_view_class = PerkDeleteView
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("title"),
                    FieldPanel("slug"),
                    FieldPanel("description"),
                    FieldPanel("is_active"),
                ],
                heading=gettext_lazy("The perk"),
            ),
            translations_panel("title", "description"),
            MultiFieldPanel(
                [
                    FieldPanel("cost"),
                    FieldPanel("min_tier"),
                    FieldPanel("per_member_limit"),
                    FieldPanel("stock"),
                    FieldPanel("available_from"),
                    FieldPanel("available_until"),
                ],
                heading=gettext_lazy("Who can redeem it, and when"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("code_type"),
                    FieldPanel(
                        "shared_code",
                        help_text=gettext_lazy(
                            "For “one code for everyone”. For unique codes, save the perk and "
                            "import them from a CSV file (“Import codes” in the menu above)."
                        ),
                    ),
                    FieldPanel("instructions"),
                ],
                heading=gettext_lazy("What members get"),
            ),
        ],
        base_form_class=PerkAdminForm,
    )
    list_display = [
        "title",
        "cost",
        "min_tier",
        "stock",
        "redeemed_count",
        Column(
            "codes_left",
            label=gettext_lazy("Codes left"),
            accessor=lambda perk: perk.codes_left if perk.code_type == Perk.UNIQUE else "—",
        ),
        "is_active",
    ]
    list_filter = ["is_active", "code_type", "min_tier"]
    search_fields = ["title", "description"]
    search_backend_name = (
        None  # the ORM's substring search (the index cannot do "fields" on SQLite)
    )
    list_export = [
        "title", "slug", "cost", "min_tier", "per_member_limit", "stock", "redeemed_count",
        "code_type", "available_from", "available_until", "is_active",
    ]  # fmt: skip
    export_filename = "perks"
    copy_view_enabled = False


# --- Codes -------------------------------------------------------------------------------------
class PerkCodeFilterSet(WagtailFilterSet):
    unused = django_filters.BooleanFilter(
        field_name="redemption",
        lookup_expr="isnull",
        label=gettext_lazy("Not handed out yet"),
    )

    class Meta:
        model = PerkCode
        fields = ["perk"]


class PerkCodeIndexView(BulkActionsIndexMixin, generic.IndexView):
    default_ordering = "code"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("perk", "redemption__user")

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        perk_id = parse_id(self.request.GET.get("perk"))
        perk = Perk.objects.filter(pk=perk_id).first() if perk_id else None
        if perk and (url := import_codes_url(self.request.user, perk)):
            buttons.append(Button(_("Import codes"), url=url, icon_name="upload", priority=5))
        return buttons


class PerkCodeEditView(generic.EditView):
    """A code already handed out is the member's: it is not changed under them."""

    def dispatch(self, request, *args, **kwargs):
        code = get_object_or_404(PerkCode, pk=kwargs.get("pk"))
        if Redemption.objects.filter(code=code).exists():
            messages.error(request, _("This code has been handed out, so it cannot be changed."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


class PerkCodeDeleteView(KeepWhenRedeemedDeleteView):
    refusal = gettext_lazy("This code has been handed out, so it stays in the member's records.")

    def is_redeemed(self) -> bool:
        return Redemption.objects.filter(code=self.object).exists()


def _handed_to(code: PerkCode) -> str:
    redemption = getattr(code, "redemption", None)
    return str(redemption.user) if redemption else "—"


class PerkCodeViewSet(ModelViewSet):
    model = PerkCode
    icon = "key"
    menu_label = gettext_lazy("Perk codes")
    index_view_class = PerkCodeIndexView
    edit_view_class = PerkCodeEditView
    delete_view_class = PerkCodeDeleteView
    form_fields = ["perk", "code"]
    list_display = [
        "code",
        "perk",
        Column("handed_to", label=gettext_lazy("Handed to"), accessor=_handed_to),
        "created",
    ]
    filterset_class = PerkCodeFilterSet
    search_fields = ["code", "perk__title"]
    list_export = ["code", "perk", "created"]
    export_filename = "perk-codes"
    copy_view_enabled = False


# --- Redemptions report ------------------------------------------------------------------------
class RedemptionIndexView(ReadOnlyListingMixin, generic.IndexView):
    rows_link_to_edit = False  # a redemption is a record of what happened

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "perk", "code")


class RedemptionViewSet(ModelViewSet):
    model = Redemption
    icon = "doc-full"
    menu_label = gettext_lazy("Redemptions")
    index_view_class = RedemptionIndexView
    add_view_class = NoAddView  # redemptions are made by members on /perks/
    edit_view_class = NoEditView
    delete_view_class = NoDeleteView
    form_fields = []  # nothing is edited: see the views above
    list_display = ["created", "user", "perk", "points", "code", "expires_at", "used_at"]
    list_filter = ["perk", "created", "used_at"]
    search_fields = ["user__username", "user__email", "perk__title", "code__code"]
    list_export = [
        "created",
        "user",
        "user.email",
        "perk",
        "points",
        "code",
        "granted_reason",
        "expires_at",
        "used_at",
        "used_reference",
    ]
    export_headings = {"user.email": gettext_lazy("E-mail")}
    export_filename = "perk-redemptions"
    inspect_view_enabled = True
    copy_view_enabled = False


# --- Importing codes ---------------------------------------------------------------------------
class ImportPerkCodesView(WagtailAdminTemplateMixin, FormView):
    """Add unique codes to a perk's pool from a CSV or text file."""

    form_class = ImportPerkCodesForm
    template_name = "rewards/admin/import_perk_codes.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("rewards.add_perkcode"):
            raise PermissionDenied
        self.perk = get_object_or_404(Perk, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import codes")

    def get_page_subtitle(self):
        return self.perk.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["perk"] = self.perk
        context["unused"] = PerkCode.objects.filter(perk=self.perk, redemption__isnull=True).count()
        context["edit_url"] = reverse("perks:edit", args=[self.perk.pk])
        context["codes_url"] = reverse("perk-codes:index") + f"?perk={self.perk.pk}"
        return context

    def form_valid(self, form):
        try:
            added, skipped = services.import_perk_codes(
                self.perk, form.cleaned_data["file"], by=self.request.user
            )
        except Refusal as refused:
            form.add_error("file", refused.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            ngettext(
                "%(added)d code added to “%(perk)s”", "%(added)d codes added to “%(perk)s”", added
            )
            % {"added": added, "perk": self.perk.title}
            + "; "
            + ngettext("%(skipped)d duplicate skipped.", "%(skipped)d duplicates skipped.", skipped)
            % {"skipped": skipped},
        )
        return redirect(reverse("perk-codes:index") + f"?perk={self.perk.pk}")


# --- Referrals ---------------------------------------------------------------------------------
class ReferralIndexView(ReadOnlyListingMixin, BulkActionsIndexMixin, generic.IndexView):
    history_url_name = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("referrer", "referred")

    def get_edit_url(self, instance):
        # "Edit" is the review of a flag: only a flagged referral has one.
        if instance.state == Referral.FLAGGED:
            return super().get_edit_url(instance)
        return None

    def get_list_more_buttons(self, instance):
        buttons = []
        if review_url := self.get_edit_url(instance):
            buttons.append(
                MenuItem(_("Review flag"), url=review_url, icon_name="warning", priority=10)
            )
        if inspect_url := self.get_inspect_url(instance):
            buttons.append(
                MenuItem(_("Inspect"), url=inspect_url, icon_name="info-circle", priority=20)
            )
        if self.history_url_name:
            history_url = reverse(self.history_url_name, args=(quote(instance.pk),))
            buttons.append(
                MenuItem(_("History"), url=history_url, icon_name="history", priority=30)
            )
        return buttons


class ReferralFlagIndexView(ReferralIndexView):
    """The flags queue: what looks like self-referral, oldest first, waiting for an editor."""

    page_title = gettext_lazy("Referral flags")
    default_ordering = "created"

    def get_base_queryset(self):
        return super().get_base_queryset().filter(state=Referral.FLAGGED)


class ReferralInspectView(generic.InspectView):
    history_url_name = None

    def get_edit_url(self):
        if self.object.state == Referral.FLAGGED:
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        return None

    @property
    def header_more_buttons(self):
        buttons = []
        if review_url := self.get_edit_url():
            buttons.append(
                Button(_("Review flag"), url=review_url, icon_name="warning", priority=10)
            )
        if self.history_url_name:
            history_url = reverse(self.history_url_name, args=(quote(self.object.pk),))
            buttons.append(Button(_("History"), url=history_url, icon_name="history", priority=20))
        return buttons


class ReferralReviewView(WagtailAdminTemplateMixin, FormView):
    """Clear or reject a flagged referral; the decision and the reason go into its history."""

    model = Referral
    form_class = ReferralReviewForm
    template_name = "rewards/admin/review_referral.html"
    page_title = gettext_lazy("Review referral")
    header_icon = "warning"
    index_url_name = None
    inspect_url_name = None
    history_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("rewards.change_referral"):
            raise PermissionDenied
        self.referral = get_object_or_404(
            Referral.objects.select_related("referrer", "referred"), pk=kwargs["pk"]
        )
        if self.referral.state != Referral.FLAGGED:
            messages.info(request, _("This referral is not waiting for review."))
            return redirect(self.inspect_url_name, quote(self.referral.pk))
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.referral)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Referrals")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        same_ip = Referral.objects.none()
        if self.referral.signup_ip:
            same_ip = (
                Referral.objects.filter(signup_ip=self.referral.signup_ip)
                .exclude(pk=self.referral.pk)
                .select_related("referrer", "referred")
                .order_by("-created")[:SAME_IP_SHOWN]
            )
        context.update(
            referral=self.referral,
            same_ip=same_ip,
            history_url=reverse(self.history_url_name, args=(quote(self.referral.pk),)),
        )
        return context

    def form_valid(self, form):
        decide = (
            services.clear_referral_flag
            if form.cleaned_data["decision"] == ReferralReviewForm.CLEAR
            else services.reject_referral
        )
        try:
            referral = decide(
                self.referral, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except Refusal as refused:
            messages.error(self.request, refused.message)
            return redirect(self.index_url_name)
        if referral.state == Referral.REJECTED:
            messages.success(
                self.request, _("Referral rejected: %(referral)s") % {"referral": referral}
            )
        elif referral.state == Referral.QUALIFIED:
            messages.success(
                self.request,
                _("Flag cleared; the referral qualified and both members got their points."),
            )
        else:
            messages.success(
                self.request,
                _("Flag cleared; the referral qualifies once the new member meets the conditions."),
            )
        return redirect(self.index_url_name)


class ReferralViewSet(ModelViewSet):
    model = Referral
    icon = "user"
    menu_label = gettext_lazy("Referrals")
    index_view_class = ReferralIndexView
    inspect_view_class = ReferralInspectView
    add_view_class = NoAddView  # referrals come from sign-ups through share links
    edit_view_class = ReferralReviewView
    delete_view_class = NoDeleteView  # the record stays: it explains points given or refused
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["flag_reason"]  # required by ModelViewSet; the "edit" view is the review form
    list_display = [
        "referred",
        "referrer",
        "state",
        "flag_reason",
        "signup_ip",
        "created",
        Column("qualified_at", label=gettext_lazy("Qualified"), sort_key="qualified_at"),
    ]
    list_filter = ["state", "created"]
    search_fields = [
        "referrer__username",
        "referrer__email",
        "referred__username",
        "referred__email",
        "signup_ip",
        "flag_reason",
    ]
    inspect_view_fields = [
        "referrer",
        "referred",
        "state",
        "flag_reason",
        "signup_ip",
        "created",
        "qualified_at",
    ]
    list_export = [
        "created",
        "referrer.username",
        "referred.username",
        "referred.email",
        "state",
        "flag_reason",
        "signup_ip",
        "qualified_at",
    ]
    export_headings = {
        "referrer.username": gettext_lazy("Invited by"),
        "referred.username": gettext_lazy("New member"),
        "referred.email": gettext_lazy("New member's e-mail"),
    }
    export_filename = "referrals"

    def get_edit_view_kwargs(self, **kwargs):
        return {"form_class": ReferralReviewForm, **kwargs}


class ReferralFlagViewSet(ReferralViewSet):
    icon = "warning"
    index_view_class = ReferralFlagIndexView
    menu_label = gettext_lazy("Referral flags")
    list_filter = ["created"]
    export_filename = "referral-flags"

    def register_admin_url_finder(self):
        pass  # ReferralViewSet is the referral's home in the admin

    def register_permissions(self):
        pass  # the same permissions as ReferralViewSet, registered there


class AdvocatesGroup(ViewSetGroup):
    menu_label = gettext_lazy("Advocates")
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


def admin_urls():
    return [
        path("advocates/adjust-points/", AdjustPointsView.as_view(), name="rewards_adjust_points"),
        path(
            "advocates/perks/<id:pk>/import-codes/",
            ImportPerkCodesView.as_view(),
            name="rewards_import_perk_codes",
        ),
    ]
