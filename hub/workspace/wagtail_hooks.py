"""The workspace in the Wagtail admin: the moderation queue (menu item with the pending count),
the KPI dashboard on the admin home, the reports, and the moderation log."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import LinkMenuItemComponent, MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from . import queue, views
from .models import ModerationDecision
from .panels import KpiDashboardPanel


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


class ModerationMenuItem(MenuItem):
    """ "Moderation" with the number of items waiting (cached per source for 30 seconds)."""

    def is_shown(self, request):
        return queue.can_use_queue(request.user)

    def render_component(self, request):
        count = queue.pending_count(request.user)
        label = f"{self.label} ({count})" if count else self.label
        attrs = {**self.attrs, "data-pending": str(count)}
        return LinkMenuItemComponent(
            self.name,
            label,
            self.url,
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=attrs,
        )


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ModerationMenuItem(
        _("Moderation"),
        reverse("moderation_queue"),
        name="moderation",
        icon_name="warning",
        order=150,
    )


class DashboardReportMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_view_dashboard(request.user)


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


class DecisionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("author", "by")

    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None


class DecisionNoChange(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # the log is a record of what happened


class DecisionNoAdd(generic.CreateView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # decisions are made in the moderation queue


class DecisionNoDelete(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class DecisionViewSet(ModelViewSet):
    """The moderation log: every decision taken from the queue, read-only, exportable."""

    model = ModerationDecision
    icon = "history"
    menu_label = _("Moderation log")
    menu_hook = "register_reports_menu_item"
    menu_order = 102
    index_view_class = DecisionIndexView
    add_view_class = DecisionNoAdd
    edit_view_class = DecisionNoChange
    delete_view_class = DecisionNoDelete
    form_fields = ["reason"]
    list_display = ["created", "source_label", "title", "action_label", "reason", "author", "by"]
    list_filter = ["source", "action", "destructive", "created"]
    search_fields = ["title", "reason", "author__username", "by__username"]
    list_export = [
        "created",
        "source",
        "object_pk",
        "title",
        "action",
        "reason",
        "message",
        "author",
        "by",
    ]
    export_filename = "moderation-log"
    inspect_view_enabled = True
    copy_view_enabled = False


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
