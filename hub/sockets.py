"""The base of every WebSocket consumer: a frame the consumer cannot read is answered, not fatal.

Channels' ``AsyncJsonWebsocketConsumer`` parses each text frame with ``json.loads`` and lets the
error escape, which closes the socket with 1011 (and a binary frame raises too). A client with
a bug, or someone poking at the socket, should get a reason and keep the connection:

    {"type": "error", "error": "invalid-frame", "detail": "…"}

``JsonConsumer.receive_json`` is only ever called with a JSON object. JSON's non-standard
``NaN``/``Infinity`` are refused, and ``read_id`` (``hub.converters.parse_id``) turns what a
client claims is an id into one the database can hold, or None.
"""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from hub.converters import parse_id as read_id  # noqa: F401  (consumers read ids with it)

MAX_FRAME_CHARS = 64 * 1024


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
