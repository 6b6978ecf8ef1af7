"""The shop connection: signed order webhooks in, points, verified buyers, referrals and
purchase KPIs out."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "hub.shop"
    label = "shop"
    verbose_name = _("Shop connection")

    def ready(self):
        from hub.dashboard import register_dashboard_panel
        from hub.notifications.kinds import INAPP, register_kind
        from hub.rewards.actions import register_action, register_referral_condition
        from hub.worker import register_periodic

        from . import queries, receivers, report  # noqa: F401  (receivers: allauth's signal)
        from .inbox import sweep_pending_order_events

        # Order deliveries whose task was lost are applied all the same.
        register_periodic("shop.pending_orders", every=300, run=sweep_pending_order_events)
        register_action(
            "shop.order.paid",
            _("A paid order in the shop (points per currency unit spent)"),
            default_points=1,
        )
        register_referral_condition(
            "shop.first_paid_order",
            _("A first paid order in the shop"),
            met=queries.has_first_paid_order,
        )
        register_kind("shop.order.rewarded", _("Points for your orders"), default_channel=INAPP)
        register_kind(
            "shop.order.refunded", _("Points taken back after a refund"), default_channel=INAPP
        )
        register_kind("shop.comeback.reminder", _("Reminders before a discount code expires"))
        register_dashboard_panel(
            "shop.purchases",
            _("Purchases"),
            template="shop/admin/dashboard_purchases.html",
            context=report.dashboard_context,
            permission="workspace.view_dashboard",
            order=20,
        )
