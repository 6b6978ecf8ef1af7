"""WSGI entry point, for tooling that expects one; the site is served over ASGI (hub.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")

application = get_wsgi_application()

from hub.serving import freeze_startup_objects  # noqa: E402  (after Django is set up)

freeze_startup_objects()
