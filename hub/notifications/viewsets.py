"""The editors' side of notifications: broadcast an announcement to every member, and see what
was sent."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from . import services
from .models import Broadcast


class BroadcastCreateView(generic.CreateView):
    submit_button_label = _("Send to all members")

    def save_instance(self):
        record = services.broadcast(
            text=self.form.cleaned_data["text"],
            url=self.form.cleaned_data.get("url", ""),
            by=self.request.user,
        )
        log(instance=record, action="wagtail.create", user=self.request.user)
        return record

    def get_success_buttons(self):
        # No "Edit" button: a sent announcement cannot be unsent, and Editors may not change it.
        return []

    def get_success_message(self, instance):
        return _("Announcement sent: “%(text)s”. Members see it live in their bell.") % {
            "text": instance.text
        }


class BroadcastViewSet(ModelViewSet):
    model = Broadcast
    icon = "mail"
    menu_label = _("Announcements")
    add_view_class = BroadcastCreateView
    form_fields = ["text", "url"]
    list_display = ["text", "sent_by", "recipient_count", "created"]
    list_filter = ["created", "sent_by"]
    search_fields = ["text", "url"]
    list_export = ["text", "url", "sent_by", "recipient_count", "created"]
    export_filename = "announcements"
    inspect_view_enabled = True
    copy_view_enabled = False


class NotificationsGroup(ViewSetGroup):
    """The "Notifications" admin menu: announcements today; apps may add items through the
    ``register_notifications_menu_item`` hook."""

    menu_label = _("Notifications")
    menu_icon = "mail"
    menu_order = 800
    submenu_hook = "register_notifications_menu_item"
    items = (BroadcastViewSet("announcements"),)
