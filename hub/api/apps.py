from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hub.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self):
        from . import schema  # noqa: F401  (the OpenAPI description of API-key authentication)
        from .scopes import register_scope

        register_scope("members:read", _("Look members up: points, tier, referral link"))
        register_scope("points:write", _("Award or deduct points"))
        register_scope("perks:read", _("List perks and members' redemptions"))
        register_scope("orders:write", _("Send shop orders"))
