"""ASGI entry point: HTTP to Django; WebSockets through origin validation (scheme, host and
port: hub.origins) and session auth."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")

# Set up Django (apps, settings) before anything imports models through the routing.
django.setup(set_prefix=False)

from hub.serving import SyncChainASGIHandler, freeze_startup_objects  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from hub.origins import SameOriginValidator  # noqa: E402
from hub.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

freeze_startup_objects()
