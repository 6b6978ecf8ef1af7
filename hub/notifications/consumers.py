"""The WebSocket at /ws/notifications/: a member's live notifications, with catch-up on connect.

Protocol. The client says ``{"type": "hello", "last_id": N}`` (the newest id it shows) on every
(re)connect; the server answers with everything newer than N, oldest first, in pages:
``{"type": "sync", "notifications": [...], "unread": U, "more": bool}``, one message per page
of up to ``queries.CATCH_UP_PAGE``, ``more`` true on every page but the last. Then it pushes
``{"type": "notification", ...}`` as they are created and ``{"type": "read", "unread": U}``.
Ids only grow; the client ignores an id it already shows, so a notification that arrives both
live and in a catch-up page is shown once.

Redis is not the source of truth, the notification rows are. So the socket survives the
channel layer (Redis) failing:

- joining the member's group, leaving it and reading from the layer never crash the socket:
  a failure is logged (once per outage per process) and retried;
- every ``SOCKET_RESYNC_SECONDS`` (and at once when the layer answers again after failing)
  the socket re-joins its group (hub.sockets.GroupConsumer), which brings back a membership
  that Redis lost by restarting empty, and sends whatever notifications newer than the newest
  it delivered exist in the database: those whose push failed or went to a group that no
  longer held this socket. After a layer failure it also sends the unread count again.
"""

import collections

from channels.db import database_sync_to_async

from hub import realtime
from hub.sockets import GroupConsumer, read_id

from . import queries

UNAUTHENTICATED = 4401
REMEMBERED_IDS = 1000  # ids recently sent on this socket, not sent again by a resync


class NotificationConsumer(GroupConsumer):
    user_id: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._delivered_id = 0  # the newest notification id sent on this socket
        self._sent: collections.deque[int] = collections.deque(maxlen=REMEMBERED_IDS)
        self._sent_ids: set[int] = set()
        self._hello = False  # the client has said which id it has: resyncs may start

    async def rejoined(self, *, after_failure: bool) -> None:
        """Send what a lost membership or a failed push withheld (and, after the layer failed,
        the unread count again: read-state pushes were lost too)."""
        if self._hello:
            await self._send_missed(self._delivered_id, with_unread=after_failure, resync=True)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user_id = user.pk
        # Join before catching up, so nothing published in between is missed (the client
        # de-duplicates by id anything it then receives twice). When the layer is down, accept
        # anyway: catch-up comes from the database, and the keeper joins when the layer is back.
        self.group_name = realtime.user_group(user.pk)
        await self.join_group()
        await self.accept()
        self.keep_joined()

    async def receive_json(self, content, **kwargs):
        if content.get("type") != "hello":
            await self.send_error("Unknown message type.")
            return
        last_id = read_id(content.get("last_id") or 0)
        if last_id is None:
            await self.send_error("last_id must be a notification id.")
            return
        self._hello = True
        self._delivered_id = max(self._delivered_id, last_id)  # the client has these
        await self._send_missed(last_id, with_unread=True, always=True)

    async def _send_missed(
        self, last_id: int, *, with_unread: bool, always: bool = False, resync: bool = False
    ) -> None:
        """Send every notification after ``last_id``, a page at a time, oldest first.

        ``always``: send a sync even when nothing was missed (the answer to a hello).
        ``resync``: leave out what this socket already sent (live or in an earlier page).
        """
        cursor = last_id
        while True:
            page, more = await self._page(cursor)
            fresh = [n for n in page if not (resync and n["id"] in self._sent_ids)]
            if fresh or always or with_unread:
                unread = await self._unread()
                for notification in fresh:
                    self._remember(notification["id"])
                await self.send_json(
                    {"type": "sync", "notifications": fresh, "unread": unread, "more": more}
                )
                always = with_unread = False
            if not more:
                return
            cursor = page[-1]["id"]

    @database_sync_to_async
    def _page(self, after_id: int) -> tuple[list[dict], bool]:
        rows = queries.newer_than(self.user_id, after_id, limit=queries.CATCH_UP_PAGE + 1)
        more = len(rows) > queries.CATCH_UP_PAGE
        return [n.as_payload() for n in rows[: queries.CATCH_UP_PAGE]], more

    @database_sync_to_async
    def _unread(self) -> int:
        from .models import Notification

        return Notification.objects.filter(recipient_id=self.user_id, read_at__isnull=True).count()

    def _remember(self, notification_id: int) -> None:
        if len(self._sent) == self._sent.maxlen:
            self._sent_ids.discard(self._sent[0])
        self._sent.append(notification_id)
        self._sent_ids.add(notification_id)
        self._delivered_id = max(self._delivered_id, notification_id)

    async def notification_created(self, event):
        notification = event["notification"]
        if notification["id"] in self._sent_ids:
            return  # already sent by a catch-up page
        self._remember(notification["id"])
        await self.send_json({"type": "notification", "notification": notification})

    async def notification_read(self, event):
        await self.send_json({"type": "read", "unread": event["unread"]})
