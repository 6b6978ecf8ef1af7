"""ASGI entry point: HTTP to Django; WebSockets through origin validation (scheme, host and
port: hub.origins) and session auth."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, running the middleware chain and the view as WSGI does: whole, in
    one hop to the thread that runs synchronous code.

    The site's middleware and views are synchronous. Given them, Django's own ASGI handler builds
    an async chain with an adapter at each boundary between a sync-only and an async-capable
    middleware, and runs the view through another: three thread hops and their asyncio
    bookkeeping per request, which cost more CPU than a cached page itself (under uvicorn, 2
    workers on 2 cores, the no-database ceiling view served about half of this handler's req/s;
    README "Throughput"). Request and response handling, signals and streaming stay Django's.
    """

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


# Set up Django (apps, settings) before anything imports models through the routing.
django.setup(set_prefix=False)
django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from hub.origins import SameOriginValidator  # noqa: E402
from hub.routing import websocket_urlpatterns  # noqa: E402
from hub.serving import freeze_startup_objects  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

freeze_startup_objects()
