"""The shop connection in the Wagtail admin: a shop's connection page (address, secrets,
rotation, latest deliveries and orders), the CSV import with its dry run, and the purchases
report (members vs other customers)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from hub.workspace.views import can_view_dashboard

from . import kpis, queries, report, services
from .forms import ImportOrdersForm, RotateSecretForm
from .models import Shop, ShopSecret

IMPORT_TTL = 3600  # an uploaded file waits this long for "Apply"


def webhook_url(request, shop: Shop) -> str:
    return request.build_absolute_uri(reverse("shop_order_webhook")) + f"?shop={shop.slug}"


class ShopPermissionMixin:
    permission = "shop.change_shop"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def show_secret(request, shop: Shop, secret: str, *, title: str):
    """The page that shows a new secret, once: it is in this response only."""
    return TemplateResponse(
        request,
        "shop/admin/secret.html",
        {
            "shop": shop,
            "secret": secret,
            "page_title": title,
            "webhook_url": webhook_url(request, shop),
            "connection_url": reverse("shop_connection", args=[shop.pk]),
        },
    )


class ShopConnectionView(ShopPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Everything about one shop's connection: where it sends, with which secrets, and what
    arrived lately."""

    permission = "shop.view_shop"
    template_name = "shop/admin/connection.html"
    header_icon = "link"

    def get_page_title(self):
        return _("Shop connection")

    def get_page_subtitle(self):
        return self.shop.name

    def dispatch(self, request, *args, **kwargs):
        self.shop = get_object_or_404(Shop, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            shop=self.shop,
            webhook_url=webhook_url(self.request, self.shop),
            rotate_form=RotateSecretForm(),
            can_change=self.request.user.has_perm("shop.change_shop"),
            **queries.shop_overview(self.shop),
        )
        return context


class RotateSecretView(ShopPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        shop = get_object_or_404(Shop, pk=pk)
        form = RotateSecretForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Keep the old secret for 0 to 720 hours."))
            return redirect("shop_connection", pk=shop.pk)
        secret = services.rotate_secret(
            shop, by=request.user, overlap_hours=form.cleaned_data["overlap_hours"]
        )
        return show_secret(request, shop, secret, title=_("New signing secret"))


class ExpireSecretView(ShopPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, secret_pk):
        secret = get_object_or_404(ShopSecret, pk=secret_pk, shop_id=pk)
        services.expire_secret(secret, by=request.user)
        messages.success(
            request, _("The secret ending in …%(hint)s no longer works.") % {"hint": secret.hint}
        )
        return redirect("shop_connection", pk=pk)


class ImportOrdersView(ShopPermissionMixin, WagtailAdminTemplateMixin, FormView):
    """Upload a CSV of orders: first a dry run listing what each order would change, then
    "Apply" imports the same file (kept server-side for an hour under a random token)."""

    permission = "shop.add_order"
    form_class = ImportOrdersForm
    template_name = "shop/admin/import_orders.html"
    page_title = gettext_lazy("Import orders (CSV)")
    header_icon = "upload"

    def get_initial(self):
        shop = self.request.GET.get("shop", "")
        return {"shop": shop} if shop.isdigit() else {}

    def post(self, request, *args, **kwargs):
        token = request.POST.get("apply", "")
        if token:
            return self.apply(token)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > services.CSV_MAX_BYTES:
            form.add_error(
                "file", _("That file is larger than 2 MB. Split it and import the parts.")
            )
            return self.form_invalid(form)
        data = upload.read()
        shop = form.cleaned_data["shop"]
        try:
            report = services.import_orders(shop, data, by=self.request.user, apply=False)
        except services.ShopError as refused:
            form.add_error("file", refused.message)
            return self.form_invalid(form)
        token = get_random_string(32)
        cache.set(
            f"shop:import:{token}",
            {"shop": shop.pk, "data": data, "user": self.request.user.pk},
            IMPORT_TTL,
        )
        return self.render_to_response(
            self.get_context_data(form=form, report=report, token=token, shop=shop, dry_run=True)
        )

    def apply(self, token: str):
        stored = cache.get(f"shop:import:{token}")
        if not stored or stored["user"] != self.request.user.pk:
            messages.error(self.request, _("That dry run has expired: upload the file again."))
            return redirect("shop_import_orders")
        shop = get_object_or_404(Shop, pk=stored["shop"])
        try:
            report = services.import_orders(shop, stored["data"], by=self.request.user, apply=True)
        except services.ShopError as refused:
            messages.error(self.request, refused.message)
            return redirect("shop_import_orders")
        cache.delete(f"shop:import:{token}")
        done = sum(1 for row in report if not row.errors)
        messages.success(
            self.request,
            _("%(done)d orders imported into %(shop)s; %(errors)d rows skipped.")
            % {"done": done, "shop": shop.name, "errors": len(report) - done},
        )
        return self.render_to_response(
            self.get_context_data(form=self.get_form_class()(), report=report, shop=shop)
        )


class PurchasesReportView(WagtailAdminTemplateMixin, TemplateView):
    """The purchase KPIs in full: members vs other customers side by side, revenue per month,
    retention by first-order month, referral revenue."""

    template_name = "shop/admin/report_purchases.html"
    page_title = gettext_lazy("Purchases: community members vs other customers")
    header_icon = "tag"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_dashboard(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(report.purchase_context(kpis.purchase_kpis()))
        return context
