from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hub.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from .kinds import INAPP, register_kind

        register_kind(
            "hub.announcement",
            _("Announcements from the team"),
            default_channel=INAPP,
            description=_("News the brand sends to every member."),
        )
