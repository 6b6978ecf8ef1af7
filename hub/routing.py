"""WebSocket routes; each consumer authenticates its own socket."""

from django.urls import path
from django.utils.module_loading import import_string

from hub.notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    # Feature apps, by dotted path like hub/urls.py: hub's Python code imports none of them.
    *import_string("community.routing.websocket_urlpatterns"),
]
