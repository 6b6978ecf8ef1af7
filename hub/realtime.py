"""The one place domain code talks to the channel layer: group names and best-effort sends.

A send never raises: when the layer is down (Redis stopped), the action that caused it has
already committed, and clients catch up from the database when they reconnect.
"""

import asyncio
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 5.0


def layer_is_shared() -> bool:
    """Whether other processes (a task worker, another server) can reach this process's sockets.

    The in-memory layer of the embedded default reaches only sockets held by this process.
    """
    layer = get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


async def _send_all(layer, messages: list[tuple[str, dict]]) -> None:
    for group, message in messages:
        await layer.group_send(group, message)


def send_to_groups(messages: Iterable[tuple[str, dict]]) -> bool:
    """Send each (group, message); True when all went out, False (logged) when the layer failed."""
    messages = list(messages)
    if not messages:
        return True
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(asyncio.wait_for)(_send_all(layer, messages), SEND_TIMEOUT)
    except Exception as exc:  # the layer being down must never undo or fail the user's action
        logger.warning("realtime: %d message(s) not sent: %r", len(messages), exc)
        return False
    return True


def send_to_user(user_id: int, message: dict) -> bool:
    return send_to_groups([(user_group(user_id), message)])
