"""The workspace's admin pieces other than its pages (views.py): the "Moderation" menu item with
the pending count, the reports' menu items, and the moderation log, read-only and exportable."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import LinkMenuItemComponent, MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from hub.adminkit import NoAddView, NoDeleteView, NoEditView, ReadOnlyListingMixin

from . import queue, views
from .models import ModerationDecision


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


class DashboardReportMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_view_dashboard(request.user)


class DecisionIndexView(ReadOnlyListingMixin, generic.IndexView):
    rows_link_to_edit = False  # the log is a record of what happened

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("author", "by")


class DecisionViewSet(ModelViewSet):
    """The moderation log: every decision taken from the queue, read-only, exportable."""

    model = ModerationDecision
    icon = "history"
    menu_label = _("Moderation log")
    menu_hook = "register_reports_menu_item"
    menu_order = 102
    index_view_class = DecisionIndexView
    add_view_class = NoAddView  # decisions are made in the moderation queue
    edit_view_class = NoEditView
    delete_view_class = NoDeleteView
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
