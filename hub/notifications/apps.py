from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hub.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from hub.worker import register_periodic

        from .kinds import INAPP, register_kind
        from .tasks import send_overdue_emails

        register_kind(
            "hub.announcement",
            _("Announcements from the team"),
            default_channel=INAPP,
            description=_("News the brand sends to every member."),
        )
        # A member's e-mails whose own send failed still go out.
        register_periodic(
            "notifications.overdue_emails", every=300, run=send_overdue_emails.enqueue
        )
