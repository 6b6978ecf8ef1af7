"""The topic socket: members on an open topic page hear of new replies; others are refused."""

import asyncio

import pytest
import pytest_asyncio
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from community import services
from hub.asgi import application
from tests.factories import session_cookie

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")  # the origin check compares host and port with it


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):
    """The topic socket behaves the same on any channel layer, and fan-out across processes over
    Redis is tested in tests/notifications/test_redis.py. On the Redis layer these sockets, torn
    down with the test's event loop, could leave a cancelled read of channels_redis that never
    finished, and the loop's close waited for it forever."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


# As in tests/notifications/test_consumer.py: ORM calls run in a sync thread of the test's own,
# so no SQLite connection is left behind in asgiref's shared thread for later tests.
@pytest_asyncio.fixture(autouse=True)
async def _own_sync_thread():
    async with ThreadSensitiveContext():
        yield


async def application_in_own_thread(scope, receive, send):
    async with ThreadSensitiveContext():
        await application(scope, receive, send)


def socket_for(topic_id: int, session_key: str | None = None) -> WebsocketCommunicator:
    headers = [ORIGIN, HOST]
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(
        application_in_own_thread, f"/ws/community/topics/{topic_id}/", headers=headers
    )


@pytest.fixture
def open_topic(ana, category):
    from django.contrib.contenttypes.models import ContentType

    # An earlier transactional test may have flushed the content types this process cached.
    ContentType.objects.clear_cache()
    # No posting limits here: a transactional test starts without the default site they live on.
    return services.create_topic(
        by=ana, category=category, title="Hi", body="Hi", enforce_limits=False
    )


async def test_anonymous_sockets_are_refused(open_topic):
    socket = socket_for(open_topic.pk)
    connected, code = await socket.connect()
    assert not connected and code == 4401


@pytest.fixture
def hidden_topic(open_topic):
    from community.models import Topic

    Topic.objects.filter(pk=open_topic.pk).update(hidden=True)  # as hiding its first post does
    return open_topic


async def test_a_hidden_topic_refuses_members(hidden_topic, ana):
    socket = socket_for(hidden_topic.pk, await sync_to_async(session_cookie)(ana))
    connected, code = await socket.connect()
    assert not connected and code == 4403


async def test_a_member_on_the_topic_hears_of_a_new_reply(open_topic, ana, ben):
    socket = socket_for(open_topic.pk, await sync_to_async(session_cookie)(ana))
    connected, _code = await socket.connect()
    assert connected
    await sync_to_async(services.create_reply)(
        by=ben, topic=open_topic, body="Live!", enforce_limits=False
    )
    message = await socket.receive_json_from(timeout=5)
    assert message == {"type": "post", "post_id": message["post_id"], "number": 2}
    await socket.disconnect()


async def test_a_topic_socket_whose_group_was_lost_hears_of_replies_again(
    open_topic, ana, ben, settings
):
    """As after Redis restarted empty: the socket re-joins its group (hub.sockets.GroupConsumer)."""
    from tests.notifications.test_catch_up import forget_group

    settings.SOCKET_RESYNC_SECONDS = 0.2
    socket = socket_for(open_topic.pk, await sync_to_async(session_cookie)(ana))
    connected, _code = await socket.connect()
    assert connected
    await forget_group(services.topic_group(open_topic.pk))  # the restart
    await asyncio.sleep(0.6)  # a re-join

    await sync_to_async(services.create_reply)(
        by=ben, topic=open_topic, body="Heard again", enforce_limits=False
    )
    message = await socket.receive_json_from(timeout=5)
    assert message["number"] == 2
    await socket.disconnect()
