"""How a server process serves: the ASGI handler for HTTP (hub.asgi), and what a process does
once before its first request (hub.asgi and hub.wsgi)."""

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler
from django.urls import get_resolver

# The request body, read before the request takes one of the handler's threads.
_BODY: ContextVar = ContextVar("hub_serving_body")


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, serving the site's synchronous middleware and views as a threaded
    WSGI server would: the whole chain in one hop, on a few reused threads.

    Django's own handler, given sync-only middleware, puts an adapter at every boundary between
    a sync-only and an async-capable middleware and another around the view (three thread hops
    per request), and runs each request on a thread of its own, made for it and joined after it:
    with 20 requests at once on a 2-core machine that is 20 threads contending for the GIL. Here
    the chain is built as for WSGI and run in one call; each request runs on one of
    ``ASGI_SYNC_THREADS`` threads per process (2), kept for the next requests, and waits its
    turn for one after its body has arrived, so slow uploads hold no thread. Database
    connections stay per thread, as before. Request parsing, signals, disconnects, streaming and
    the response stay Django's. Measured (README "Throughput"): the member's topic page served
    ~30% more under uvicorn, with a lower p99.
    """

    def __init__(self):
        super().__init__()
        self._loop = None

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    def _threads(self) -> tuple[asyncio.Semaphore, list]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # one set per event loop (a server has one; tests, several)
            self._loop = loop
            self._slots = asyncio.Semaphore(max(1, int(settings.ASGI_SYNC_THREADS)))
            self._idle: list[ThreadPoolExecutor] = []
        return self._slots, self._idle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body = await super().read_body(receive)
        except RequestAborted:
            return
        token = _BODY.set(body)
        slots, idle = self._threads()
        try:
            async with slots:
                executor = idle.pop() if idle else ThreadPoolExecutor(1, "hub-http")
                try:
                    async with ThreadSensitiveContext(executor=executor):
                        await self.handle(scope, receive, send)
                finally:
                    idle.append(executor)
        finally:
            _BODY.reset(token)

    async def read_body(self, receive):
        return _BODY.get()  # read by __call__ before the request took a thread

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def freeze_startup_objects() -> None:
    """Load the URL patterns, then move every object alive now out of the garbage collector's
    view (``gc.freeze``).

    A started process holds hundreds of thousands of long-lived objects (modules, models,
    Wagtail's registries, URL patterns) that are never garbage. Left in the collector's oldest
    generation, each full collection walks them all, and under load that pause was the slowest
    1% of responses: at 20 concurrent clients on uvicorn, p99 fell from about 250 ms to about
    80 ms for the no-database ceiling view once they were frozen (README "Throughput"). Objects
    created later are collected as usual.
    """
    get_resolver().url_patterns  # noqa: B018  (imports every view module and builds the patterns)
    gc.collect()
    gc.freeze()
