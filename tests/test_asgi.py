"""The ASGI application daphne serves: HTTP reaches Django; WebSockets pass origin checks first."""

import json

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from hub.asgi import application

HOST = (b"host", b"testserver")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_http_request_reaches_django_through_asgi():
    communicator = HttpCommunicator(application, "GET", "/healthz", headers=[HOST])
    response = await communicator.get_response()
    assert response["status"] == 200
    assert json.loads(response["body"])["status"] == "ok"


@pytest.mark.asyncio
# Channels' denier closes stale database connections before it answers, so it may touch the DB.
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/ws/notifications/", "/anything/"])
async def test_websocket_from_foreign_origin_is_refused(path):
    communicator = WebsocketCommunicator(
        application, path, headers=[HOST, (b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db
async def test_websocket_without_origin_header_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[HOST])
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()
