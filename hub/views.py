"""Site-wide endpoints that belong to no app: health check and robots.txt."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

logger = logging.getLogger(__name__)

CHANNEL_LAYER_TIMEOUT = 2.0


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


async def _round_trip(layer) -> None:
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned a different message")


def check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def probe():
        await asyncio.wait_for(_round_trip(layer), CHANNEL_LAYER_TIMEOUT)

    async_to_sync(probe)()
    return "ok"


def check_cache() -> str:
    check = getattr(cache, "check", None)
    if check is not None:  # hub.cache.ResilientRedisCache: ask Redis itself, not the fallback
        check()
        return "ok"
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")
    return "ok"


CHECKS = {"database": check_database, "channel_layer": check_channel_layer, "cache": check_cache}
# Without these the site cannot answer at all; without the others (Redis: the cache and the
# channel layer) it still serves every page and action, degraded: caches miss, rate limits fail
# open, pushes wait for the client's catch-up. A load balancer should keep sending traffic then.
ESSENTIAL = frozenset({"database"})


@never_cache
@require_GET
def healthz(request):
    """For load balancers and uptime checks: each component "ok" or "error: <kind>", and

    - 200 "ok" when every component answers;
    - 200 "degraded" when only Redis's parts (cache, channel layer) fail: the site still works;
    - 503 "error" when the database fails.
    """
    results = {}
    failed = set()
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports every failure instead of raising
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
            failed.add(name)
    if failed & ESSENTIAL:
        status, code = "error", 503
    elif failed:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **results}, status=code)


MAX_MEDIA_PATH = 255


@require_GET
def media(request, path: str):
    """Uploads, when Django serves them itself (SERVE_MEDIA); MEDIA_ROOT is read per request."""
    if len(path) > MAX_MEDIA_PATH:
        raise Http404
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except (OSError, ValueError):  # a name the file system refuses (too long, invalid)
        raise Http404 from None


def bad_request(request, exception=None):
    """The 400 page in the site's layout (a malformed form or upload, a NUL byte, too many
    fields)."""
    body = render_to_string("400.html", request=request)
    return HttpResponseBadRequest(body)


@require_GET
def robots_txt(request):
    body = render_to_string("robots.txt", {"request": request})
    return HttpResponse(body, content_type="text/plain")
