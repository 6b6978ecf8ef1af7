"""PostgreSQL dropping connections under load, and a connection pool with none to spare, over
real HTTP: a uvicorn process (the production server) on the test database answers every
request with its page or with 503 + Retry-After, never a 500."""

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.community.factories import make_category, make_topic
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REPO = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("DBFAULTS_TEST_PORT", "8106"))
PAGE = f"http://127.0.0.1:{PORT}/community/"
APP_NAME = "hub-dbfaults-server"


def serve(**env) -> subprocess.Popen:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": "hub-test-dbfaults",
        "LOG_LEVEL": "WARNING",
        "PGAPPNAME": APP_NAME,  # so the test terminates the server's connections only
        # Every request must reach the database: a page served from the anonymous page cache
        # would never meet the fault this test injects.
        "PAGECACHE_ENABLED": "false",
        # As many requests at once as the load sends, each on its own thread and connection.
        "ASGI_SYNC_THREADS": "32",
        # Nor a forum index made of kept pieces (anonymous, it needs no query at all then).
        "FRAGMENT_CACHE_ENABLED": "false",
        **env,
    }
    server = subprocess.Popen(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "-m", "uvicorn", "hub.asgi:application", "--port", str(PORT)]
        + ["--host", "127.0.0.1", "--log-level", "warning"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if fetch(PAGE)[0] in (200, 503):
            return server
        time.sleep(0.3)
    server.kill()
    raise AssertionError(f"the server did not start: {server.communicate()[1].decode()[-2000:]}")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  (loopback)
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After", "")
    except OSError:
        return 0, ""


def burst(requests: int, threads: int) -> list[tuple[int, str]]:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda _: fetch(PAGE), range(requests)))


def burst_for(seconds: float, threads: int) -> list[tuple[int, str]]:
    """Each thread requests the page again and again for ``seconds``: the load lasts long enough
    for several waves of terminations however fast the page is."""
    deadline = time.monotonic() + seconds

    def client(_) -> list[tuple[int, str]]:
        results = []
        while time.monotonic() < deadline:
            results.append(fetch(PAGE))
        return results

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [result for results in pool.map(client, range(threads)) for result in results]


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture
def forum(db):
    author = UserFactory(username="author")
    for n in range(3):
        make_topic(make_category(f"c{n}"), author, posts=3)


def test_connections_terminated_during_a_burst_cost_no_500(forum):
    server = serve()
    stopping = threading.Event()
    terminated = []

    def terminate_backends():
        while not stopping.wait(0.5):  # a wave of terminations every half second
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    [APP_NAME],
                )
                terminated.append(cursor.fetchone()[0])
        connection.close()

    killer = threading.Thread(target=terminate_backends)
    killer.start()
    try:
        results = burst_for(seconds=4, threads=6)
    finally:
        stopping.set()
        killer.join()
        stop(server)

    statuses = Counter(status for status, _ in results)
    assert len(results) >= 60, statuses
    assert sum(terminated) > 0  # the fault really happened during the load
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] >= len(results) // 2, statuses  # most were simply retried
    assert all(retry for status, retry in results if status == 503)


def test_an_exhausted_pool_answers_503_with_retry_after_not_500(forum):
    server = serve(DATABASE_POOL_MAX_SIZE="1", DATABASE_POOL_TIMEOUT="0.05")
    try:
        results = burst(requests=60, threads=30)
    finally:
        stop(server)

    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[503] > 0 and statuses[200] > 0, statuses
    assert all(retry for status, retry in results if status == 503)
