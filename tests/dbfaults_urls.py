"""Views for tests/test_dbfaults.py: pages whose database goes away at a chosen moment."""

from django.db import OperationalError, connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from psycopg import errors
from psycopg_pool import PoolTimeout

from hub.urls import handler500  # noqa: F401  (the site's own, as the tests check)

calls = {"flaky": 0}


def lost(message: str, cause=errors.AdminShutdown) -> OperationalError:
    """As Django raises it: its OperationalError caused by psycopg's."""
    error = OperationalError(message)
    error.__cause__ = cause(message)
    return error


def flaky(request):
    """Loses its connection on the first call only."""
    calls["flaky"] += 1
    if calls["flaky"] == 1:
        raise lost("terminating connection due to administrator command")
    return HttpResponse("fine")


@csrf_exempt
def wrote_then_lost(request):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_site SET name = name WHERE id = -1")
    raise lost("server closed the connection unexpectedly", errors.OperationalError)


@csrf_exempt
def lost_before_writing(request):
    return flaky(request)


def pool_empty(request):
    raise PoolTimeout("couldn't get a connection after 5.00 sec")


def broken(request):
    raise RuntimeError("a bug")


def bad_query(request):
    raise lost('column "nope" does not exist', errors.UndefinedColumn)


def sqlite_query(request):
    raise OperationalError("no such column: javascript")


urlpatterns = [
    path("flaky/", flaky),
    path("wrote-then-lost/", wrote_then_lost),
    path("lost-before-writing/", lost_before_writing),
    path("pool-empty/", pool_empty),
    path("broken/", broken),
    path("bad-query/", bad_query),
    path("sqlite-query/", sqlite_query),
]
