"""The shop connection's admin listings: Shops (create shows the first secret once; each shop
has a connection page) and Orders (read-only, searchable, filterable, exportable)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ViewSetGroup
from wagtail.admin.widgets import HeaderButton, ListingButton

from . import services
from .admin_views import show_secret
from .models import Order, OrderEvent, Shop


class ShopIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListingButton(
                _("Connection and secrets"),
                url=reverse("shop_connection", args=[instance.pk]),
                icon_name="link",
                priority=5,
            )
        )
        return buttons

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("shop.add_order"):
            buttons.append(
                HeaderButton(
                    _("Import orders (CSV)"), url=reverse("shop_import_orders"), icon_name="upload"
                )
            )
        return buttons


class ShopCreateView(generic.CreateView):
    """Creating a shop also makes its first signing secret, shown on the next page only."""

    def form_valid(self, form):
        self.form = form
        with transaction.atomic():
            self.object = self.save_instance()
            secret = services.connect_shop(self.object, by=self.request.user)
        return show_secret(self.request, self.object, secret, title=_("Shop connected"))


class ShopDeleteView(generic.DeleteView):
    """A shop whose orders are kept cannot be deleted (they are the KPIs' history): pause it."""

    def dispatch(self, request, *args, **kwargs):
        shop = Shop.objects.filter(pk=kwargs.get("pk")).first()
        if shop is not None and Order.objects.filter(shop=shop).exists():
            messages.error(
                request,
                _("“%(shop)s” has orders, which the KPIs count: pause it instead of deleting it.")
                % {"shop": shop.name},
            )
            return redirect("shops:index")
        return super().dispatch(request, *args, **kwargs)


class ShopViewSet(ModelViewSet):
    model = Shop
    icon = "link"
    menu_label = _("Shops")
    index_view_class = ShopIndexView
    add_view_class = ShopCreateView
    delete_view_class = ShopDeleteView
    form_fields = ["name", "slug", "currency", "is_active"]
    list_display = ["name", "slug", "currency", "is_active", "created"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    search_backend_name = None
    list_export = ["name", "slug", "currency", "is_active", "created"]
    export_filename = "shops"
    copy_view_enabled = False


class OrderIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("shop", "member")

    def get_add_url(self):
        return None  # orders come from the shop (webhooks, CSV import)

    def get_edit_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None


class OrderNoChange(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # an order is what the shop said: the shop changes it


class OrderNoAdd(generic.CreateView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class OrderNoDelete(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class OrderViewSet(ModelViewSet):
    model = Order
    icon = "tag"
    menu_label = _("Orders")
    index_view_class = OrderIndexView
    add_view_class = OrderNoAdd
    edit_view_class = OrderNoChange
    delete_view_class = OrderNoDelete
    form_fields = []
    list_display = [
        "external_id",
        "shop",
        "placed_at",
        "email",
        "member",
        Column("total", label=_("total"), accessor="total"),
        "refunded",
        "status",
        "points_awarded",
        "points_reversed",
    ]
    list_filter = ["shop", "status", "placed_at", "currency"]
    search_fields = ["external_id", "email", "member__username"]
    search_backend_name = None  # the ORM's search: exact order numbers and addresses
    list_export = [
        "shop",
        "external_id",
        "placed_at",
        "paid_at",
        "cancelled_at",
        "email",
        "member",
        "currency",
        "total",
        "refunded",
        "status",
        "discount_codes",
        "points_awarded",
        "points_reversed",
    ]
    export_filename = "orders"
    inspect_view_enabled = True
    inspect_view_fields = [
        "shop",
        "external_id",
        "status",
        "email",
        "member",
        "currency",
        "total",
        "refunded",
        "discount_codes",
        "placed_at",
        "paid_at",
        "cancelled_at",
        "received_at",
        "points_awarded",
        "points_reversed",
    ]
    copy_view_enabled = False


class OrderEventIndexView(OrderIndexView):
    def get_base_queryset(self):
        return generic.IndexView.get_base_queryset(self).select_related("shop", "order")


class OrderEventViewSet(ModelViewSet):
    """Every accepted delivery, CSV row and attachment, with what it did."""

    model = OrderEvent
    icon = "history"
    menu_label = _("Deliveries")
    index_view_class = OrderEventIndexView
    add_view_class = OrderNoAdd
    edit_view_class = OrderNoChange
    delete_view_class = OrderNoDelete
    form_fields = []
    list_display = [
        "received_at",
        "shop",
        "type",
        "source",
        "order",
        "webhook_id",
        "outcome",
        "processed_at",
    ]
    list_filter = ["shop", "type", "source", "received_at"]
    search_fields = ["webhook_id", "order__external_id", "order__email"]
    search_backend_name = None
    list_export = ["received_at", "shop", "type", "source", "order", "webhook_id", "outcome"]
    export_filename = "order-deliveries"
    inspect_view_enabled = True
    copy_view_enabled = False


class ShopGroup(ViewSetGroup):
    menu_label = _("Shop")
    menu_icon = "tag"
    menu_order = 710
    items = (
        ShopViewSet("shops", url_prefix="shop/shops"),
        OrderViewSet("orders", url_prefix="shop/orders"),
        OrderEventViewSet("order-deliveries", url_prefix="shop/deliveries"),
    )
