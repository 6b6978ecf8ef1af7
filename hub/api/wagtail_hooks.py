"""Admin hooks for the REST API: the API keys listing (Settings › API keys) and its log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .viewsets import ApiKeyViewSet


@hooks.register("register_admin_viewset")
def register_api_keys():
    return ApiKeyViewSet("api-keys")


@hooks.register("register_log_actions")
def register_api_log_actions(actions):
    @actions.register_action("api.key.revoked")
    class KeyRevoked(LogFormatter):
        label = _("Revoke API key")

        def format_message(self, log_entry):
            return _("API key revoked")
