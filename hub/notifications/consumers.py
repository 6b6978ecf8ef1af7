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
- every ``NOTIFICATIONS_SOCKET_RESYNC_SECONDS`` (and at once when the layer answers again after
  failing) the socket re-joins its group, which is idempotent and brings back a membership that
  Redis lost by restarting empty, and sends whatever notifications newer than the newest it
  delivered exist in the database: those whose push failed or went to a group that no longer
  held this socket. After a layer failure it also sends the unread count again.
"""

import asyncio
import collections
import contextlib
import logging
import random
import time

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings

from hub import realtime
from hub.sockets import JsonConsumer, read_id

from . import queries

logger = logging.getLogger(__name__)

UNAUTHENTICATED = 4401
DEFAULT_RESYNC_SECONDS = 30.0
LAYER_TIMEOUT = 5.0  # seconds for one group_add/group_discard
LAYER_RETRY_SECONDS = 1.0  # pause before reading from a layer that just failed, at most
REMEMBERED_IDS = 1000  # ids recently sent on this socket, not sent again


class _LayerOutage:
    """Logs a channel layer outage once per process: when first seen, and when it is over."""

    down_since: float | None = None

    @classmethod
    def failed(cls, operation: str, exc: BaseException) -> None:
        if cls.down_since is None:
            cls.down_since = time.time()
            logger.warning(
                "notifications socket: channel layer unreachable (%s: %r); sockets stay open, "
                "retry, and catch up from the database when it is back",
                operation,
                exc,
            )

    @classmethod
    def recovered(cls) -> None:
        if cls.down_since is not None:
            logger.warning(
                "notifications socket: channel layer reachable again after %.1f s",
                time.time() - cls.down_since,
            )
            cls.down_since = None


def resync_seconds() -> float:
    return float(getattr(settings, "NOTIFICATIONS_SOCKET_RESYNC_SECONDS", DEFAULT_RESYNC_SECONDS))


class NotificationConsumer(JsonConsumer):
    group_name: str | None = None
    user_id: int | None = None

    async def __call__(self, scope, receive, send):
        """channels' AsyncConsumer.__call__, reading the channel layer through a method that
        retries when the layer fails instead of letting the error close the socket."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        if self.channel_layer is None:
            await super().__call__(scope, receive, send)
            return
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = self._receive_from_layer
        self.base_send = send
        self._delivered_id = 0  # the newest notification id sent on this socket
        self._sent = collections.deque(maxlen=REMEMBERED_IDS)
        self._sent_ids: set[int] = set()
        self._hello = False  # the client has said which id it has: resyncs may start
        self._layer_failed = False  # since the last resync: membership and pushes were lost
        self._wake = asyncio.Event()
        self._keeper: asyncio.Task | None = None
        try:
            await await_many_dispatch([receive, self.channel_receive], self.dispatch)
        except StopConsumer:
            pass
        finally:
            if self._keeper is not None:
                self._keeper.cancel()

    # -- the channel layer, failing softly ---------------------------------------------------

    def _layer_error(self, operation: str, exc: BaseException) -> None:
        _LayerOutage.failed(operation, exc)
        self._layer_failed = True

    async def _receive_from_layer(self):
        failures = 0
        while True:
            try:
                message = await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis stopped or restarting: wait, then read again
                self._layer_error("receive", exc)
                failures += 1
                delay = min(LAYER_RETRY_SECONDS, resync_seconds()) * min(failures, 5)
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
                continue
            if failures:
                self._wake.set()  # the layer is back: re-join and catch up now
            return message

    async def _join(self) -> bool:
        try:
            await asyncio.wait_for(
                self.channel_layer.group_add(self.group_name, self.channel_name), LAYER_TIMEOUT
            )
        except Exception as exc:  # the socket still serves catch-up from the database
            self._layer_error("group_add", exc)
            return False
        _LayerOutage.recovered()
        return True

    async def _keep_joined(self) -> None:
        """Re-join the group and send what a lost membership withheld, every resync_seconds()
        or as soon as the layer answers again."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), resync_seconds())
            self._wake.clear()
            failed_before = self._layer_failed
            self._layer_failed = False
            if not await self._join():
                continue
            if self._hello:
                try:
                    await self._send_missed(
                        self._delivered_id, with_unread=failed_before, resync=True
                    )
                except Exception:  # a database hiccup: the next round tries again
                    logger.warning("notifications socket: resync failed", exc_info=True)

    # -- the socket ------------------------------------------------------------------------

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
        await self._join()
        await self.accept()
        self._keeper = asyncio.ensure_future(self._keep_joined())

    async def disconnect(self, code):
        if self._keeper is not None:
            self._keeper.cancel()
        if self.group_name:
            try:
                await asyncio.wait_for(
                    self.channel_layer.group_discard(self.group_name, self.channel_name),
                    LAYER_TIMEOUT,
                )
            except Exception as exc:  # the membership expires with the group anyway
                _LayerOutage.failed("group_discard", exc)

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
