"""The WebSocket at /ws/notifications/: a member's live notifications, with catch-up on connect."""

from channels.db import database_sync_to_async

from hub import realtime
from hub.sockets import JsonConsumer, read_id

from . import queries

UNAUTHENTICATED = 4401


class NotificationConsumer(JsonConsumer):
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
        if content.get("type") != "hello":
            await self.send_error("Unknown message type.")
            return
        last_id = read_id(content.get("last_id") or 0)
        if last_id is None:
            await self.send_error("last_id must be a notification id.")
            return
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
