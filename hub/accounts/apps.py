from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hub.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from hub.webhooks.types import register_event_type

        from . import receivers  # noqa: F401  (allauth signals)

        register_event_type("member.joined", _("Someone signed up"))
