"""The WebSocket at /ws/notifications/: a member's live notifications, with catch-up on connect."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from hub import realtime

from . import queries

UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group_name: str | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user_id = user.pk
        # Join before catching up, so nothing published in between is missed (the client
        # de-duplicates by id anything it then receives twice).
        self.group_name = realtime.user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "hello":
            return
        try:
            last_id = max(0, int(content.get("last_id") or 0))
        except (TypeError, ValueError):
            last_id = 0
        missed, unread = await self._catch_up(last_id)
        await self.send_json({"type": "sync", "notifications": missed, "unread": unread})

    @database_sync_to_async
    def _catch_up(self, last_id: int) -> tuple[list[dict], int]:
        missed = [n.as_payload() for n in queries.newer_than(self.user_id, last_id)]
        from .models import Notification

        unread = Notification.objects.filter(
            recipient_id=self.user_id, read_at__isnull=True
        ).count()
        return missed, unread

    async def notification_created(self, event):
        await self.send_json({"type": "notification", "notification": event["notification"]})

    async def notification_read(self, event):
        await self.send_json({"type": "read", "unread": event["unread"]})
