"""With the Redis channel layer, a notification created in one OS process reaches a socket held by
another: here, this test process and a daphne server process sharing the test database."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from hub.notifications import services
from hub.notifications.services import ANNOUNCEMENT
from tests.factories import UserFactory, session_cookie

pytestmark = pytest.mark.postgres

START_TIMEOUT = 60  # seconds for daphne to answer /healthz
DELIVERY_TIMEOUT = 2  # seconds from notify() to the socket


def test_healthz_channel_layer_check_is_ok_on_redis(client, db):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["channel_layer"] == "ok"


class ServerProcess:
    """daphne serving hub.asgi on a free port, on the test database, logging to a temporary file."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        # pytest-django created the test database under its own name (test_…): point there.
        database_url = urlsplit(os.environ["DATABASE_URL"])
        database_url = database_url._replace(path="/" + connection.settings_dict["NAME"])
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hub.settings.test",
            "DATABASE_URL": database_url.geturl(),
            "REDIS_URL": settings.REDIS_URL,
        }
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
            + ["hub.asgi:application"],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_healthy(self) -> dict:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with opener.open(f"{self.url}/healthz", timeout=5) as response:
                    return json.load(response)
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"daphne did not start: {self.output()[-2000:]}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def server_process(transactional_db):
    """Rows this test commits are visible to the server; it stops before the tables are flushed."""
    server = ServerProcess()
    server.health = server.wait_until_healthy()
    yield server
    server.stop()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_notification_created_here_reaches_a_socket_held_by_another_process(
    server_process,
):
    from websockets.asyncio.client import connect

    assert server_process.health["channel_layer"] == "ok"
    ana = await database_sync_to_async(UserFactory)(username="ana")
    session_key = await database_sync_to_async(session_cookie)(ana)

    async with connect(
        f"ws://127.0.0.1:{server_process.port}/ws/notifications/",
        origin=server_process.url,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        proxy=None,
        open_timeout=10,
        close_timeout=2,
    ) as websocket:
        await websocket.send(json.dumps({"type": "hello", "last_id": 0}))
        sync = json.loads(await asyncio.wait_for(websocket.recv(), 10))
        assert (sync["type"], sync["notifications"], sync["unread"]) == ("sync", [], 0)

        [created] = await database_sync_to_async(services.notify)(
            ana, ANNOUNCEMENT, text="Pushed across processes"
        )
        message = json.loads(await asyncio.wait_for(websocket.recv(), DELIVERY_TIMEOUT))

    assert message["type"] == "notification"
    assert message["notification"]["id"] == created.pk
    assert message["notification"]["text"] == "Pushed across processes"
