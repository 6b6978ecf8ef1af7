"""WebSocket routes; each consumer authenticates its own socket."""

from django.urls import path

from hub.notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
