"""WebSocket routes. Core services add their consumers here (hub.notifications with its issue)."""

websocket_urlpatterns: list = []
