"""One signed HTTP POST to an endpoint, guarded: timeouts, no redirects, a capped response read,
and (in production) no private, loopback or link-local addresses (SSRF).

The address check happens when the socket connects, on the address actually connected to, so
a name that resolves to a public address when checked and a private one when used (DNS
rebinding) is refused too.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

USER_AGENT = "AdvocateHub-Webhooks/1"
READ_LIMIT = 64 * 1024  # bytes of the answer read at most
KEPT_BODY = 2000  # characters of it kept in the log
TOTAL_DEADLINE = 30.0  # seconds for the whole answer, however slowly it trickles in


class BlockedAddress(Exception):
    """The endpoint's host is (or resolves to) an address webhooks may not be sent to."""


def address_allowed(address: str) -> bool:
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_refusal(url: str) -> str:
    """Why ``url`` may not be an endpoint, judged without a DNS lookup ("" when it may)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "Use an http:// or https:// address."
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "The address has no host name."
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False):
        return ""
    if host == "localhost" or host.endswith(".localhost"):
        return "Webhooks cannot be sent to this machine."
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return ""
    if not address_allowed(host):
        return "Webhooks cannot be sent to private, loopback or link-local addresses."
    return ""


class _GuardedMixin:
    def _new_conn(self):
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NewConnectionError(self, f"could not resolve {self.host}: {error}") from error
        addresses = [info[4][0] for info in infos]
        refused = [a for a in addresses if not address_allowed(a)]
        if refused or not addresses:
            raise BlockedAddress(
                f"{self.host} resolves to {', '.join(refused) or 'nothing'}: webhooks are not "
                "sent to private, loopback or link-local addresses"
            )
        last_error = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                last_error = ConnectTimeoutError(self, f"connecting to {self.host} timed out")
                last_error.__cause__ = error
            except OSError as error:
                last_error = NewConnectionError(self, f"could not connect to {self.host}: {error}")
        raise last_error


class GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


_manager: urllib3.PoolManager | None = None


def _pool_manager() -> urllib3.PoolManager:
    global _manager
    if _manager is None:
        manager = urllib3.PoolManager(num_pools=20, maxsize=2, retries=False)
        manager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}
        _manager = manager
    return _manager


@dataclass
class Result:
    status_code: int | None
    response_ms: int
    body: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict) -> Result:
    """POST ``body`` to ``url``; never raises for what the network or the receiver does."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    timeout = urllib3.Timeout(
        connect=settings.WEBHOOKS_CONNECT_TIMEOUT, read=settings.WEBHOOKS_READ_TIMEOUT
    )
    refusal = host_refusal(url)
    if refusal:
        return Result(None, 0, error=refusal)
    try:
        response = _pool_manager().request(
            "POST",
            url,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
            redirect=False,  # a redirect is an answer, not an instruction: it counts as a failure
            retries=False,
            timeout=timeout,
            preload_content=False,
        )
    except BlockedAddress as error:
        return Result(None, elapsed(), error=str(error)[:255])
    except urllib3.exceptions.HTTPError as error:
        reason = getattr(error, "reason", None) or error
        return Result(None, elapsed(), error=f"{type(error).__name__}: {reason}"[:255])
    try:
        chunks, size = [], 0
        deadline = started + TOTAL_DEADLINE
        while size < READ_LIMIT and time.perf_counter() < deadline:
            chunk = response.read(min(8192, READ_LIMIT - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        text = b"".join(chunks).decode("utf-8", errors="replace")[:KEPT_BODY]
        error = ""
        if 300 <= response.status < 400:
            error = f"redirected to {response.headers.get('Location', '?')} (not followed)"[:255]
    except urllib3.exceptions.HTTPError as exc:
        text, error = "", f"reading the answer failed: {type(exc).__name__}"
    finally:
        response.close()  # what was not read is dropped with the connection
        response.release_conn()
    return Result(response.status, elapsed(), body=text, error=error)
