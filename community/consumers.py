"""The WebSocket of an open topic page: announces new replies as they are posted."""

from channels.db import database_sync_to_async

from hub.sockets import GroupConsumer

from .services import topic_group

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


class TopicConsumer(GroupConsumer):
    """Joins the topic's group, and keeps re-joining it: see hub.sockets.GroupConsumer."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        topic_id = self.scope["url_route"]["kwargs"]["topic_id"]
        if not await self._may_read(user, topic_id):
            await self.close(code=FORBIDDEN)
            return
        self.group_name = topic_group(topic_id)
        await self.join_group()
        await self.accept()
        self.keep_joined()

    @database_sync_to_async
    def _may_read(self, user, topic_id: int) -> bool:
        from . import queries
        from .models import Topic

        topic = Topic.objects.filter(pk=topic_id).values("hidden").first()
        return topic is not None and (not topic["hidden"] or queries.is_moderator(user))

    async def receive_json(self, content, **kwargs):
        return  # the page only listens

    async def topic_post(self, event):
        await self.send_json(
            {"type": "post", "post_id": event["post_id"], "number": event["number"]}
        )
