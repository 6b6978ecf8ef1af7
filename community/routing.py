"""WebSocket routes of the community app; hub/routing.py adds them by dotted path."""

from django.urls import path

from .consumers import TopicConsumer

websocket_urlpatterns = [
    path("ws/community/topics/<id:topic_id>/", TopicConsumer.as_asgi()),
]
