"""The base of every WebSocket consumer: a frame the consumer cannot read is answered, not fatal.

Channels' ``AsyncJsonWebsocketConsumer`` parses each text frame with ``json.loads`` and lets the
error escape, which closes the socket with 1011 (and a binary frame raises too). A client with
a bug, or someone poking at the socket, should get a reason and keep the connection:

    {"type": "error", "error": "invalid-frame", "detail": "…"}

``JsonConsumer.receive_json`` is only ever called with a JSON object. JSON's non-standard
``NaN``/``Infinity`` are refused, and ``read_id`` (``hub.converters.parse_id``) turns what a
client claims is an id into one the database can hold, or None.

``GroupConsumer`` adds a channel-layer group that survives Redis stopping and restarting empty.
"""

import asyncio
import contextlib
import json
import logging
import random
import time

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from hub.converters import parse_id as read_id  # noqa: F401  (consumers read ids with it)

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 64 * 1024
DEFAULT_RESYNC_SECONDS = 30.0
LAYER_TIMEOUT = 5.0  # seconds for one group_add/group_discard
LAYER_RETRY_SECONDS = 1.0  # pause before reading again from a layer that just failed, at most


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


class JsonConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.send_error("Send text frames holding a JSON object.")
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self.send_error("The frame is too long.")
            return
        try:
            content = json.loads(text_data, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            await self.send_error("The frame is not JSON.")
            return
        if not isinstance(content, dict):
            await self.send_error("Send a JSON object.")
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, detail: str) -> None:
        await self.send_json({"type": "error", "error": "invalid-frame", "detail": detail})


class _LayerOutage:
    """Logs a channel layer outage once per process: when first seen, and when it is over."""

    down_since: float | None = None

    @classmethod
    def failed(cls, operation: str, exc: BaseException) -> None:
        if cls.down_since is None:
            cls.down_since = time.time()
            logger.warning(
                "sockets: channel layer unreachable (%s: %r); sockets stay open and retry",
                operation,
                exc,
            )

    @classmethod
    def recovered(cls) -> None:
        if cls.down_since is not None:
            logger.warning(
                "sockets: channel layer reachable again after %.1f s",
                time.time() - cls.down_since,
            )
            cls.down_since = None


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    """What a channel layer raises when its server cannot be reached: refused, reset, timed out
    (anything else, a bug or the socket closing, still ends the socket as before)."""
    try:
        import redis.exceptions
    except ImportError:  # pragma: no cover  (redis is installed with channels-redis)
        return (OSError,)
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def resync_seconds() -> float:
    return float(getattr(settings, "SOCKET_RESYNC_SECONDS", DEFAULT_RESYNC_SECONDS))


class GroupConsumer(JsonConsumer):
    """A JsonConsumer listening to one channel-layer group, that survives the layer failing.

    With the Redis channel layer, Redis stopping must not close every socket (they would all
    reconnect at once, and fail again), and Redis restarting empty must not leave open sockets
    deaf (their group memberships were in Redis). So:

    - ``join_group()`` (call it in ``connect`` before ``accept``) and leaving the group on
      disconnect never raise: a failure is logged once per outage per process;
    - reading from the layer retries after a failure instead of letting the error close the
      socket;
    - after ``keep_joined()`` (call it after ``accept``), the socket re-joins its group every
      ``SOCKET_RESYNC_SECONDS`` (group_add is idempotent; it also renews the membership's
      expiry), and at once when the layer answers again after failing; then it calls
      ``rejoined(after_failure=…)``, where a subclass sends what the socket may have missed.
    """

    group_name: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._layer_failed = False  # since the last re-join: memberships and pushes were lost
        self._wake = asyncio.Event()
        self._keeper: asyncio.Task | None = None
        self._closing = False

    async def __call__(self, scope, receive, send):
        """channels' AsyncConsumer.__call__, reading the layer through ``_receive_from_layer``."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        if self.channel_layer is None:
            await super().__call__(scope, receive, send)
            return
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = self._receive_from_layer
        self.base_send = send
        try:
            await self._dispatch_until_closed(receive)
        except StopConsumer:
            pass
        finally:
            self._closing = True
            if self._keeper is not None:
                self._keeper.cancel()

    async def _dispatch_until_closed(self, receive) -> None:
        """channels.utils.await_many_dispatch, marking the socket as closing before it cancels
        its reads, so a read that fails while being cancelled is never retried."""
        callables = [receive, self.channel_receive]
        tasks = [asyncio.ensure_future(call()) for call in callables]
        try:
            while True:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for i, task in enumerate(tasks):
                    if task.done():
                        result = task.result()
                        await self.dispatch(result)
                        tasks[i] = asyncio.ensure_future(callables[i]())
        finally:
            self._closing = True
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _layer_error(self, operation: str, exc: BaseException) -> None:
        _LayerOutage.failed(operation, exc)
        self._layer_failed = True

    async def _receive_from_layer(self):
        failures = 0
        while True:
            try:
                message = await self.channel_layer.receive(self.channel_name)
            except _unreachable_errors() as exc:  # Redis stopped or restarting: wait, read again
                task = asyncio.current_task()
                if self._closing or (task is not None and task.cancelling()):
                    raise  # the socket is closing: never keep it alive
                self._layer_error("receive", exc)
                failures += 1
            else:
                if failures:
                    self._wake.set()  # the layer is back: re-join and catch up now
                return message
            delay = min(LAYER_RETRY_SECONDS, resync_seconds()) * min(failures, 5)
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311  (jitter)
            if self._closing:
                raise asyncio.CancelledError

    async def join_group(self) -> bool:
        """Join ``group_name``; False (logged) when the layer is unreachable."""
        if self.channel_layer is None:
            return False
        try:
            await asyncio.wait_for(
                self.channel_layer.group_add(self.group_name, self.channel_name), LAYER_TIMEOUT
            )
        except Exception as exc:  # the keeper joins when the layer is back
            self._layer_error("group_add", exc)
            return False
        _LayerOutage.recovered()
        return True

    def keep_joined(self) -> None:
        if self.channel_layer is None:
            return
        self._keeper = asyncio.ensure_future(self._keep_joined())

    async def _keep_joined(self) -> None:
        while True:
            # ±25 % jitter: sockets opened together (after a deploy) do not re-join together.
            interval = resync_seconds() * random.uniform(0.75, 1.25)  # noqa: S311
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)
            self._wake.clear()
            after_failure = self._layer_failed
            self._layer_failed = False
            if not await self.join_group():
                continue
            try:
                await self.rejoined(after_failure=after_failure)
            except Exception:  # a database hiccup: the next round tries again
                logger.warning("sockets: catching up after re-joining failed", exc_info=True)

    async def rejoined(self, *, after_failure: bool) -> None:
        """Called after each periodic re-join; ``after_failure`` when the layer failed since the
        last one. Send here what the socket may have missed (pushes to a lost group)."""

    async def disconnect(self, code):
        if self._keeper is not None:
            self._keeper.cancel()
        if self.group_name and self.channel_layer is not None:
            try:
                await asyncio.wait_for(
                    self.channel_layer.group_discard(self.group_name, self.channel_name),
                    LAYER_TIMEOUT,
                )
            except Exception as exc:  # the membership expires with the group anyway
                _LayerOutage.failed("group_discard", exc)
