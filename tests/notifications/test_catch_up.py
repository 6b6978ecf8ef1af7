"""Catch-up pages through everything a socket missed, and an open socket recovers from its
channel-layer group being lost (Redis restarted empty) or unreachable. Runs on any database
with the in-memory layer; tests/notifications/test_redis_outage.py does it over Redis."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from hub import realtime
from hub.notifications import queries
from hub.notifications.models import Notification
from hub.notifications.services import ANNOUNCEMENT
from tests.notifications.test_consumer import (
    TIMEOUT,
    _own_sync_thread,  # noqa: F401  (an autouse fixture this module needs too)
    announce,
    hello,
    make_user,
    socket_of,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def store_missed(user, count: int) -> list[int]:
    """``count`` notifications stored while the member's socket was away (never pushed)."""
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=ANNOUNCEMENT, text=f"Missed {n}")
            for n in range(1, count + 1)
        ]
    )
    return sorted(n.pk for n in rows)


async def forget_group(group: str) -> None:
    """Drop every membership of ``group``, as a Redis restarted empty does."""
    layer = get_channel_layer()
    if hasattr(layer, "groups"):  # the in-memory layer
        layer.groups.pop(group, None)
    else:  # channels_redis
        await layer.connection(layer.consistent_hash(group)).delete(layer._group_key(group))


async def read_sync_pages(socket) -> list[dict]:
    pages = []
    while True:
        message = await socket.receive_json_from(timeout=TIMEOUT)
        assert message["type"] == "sync"
        pages.append(message)
        if not message["more"]:
            return pages


async def test_catch_up_after_150_missed_returns_all_150_in_order_without_duplicates():
    ana, ben = await make_user(username="ana"), await make_user(username="ben")
    seen_id = await announce(ana, "Seen before going offline")
    missed = await store_missed(ana, 150)
    await store_missed(ben, 5)  # someone else's

    async with socket_of(ana) as socket:
        await socket.send_json_to({"type": "hello", "last_id": seen_id})
        pages = await read_sync_pages(socket)
        assert await socket.receive_nothing(timeout=0.3)

    received = [n["id"] for page in pages for n in page["notifications"]]
    assert received == missed  # all of them, oldest first, each once
    assert [len(page["notifications"]) for page in pages] == [queries.CATCH_UP_PAGE, 50]
    assert [page["more"] for page in pages] == [True, False]
    assert all(page["unread"] == 151 for page in pages)
    assert [n["text"] for n in pages[-1]["notifications"]][-1] == "Missed 150"


async def test_catch_up_of_exactly_one_page_says_there_is_no_more():
    ana = await make_user(username="ana")
    missed = await store_missed(ana, queries.CATCH_UP_PAGE)

    async with socket_of(ana) as socket:
        sync = await hello(socket, last_id=0)
        assert await socket.receive_nothing(timeout=0.3)

    assert [n["id"] for n in sync["notifications"]] == missed
    assert sync["more"] is False


async def test_nothing_missed_is_one_empty_sync():
    ana = await make_user(username="ana")
    newest = (await store_missed(ana, 3))[-1]

    async with socket_of(ana) as socket:
        sync = await hello(socket, last_id=newest)

    assert (sync["notifications"], sync["unread"], sync["more"]) == ([], 3, False)


async def test_an_open_socket_whose_group_was_lost_gets_the_missed_and_the_next_ones(settings):
    """As after Redis restarted empty: the membership is gone, nothing is published to the
    socket; the periodic re-join brings it back and the resync sends what it missed."""
    settings.SOCKET_RESYNC_SECONDS = 0.3
    ana = await make_user(username="ana")
    async with socket_of(ana) as socket:
        await hello(socket, last_id=0)
        await forget_group(realtime.user_group(ana.pk))  # the restart

        lost_id = await announce(ana, "Published to nobody")
        sync = await socket.receive_json_from(timeout=TIMEOUT)
        assert sync["type"] == "sync"
        assert [n["id"] for n in sync["notifications"]] == [lost_id]

        next_id = await announce(ana, "Pushed to the re-joined socket")
        message = await socket.receive_json_from(timeout=TIMEOUT)
        assert (message["type"], message["notification"]["id"]) == ("notification", next_id)
        # Later resyncs find nothing new and send nothing: no duplicates.
        assert await socket.receive_nothing(timeout=1.0)


async def test_a_socket_opened_while_the_layer_is_down_is_served_and_joins_later(
    settings, monkeypatch
):
    settings.SOCKET_RESYNC_SECONDS = 0.3
    layer = get_channel_layer()
    down = {"now": True}
    group_add = layer.group_add

    async def flaky_group_add(group, channel):
        if down["now"]:
            raise ConnectionError("redis is down")
        await group_add(group, channel)

    monkeypatch.setattr(layer, "group_add", flaky_group_add)
    ana = await make_user(username="ana")
    before = await announce(ana, "Stored before connecting")

    async with socket_of(ana) as socket:  # accepted although the join failed
        sync = await hello(socket, last_id=0)
        assert [n["id"] for n in sync["notifications"]] == [before]

        down["now"] = False
        await asyncio.sleep(0.8)  # the keeper re-joins
        sync = await socket.receive_json_from(timeout=TIMEOUT)  # unread count after the outage
        assert (sync["type"], sync["notifications"], sync["unread"]) == ("sync", [], 1)

        after = await announce(ana, "Pushed once the layer is back")
        message = await socket.receive_json_from(timeout=TIMEOUT)
        assert message["notification"]["id"] == after
