from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hub.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from hub.demo import register_seeder
        from hub.webhooks.types import register_event_type

        from . import receivers  # noqa: F401  (allauth signals)
        from .demo import seed_users

        register_seeder("accounts", seed_users, order=10)
        register_event_type("member.joined", _("Someone signed up"))

        from .bench import register as register_bench

        register_bench()
