"""The WebSocket origin check: the page that opens a socket must come from this very site.

Channels' ``AllowedHostsOriginValidator`` compares the Origin header's host name with
ALLOWED_HOSTS and ignores the port, so a page served by another program on the same host (any
port) could open a member's socket with their cookies. ``SameOriginValidator`` wants the Origin's
host and port to be those the socket was opened on (its Host header) and the host allowed by
ALLOWED_HOSTS, or the origin listed exactly in CSRF_TRUSTED_ORIGINS (a site behind a proxy that
rewrites Host).
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                return value.decode("latin1")
            except UnicodeDecodeError:
                return None
    return None


def _origin(value: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def origin_allowed(scope) -> bool:
    origin_header = _header(scope, b"origin")
    origin = _origin(origin_header) if origin_header else None
    if origin is None:
        return False
    scheme, host, port = origin
    trusted = {_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS}
    if origin in trusted:
        return True
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return False
    host_header = _header(scope, b"host")
    if not host_header:
        return False
    domain, host_port = split_domain_port(host_header)
    if not domain:
        return False
    # A Host without a port is on the default port of the page's scheme (behind a TLS proxy the
    # socket itself may arrive as plain ws).
    return (domain, int(host_port or DEFAULT_PORTS[scheme])) == (host, port)


class SameOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("SameOriginValidator guards WebSocket connections only")
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
