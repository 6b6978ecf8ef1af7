"""Shared browser-test fixtures: Chromium, and the real ASGI application served in a thread.

pytest-django's live_server speaks WSGI, which has no WebSockets (the page's notification socket
would fail), so `asgi_live_server` serves hub.asgi.application with uvicorn in a thread of this
process: it shares the test database and the in-memory channel layer.
"""

import os
import socket
import threading
import time
from dataclasses import dataclass

import pytest

START_TIMEOUT = 10  # seconds for uvicorn to listen
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (it cannot download browsers here)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class AsgiLiveServer:
    url: str


@pytest.fixture
def asgi_live_server():
    """hub.asgi.application (HTTP and WebSockets) under uvicorn, in a thread of this process."""
    import uvicorn

    from hub.asgi import application

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        application, lifespan="off", log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)  # off the main thread, uvicorn installs no signal handlers
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="asgi-live-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            listener.close()
            pytest.fail("the ASGI live server did not start")
        time.sleep(0.02)
    try:
        yield AsgiLiveServer(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
