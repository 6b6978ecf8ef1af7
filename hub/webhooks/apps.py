from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "hub.webhooks"
    label = "webhooks"
    verbose_name = _("Outgoing webhooks")

    def ready(self):
        from hub.notifications.kinds import INAPP, register_kind

        from .delivery import KIND_PAUSED

        register_kind(
            KIND_PAUSED, _("A webhook endpoint was paused after failing"), default_channel=INAPP
        )
