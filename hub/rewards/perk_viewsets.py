"""The editors' side of perks: the perks, their pools of unique codes, and the redemptions report.

Editors manage perks and codes (and import codes from CSV); redemptions are made only by
redeem_perk(), so the report is read-only. A perk or a code that has been redeemed stays in the
records: editors withdraw a perk by unticking "active".
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from hub.workspace.bulk import BulkActionsIndexMixin

from . import services
from .forms import ImportPerkCodesForm, PerkAdminForm
from .models import Perk, PerkCode, Redemption


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


# --- Perks -------------------------------------------------------------------------------------
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


class PerkViewSet(ModelViewSet):
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
        perk_id = self.request.GET.get("perk", "")
        perk = Perk.objects.filter(pk=perk_id).first() if perk_id.isdigit() else None
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
class RedemptionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "perk", "code")

    def get_add_url(self):
        return None  # redemptions are made by members on /perks/

    def get_edit_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None


class NoRedemptionChanges(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # a redemption is a record of what happened


class NoRedemptionCreate(generic.CreateView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class NoRedemptionDelete(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class RedemptionViewSet(ModelViewSet):
    model = Redemption
    icon = "doc-full"
    menu_label = gettext_lazy("Redemptions")
    index_view_class = RedemptionIndexView
    add_view_class = NoRedemptionCreate
    edit_view_class = NoRedemptionChanges
    delete_view_class = NoRedemptionDelete
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
        except services.RewardsError as error:
            form.add_error("file", str(error))
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
