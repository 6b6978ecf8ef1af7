"""Admin hooks for outgoing webhooks: the endpoints and deliveries listings, and log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .viewsets import WebhookDeliveryViewSet, WebhookEndpointViewSet


@hooks.register("register_admin_viewset")
def register_webhook_endpoints():
    return WebhookEndpointViewSet("webhook-endpoints")


@hooks.register("register_admin_viewset")
def register_webhook_deliveries():
    return WebhookDeliveryViewSet("webhook-deliveries")


@hooks.register("register_log_actions")
def register_webhook_log_actions(actions):
    @actions.register_action("webhooks.endpoint.paused")
    class EndpointPaused(LogFormatter):
        label = _("Pause webhook endpoint")

        def format_message(self, log_entry):
            return _("Paused: %(reason)s") % {"reason": log_entry.data.get("reason", "")}

    @actions.register_action("webhooks.endpoint.resumed")
    class EndpointResumed(LogFormatter):
        label = _("Resume webhook endpoint")

        def format_message(self, log_entry):
            return _("Resumed; %(count)d deliveries were waiting") % {
                "count": log_entry.data.get("waiting", 0)
            }

    @actions.register_action("webhooks.endpoint.secret_rotated")
    class SecretRotated(LogFormatter):
        label = _("Rotate webhook secret")

        def format_message(self, log_entry):
            return _("Signing secret rotated")

    @actions.register_action("webhooks.delivery.replayed")
    class DeliveryReplayed(LogFormatter):
        label = _("Replay webhook delivery")

        def format_message(self, log_entry):
            return _("Delivery replayed by hand")
