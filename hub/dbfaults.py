"""When the database drops a connection or has none to spare: retry, else 503, never a 500.

PostgreSQL restarting, a failover, ``pg_terminate_backend`` or a full connection pool make a
query raise ``OperationalError`` / ``InterfaceError`` (``psycopg_pool.PoolTimeout`` is an
``OperationalError``). ``DatabaseFaultMiddleware`` then:

- runs the request once more on a fresh connection when that is safe: a GET or HEAD, or any
  request that had not yet sent a write (INSERT, UPDATE, DELETE) to the database;
- otherwise, or when the retry fails too, answers 503 with ``Retry-After`` and the site's
  "try again in a moment" page (``templates/503.html``, which needs no database), and logs it.

A fault raised by another middleware rather than the view reaches ``server_error``, the site's
``handler500``, which gives the same 503 answer.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE")

try:
    import psycopg
except ImportError:  # pragma: no cover  (SQLite-only installs)
    psycopg = None

# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P admin shutdown /
# crash shutdown / cannot connect now, 53 insufficient resources (too many connections).
CONNECTION_STATES = ("08", "57P", "53")


def is_database_fault(error: BaseException | None) -> bool:
    """A lost, refused or unavailable PostgreSQL connection (a full pool included): not a bad
    query or a busy SQLite, which are bugs to see as 500s."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return psycopg is not None and isinstance(error, psycopg.OperationalError)
    cause = error.__cause__
    if psycopg is None or not isinstance(cause, psycopg.Error):
        return False
    # No SQLSTATE: the client lost the server (closed socket, refused, pool timeout).
    return cause.sqlstate is None or cause.sqlstate.startswith(CONNECTION_STATES)


FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body><h1>{title}</h1><p><a href="/">Home</a></p></body></html>'
)


def render_safe_page(template_name: str, fallback_title: str) -> str:
    """An error page in the site's layout (``layouts/safe.html``) that reads no database: no
    request, so no context processors, brand settings or member. Should even that fail (the
    templates or translations are what broke), a bare static page still answers."""
    try:
        return render_to_string(template_name, {"site_name": settings.WAGTAIL_SITE_NAME})
    except Exception:  # noqa: BLE001  (an error page must not raise)
        logger.exception("Could not render %s", template_name)
        return FALLBACK_PAGE.format(title=fallback_title)


def unavailable(request) -> HttpResponse:
    response = HttpResponse(
        render_safe_page("503.html", "Busy for a moment"), status=503, content_type="text/html"
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _drop_connections() -> None:
    """Give back this thread's connections so the next query opens (or checks out) a good one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # noqa: BLE001  (already broken: closing is all we want)
            connection.connection = None


def _fault(request, error: BaseException) -> HttpResponse:
    request._database_fault = error
    logger.warning(
        "Database unavailable for %s %s: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    _drop_connections()
    return unavailable(request)


class DatabaseFaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wrote = []

        def watch(execute, sql, params, many, context):
            if sql.lstrip().upper().startswith(WRITES):
                wrote.append(True)
            return execute(sql, params, many, context)

        response = self._run(request, watch)
        fault = getattr(request, "_database_fault", None)
        if fault is not None and (request.method in SAFE_METHODS or not wrote):
            logger.info("Retrying %s %s on a fresh connection", request.method, request.path)
            del request._database_fault
            response = self._run(request, watch)
        return response

    def _run(self, request, watch):
        connection = connections["default"]
        with connection.execute_wrapper(watch):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_fault(exception):
            return _fault(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: a database fault anywhere is a 503 to try again, everything else a 500."""
    error = sys.exc_info()[1]
    if is_database_fault(error):
        return _fault(request, error)
    return HttpResponseServerError(render_safe_page(template_name, "Something went wrong"))
