from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hub.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from hub.demo import register_seeder

        from .demo import seed_notifications
        from .kinds import INAPP, register_kind

        register_kind(
            "hub.announcement",
            _("Announcements from the team"),
            default_channel=INAPP,
            description=_("News the brand sends to every member."),
        )
        register_seeder("notifications", seed_notifications, order=90)

        from hub.bench import register_bench_probe

        from .bench import measure_notification_delivery

        register_bench_probe("notification delivery", measure_notification_delivery)
