"""The notifications socket driven through hub.asgi: who may connect, what each member receives live,
and what a (re)connecting socket catches up on."""

import contextlib

import pytest
import pytest_asyncio
from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from hub import realtime
from hub.asgi import application
from hub.notifications import services
from hub.notifications.consumers import UNAUTHENTICATED
from hub.notifications.services import ANNOUNCEMENT
from tests.factories import UserFactory, session_cookie

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PATH = "/ws/notifications/"
ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")  # the origin check compares host and port with it
TIMEOUT = 2  # seconds for a message that should arrive


# Django never closes an in-memory SQLite connection, so one opened in asgiref's single
# process-wide sync thread would stay there and meet later tests that have no database access.
# This test's ORM calls, and each socket's, run in a thread of their own instead, as Django runs
# each HTTP request (ThreadSensitiveContext); the thread and its connection end with them.
@pytest_asyncio.fixture(autouse=True)
async def _own_sync_thread():
    async with ThreadSensitiveContext():
        yield


async def application_in_own_thread(scope, receive, send):
    async with ThreadSensitiveContext():
        await application(scope, receive, send)


def communicator_for(session_key: str | None = None) -> WebsocketCommunicator:
    headers = [ORIGIN, HOST]
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(application_in_own_thread, PATH, headers=headers)


@contextlib.asynccontextmanager
async def socket_of(user):
    """An open socket signed in as ``user``, closed on the way out."""
    socket = communicator_for(await database_sync_to_async(session_cookie)(user))
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    try:
        yield socket
    finally:
        await socket.disconnect()


async def hello(socket, last_id: int) -> dict:
    await socket.send_json_to({"type": "hello", "last_id": last_id})
    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert message["type"] == "sync"
    return message


make_user = database_sync_to_async(UserFactory)
notify = database_sync_to_async(services.notify)
mark_read = database_sync_to_async(services.mark_read)


async def announce(user, text: str) -> int:
    [created] = await notify(user, ANNOUNCEMENT, text=text)
    return created.pk


async def test_anonymous_socket_is_refused():
    socket = communicator_for()
    connected, code = await socket.connect(timeout=TIMEOUT)
    assert connected is False
    assert code == UNAUTHENTICATED
    await socket.disconnect()


async def test_socket_with_an_unknown_session_is_refused():
    socket = communicator_for("no-such-session")
    connected, code = await socket.connect(timeout=TIMEOUT)
    assert (connected, code) == (False, UNAUTHENTICATED)
    await socket.disconnect()


async def test_member_receives_a_notification_created_after_connecting():
    ana = await make_user(username="ana")
    async with socket_of(ana) as socket:
        notification_id = await announce(ana, "Your topic has a new reply")

        message = await socket.receive_json_from(timeout=TIMEOUT)

    assert message["type"] == "notification"
    assert message["notification"]["id"] == notification_id
    assert message["notification"]["text"] == "Your topic has a new reply"
    assert message["notification"]["read"] is False


async def test_member_never_receives_another_members_notification():
    ana, ben = await make_user(username="ana"), await make_user(username="ben")
    async with socket_of(ana) as anas, socket_of(ben) as bens:
        await announce(ben, "Only for Ben")

        assert (await bens.receive_json_from(timeout=TIMEOUT))["notification"]["text"] == (
            "Only for Ben"
        )
        assert await anas.receive_nothing(timeout=0.5)


async def test_hello_catches_up_on_exactly_what_is_newer_than_last_id():
    ana, ben = await make_user(username="ana"), await make_user(username="ben")
    ids = [await announce(ana, f"Notice {n}") for n in range(1, 6)]
    await announce(ben, "Ben's own notice")
    await mark_read(ana, [ids[0], ids[3]])

    async with socket_of(ana) as socket:
        sync = await hello(socket, last_id=ids[1])

    assert [n["id"] for n in sync["notifications"]] == ids[2:]  # oldest first
    assert [n["text"] for n in sync["notifications"]] == ["Notice 3", "Notice 4", "Notice 5"]
    assert [n["read"] for n in sync["notifications"]] == [False, True, False]
    assert sync["unread"] == 3  # Notice 2, 3 and 5, including one older than last_id


async def test_reconnecting_socket_gets_what_arrived_while_it_was_away():
    ana = await make_user(username="ana")
    first_id = await announce(ana, "Seen before leaving")

    async with socket_of(ana) as socket:
        sync = await hello(socket, last_id=0)
        assert [n["id"] for n in sync["notifications"]] == [first_id]
        newest = sync["notifications"][-1]["id"]

    missed = [await announce(ana, "Missed one"), await announce(ana, "Missed two")]

    async with socket_of(ana) as socket:
        sync = await hello(socket, last_id=newest)

    assert [n["id"] for n in sync["notifications"]] == missed
    assert [n["text"] for n in sync["notifications"]] == ["Missed one", "Missed two"]
    assert sync["unread"] == 3


async def test_marking_read_updates_every_open_socket_of_that_member():
    ana, ben = await make_user(username="ana"), await make_user(username="ben")
    ids = [await announce(ana, f"Notice {n}") for n in range(1, 4)]

    async with socket_of(ana) as tab_one, socket_of(ana) as tab_two, socket_of(ben) as bens:
        await mark_read(ana, [ids[0]])

        assert await tab_one.receive_json_from(timeout=TIMEOUT) == {"type": "read", "unread": 2}
        assert await tab_two.receive_json_from(timeout=TIMEOUT) == {"type": "read", "unread": 2}
        assert await bens.receive_nothing(timeout=0.3)


class BrokenLayer:
    """A channel layer whose server is down."""

    async def group_send(self, group, message):
        raise ConnectionError("redis is down")


async def test_socket_connecting_after_a_failed_push_catches_up_on_the_notification(monkeypatch):
    ana = await make_user(username="ana")
    monkeypatch.setattr(realtime, "get_channel_layer", lambda *args, **kwargs: BrokenLayer())

    notification_id = await announce(ana, "Sent while the layer was down")

    monkeypatch.undo()  # the layer is back
    async with socket_of(ana) as socket:
        sync = await hello(socket, last_id=0)

    assert [n["id"] for n in sync["notifications"]] == [notification_id]
    assert sync["notifications"][0]["text"] == "Sent while the layer was down"
    assert sync["unread"] == 1
