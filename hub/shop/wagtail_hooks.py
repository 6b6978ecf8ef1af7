"""The shop connection in the Wagtail admin: the Shop menu (shops, orders, deliveries), the
connection page, the CSV import and the purchases report."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from hub.workspace.views import can_view_dashboard

from . import admin_views
from .viewsets import ShopGroup


@hooks.register("register_admin_viewset")
def register_shop_viewsets():
    return ShopGroup()


@hooks.register("register_admin_urls")
def register_shop_urls():
    return [
        path(
            "shop/shops/<int:pk>/connection/",
            admin_views.ShopConnectionView.as_view(),
            name="shop_connection",
        ),
        path(
            "shop/shops/<int:pk>/rotate/",
            admin_views.RotateSecretView.as_view(),
            name="shop_rotate_secret",
        ),
        path(
            "shop/shops/<int:pk>/secrets/<int:secret_pk>/expire/",
            admin_views.ExpireSecretView.as_view(),
            name="shop_expire_secret",
        ),
        path("shop/import/", admin_views.ImportOrdersView.as_view(), name="shop_import_orders"),
        path(
            "shop/reports/purchases/",
            admin_views.PurchasesReportView.as_view(),
            name="shop_purchases_report",
        ),
    ]


class PurchasesReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_dashboard(request.user)


@hooks.register("register_reports_menu_item")
def register_purchases_report():
    return PurchasesReportMenuItem(
        _("Purchases: members vs others"),
        reverse("shop_purchases_report"),
        name="purchases",
        icon_name="tag",
        order=99,
    )


@hooks.register("register_log_actions")
def register_shop_log_actions(actions):
    actions.register_action(
        "shop.secret.created", _("Signing secret created"), _("Signing secret created")
    )
    actions.register_action(
        "shop.secret.rotated", _("Signing secret rotated"), _("Signing secret rotated")
    )
    actions.register_action(
        "shop.secret.expired", _("Signing secret stopped"), _("Signing secret stopped")
    )
    actions.register_action("shop.orders.imported", _("Orders imported"), _("Orders imported"))
