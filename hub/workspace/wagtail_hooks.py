"""Plug the workspace into the Wagtail admin: the moderation queue (menu item with the pending
count), the KPI dashboard on the admin home, the reports, and the moderation log."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from . import views
from .panels import KpiDashboardPanel
from .viewsets import DashboardReportMenuItem, DecisionViewSet, ModerationMenuItem


@hooks.register("register_admin_urls")
def register_workspace_urls():
    return [
        path("moderation/", views.ModerationQueueView.as_view(), name="moderation_queue"),
        path("moderation/act/", views.ModerationActView.as_view(), name="moderation_act"),
        path(
            "workspace/reports/retention/",
            views.RetentionReportView.as_view(),
            name="workspace_retention",
        ),
        path(
            "workspace/reports/points/", views.PointsReportView.as_view(), name="workspace_points"
        ),
        path("workspace/kpis.csv", views.KpiExportView.as_view(), name="workspace_kpi_export"),
    ]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ModerationMenuItem(
        _("Moderation"),
        reverse("moderation_queue"),
        name="moderation",
        icon_name="warning",
        order=150,
    )


@hooks.register("register_reports_menu_item")
def register_retention_report():
    return DashboardReportMenuItem(
        _("Retention by sign-up month"),
        reverse("workspace_retention"),
        name="retention",
        icon_name="group",
        order=100,
    )


@hooks.register("register_reports_menu_item")
def register_points_report():
    return DashboardReportMenuItem(
        _("Points by action"),
        reverse("workspace_points"),
        name="points-by-action",
        icon_name="pick",
        order=101,
    )


@hooks.register("construct_homepage_panels")
def add_kpi_dashboard(request, panels):
    panels.insert(0, KpiDashboardPanel())


@hooks.register("register_admin_viewset")
def register_decision_viewset():
    return DecisionViewSet("moderation-log")


@hooks.register("register_log_actions")
def register_workspace_log_actions(actions):
    @actions.register_action("workspace.moderation.decided")
    class Decided(LogFormatter):
        label = _("Moderation decision")

        def format_message(self, log_entry):
            data = log_entry.data
            return _("%(action)s, %(source)s “%(title)s”: %(reason)s") % {
                "action": data.get("action_label") or data.get("action", ""),
                "source": data.get("source_label") or data.get("source", ""),
                "title": data.get("title") or f"#{data.get('item', '')}",
                "reason": data.get("reason", "") or "—",
            }
