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


def test_http_runs_the_whole_middleware_chain_in_one_hop_to_the_sync_thread():
    from asyncio import iscoroutinefunction

    from hub.asgi import django_asgi_app

    # Built as WSGI builds it (hub.asgi.SyncChainASGIHandler): no async adapters between the
    # site's synchronous middleware.
    assert not iscoroutinefunction(django_asgi_app._middleware_chain)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_middleware_chain_applies_through_asgi():
    missing = await HttpCommunicator(
        application, "GET", "/no-such-page/", headers=[HOST]
    ).get_response()
    assert missing["status"] == 404
    assert b"Skip to content" in missing["body"]  # the site's own 404 page, in its layout
    forged = await HttpCommunicator(
        application, "POST", "/community/preview/", body=b"body=hi", headers=[HOST]
    ).get_response()
    assert forged["status"] == 403  # CSRF checked
    headers = {name.lower(): value for name, value in forged["headers"]}
    assert b"content-security-policy" in headers and headers[b"x-frame-options"] == b"DENY"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_requests_share_a_few_reused_threads(settings, monkeypatch):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from hub import serving

    made = []

    def executor(*args, **kwargs):
        made.append(ThreadPoolExecutor(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(serving, "ThreadPoolExecutor", executor)
    settings.ASGI_SYNC_THREADS = 2
    handler = serving.SyncChainASGIHandler()

    async def get():
        communicator = HttpCommunicator(handler, "GET", "/healthz", headers=[HOST])
        return (await communicator.get_response(timeout=10))["status"]

    assert [await get() for _ in range(3)] == [200, 200, 200]
    assert len(made) == 1  # one after another: the same thread each time
    assert await asyncio.gather(*(get() for _ in range(6))) == [200] * 6
    assert len(made) <= 2  # at once: never more threads than ASGI_SYNC_THREADS
