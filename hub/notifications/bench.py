"""Benchmark probe: how long a notification takes from notify() to a member's open socket.

For one server process, then two sharing the Redis channel layer, the probe

1. gives SOCKETS bench members (hub/accounts/bench.py) a session, as if each had signed in;
2. starts uvicorn serving hub.asgi on a free port per process, with this process's settings,
   DATABASE_URL and REDIS_URL, and waits until /healthz answers;
3. opens one socket per member (split evenly across the processes), says hello, waits for the
   sync, and reads each server's RSS before and after: memory per open socket;
4. calls the real notify() (preferences query, insert, commit, on_commit push through Redis)
   max(samples, MIN_SAMPLES) times, each for one connected member, every INTERVAL seconds, in a
   worker thread so the event loop keeps reading the sockets; each is timed from just before
   notify() to the moment the client reads that notification's id off its socket;
5. closes the sockets, stops the servers, deletes the sessions and the notifications it made.

Every wait is bounded; a notification that does not arrive within DELIVERY_TIMEOUT counts as a
failure. The target is a p99 under 100 ms with 1,000 sockets on one process.
"""

import asyncio
import contextlib
import inspect
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.urls import reverse

from hub import realtime
from hub.bench import (
    USERNAME_PREFIX,
    ProbeResult,
    percentile,
    register_bench_page,
    register_bench_probe,
)

SOCKETS = 1_000
MIN_SAMPLES = 500  # p99 of 500 samples is the 5th slowest; fewer would make it one outlier
INTERVAL = 0.01  # seconds between two notify() calls: 100 notifications a second
TARGET_P99_MS = 100
CONNECT_CONCURRENCY = 50  # sockets being opened at once, like a crowd arriving, not a stampede
START_TIMEOUT = 60.0  # for a server to answer /healthz
OPEN_TIMEOUT = 30.0  # for one socket to open and sync
CONNECT_PHASE_TIMEOUT = 120.0  # for all the sockets of one configuration
NOTIFY_TIMEOUT = 10.0  # for one notify() call
SEND_PHASE_TIMEOUT = 60.0  # for all the notify() calls of one configuration
DELIVERY_TIMEOUT = 10.0  # after the last notify(), for what is still on its way
STOP_TIMEOUT = 10.0  # for a server to exit after SIGTERM


async def measure_notification_delivery(samples: int) -> list[ProbeResult]:
    """Delivery latency at SOCKETS sockets on 1 process, then on 2 over Redis."""
    name = f"notification delivery, {SOCKETS} sockets"
    try:
        import uvicorn  # noqa: F401
        from websockets.asyncio.client import connect  # noqa: F401  (uvicorn[standard])
    except ImportError as exc:
        return [
            ProbeResult(name=name, error=f"{exc}; install the dev extra: pip install -e '.[dev]'")
        ]
    if not realtime.layer_is_shared():
        return [ProbeResult(name=name, error="needs REDIS_URL: server processes share no layer")]

    # One thread for every ORM call, so the bench keeps one database connection; notify() runs
    # there too, and its on_commit push comes back to this event loop through async_to_sync.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-notify")

    def orm(func):
        return sync_to_async(func, thread_sensitive=False, executor=executor)

    try:
        users = await orm(_bench_users)(SOCKETS)
        if not users:
            return [ProbeResult(name=name, error="no bench users: the accounts seeder did not run")]
        sessions = await orm(_create_sessions)(users)
        try:
            count = max(samples, MIN_SAMPLES)
            return [await _measure(processes, sessions, count, orm) for processes in (1, 2)]
        finally:
            await orm(_delete_sessions)([key for _, key in sessions])
    finally:
        await orm(connections.close_all)()
        executor.shutdown(wait=False)


async def _measure(processes: int, sessions: list[tuple[int, str]], count: int, orm) -> ProbeResult:
    result = ProbeResult(
        name=f"notification delivery, {processes} process{'es' if processes > 1 else ''}",
        extra={"processes": processes},
    )
    servers: list[_Server] = []
    clients: list[_Client] = []
    arrivals: dict[int, float] = {}  # notification id -> when a client read it
    created: list[int] = []
    try:
        servers = [_Server() for _ in range(processes)]
        ready = await asyncio.gather(*(server.wait_ready() for server in servers))
        if not all(ready):
            result.error = "server did not start: " + next(
                server.log_tail() for server, ok in zip(servers, ready, strict=True) if not ok
            )
            return result
        rss_before = [server.rss_kb() for server in servers]
        last_id = await orm(_newest_notification_id)()

        # Open the sockets, each member on one of the processes in turn.
        started = time.perf_counter()
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def open_one(index: int, user_id: int, session_key: str) -> None:
            async with limit:
                client = _Client(user_id, servers[index % processes].port, arrivals)
                clients.append(client)
                await client.open(session_key, last_id)

        opening = [open_one(i, uid, key) for i, (uid, key) in enumerate(sessions)]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*opening, return_exceptions=True), CONNECT_PHASE_TIMEOUT
            )
        synced = [client for client in clients if client.synced]
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(0.5)  # let the servers finish what the last hellos started
        rss_after = [server.rss_kb() for server in servers]
        result.extra |= {
            "sockets": len(synced),
            "socket_failures": len(sessions) - len(synced),
            "connect_s": round(connect_seconds, 1),
            "rss_before_mb": round(sum(rss_before) / 1024, 1),
            "rss_after_mb": round(sum(rss_after) / 1024, 1),
            "rss_per_socket_kb": (
                round((sum(rss_after) - sum(rss_before)) / len(synced), 1) if synced else None
            ),
        }
        if not synced:
            errors = {client.error for client in clients if client.error}
            result.error = "no socket synced: " + "; ".join(sorted(errors)[:3])
            return result

        # Notify one connected member at a time, in a fixed random order over all of them.
        targets = random.Random(count).sample(synced, len(synced))
        sent: dict[int, float] = {}  # notification id -> just before its notify() call
        notify_seconds: list[float] = []
        started = time.perf_counter()
        for number in range(count):
            if time.perf_counter() - started > SEND_PHASE_TIMEOUT:
                result.failures += count - number  # never sent: the probe ran out of time
                break
            target = targets[number % len(targets)]
            try:
                t0, ids, t1 = await asyncio.wait_for(
                    orm(_notify_one)(target.user_id, number), NOTIFY_TIMEOUT
                )
            except Exception:  # a failed notify() is a failed sample, not a failed bench
                result.failures += 1
            else:
                created += ids
                notify_seconds.append(t1 - t0)
                if ids:
                    sent[ids[0]] = t0
                else:
                    result.failures += 1  # stored nothing: the member turned the kind off
            pause = started + (number + 1) * INTERVAL - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)

        deadline = time.perf_counter() + DELIVERY_TIMEOUT
        while time.perf_counter() < deadline and not sent.keys() <= arrivals.keys():
            await asyncio.sleep(0.05)
        result.durations = [arrivals[nid] - t0 for nid, t0 in sent.items() if nid in arrivals]
        result.failures += sum(1 for nid in sent if nid not in arrivals)
        result.extra["load_1m"] = round(os.getloadavg()[0], 2)  # other work skews the timings
        if notify_seconds:
            ms = [s * 1000 for s in notify_seconds]
            result.extra |= {
                "notify_call_p50_ms": round(percentile(ms, 0.5), 1),
                "notify_call_p99_ms": round(percentile(ms, 0.99), 1),
            }
        if result.durations:
            p99 = percentile(result.durations, 0.99) * 1000
            result.extra["p99_within_target"] = p99 < TARGET_P99_MS
        return result
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(client.close() for client in clients), return_exceptions=True),
                STOP_TIMEOUT,
            )
        await asyncio.gather(*(server.stop() for server in servers), return_exceptions=True)
        if created:
            await orm(_delete_notifications)(created)


class _Server:
    """One uvicorn process serving hub.asgi on a free local port, logging to a temporary file."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hub.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--lifespan",
                "off",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    async def wait_ready(self) -> bool:
        """True once /healthz answers 200; False when the process died or took too long."""
        url = f"http://127.0.0.1:{self.port}/healthz"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy

        def answers() -> bool:
            try:
                with opener.open(url, timeout=5) as response:
                    return response.status == 200
            except OSError:
                return False

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            if await asyncio.to_thread(answers):
                return True
            await asyncio.sleep(0.2)
        return False

    def rss_kb(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def log_tail(self) -> str:
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:]) or f"exit code {self.process.poll()}"

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            deadline = time.monotonic() + STOP_TIMEOUT
            while self.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if self.process.poll() is None:
                self.process.kill()
                await asyncio.to_thread(self.process.wait, STOP_TIMEOUT)
        self.log.close()


class _Client:
    """One member's socket: opens, says hello, then records when each notification arrives."""

    def __init__(self, user_id: int, port: int, arrivals: dict[int, float]):
        self.user_id = user_id
        self.port = port
        self.arrivals = arrivals
        self.socket = None
        self.reader: asyncio.Task | None = None
        self.synced = False
        self.error = ""

    async def open(self, session_key: str, last_id: int) -> None:
        from websockets.asyncio.client import connect

        options = {"proxy": None} if "proxy" in inspect.signature(connect).parameters else {}
        try:
            async with asyncio.timeout(OPEN_TIMEOUT):
                self.socket = await connect(
                    f"ws://127.0.0.1:{self.port}/ws/notifications/",
                    origin=f"http://127.0.0.1:{self.port}",
                    additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
                    open_timeout=OPEN_TIMEOUT,
                    ping_interval=None,
                    close_timeout=2,
                    **options,
                )
                await self.socket.send(json.dumps({"type": "hello", "last_id": last_id}))
                while not self.synced:
                    message = json.loads(await self.socket.recv())
                    self.synced = message.get("type") == "sync"
        except Exception as exc:  # counted as a socket failure, reported by kind
            self.error = f"{exc.__class__.__name__}: {exc}"[:200]
            return
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.socket:
                received = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") == "notification":
                    self.arrivals.setdefault(message["notification"]["id"], received)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.socket is not None:
            await self.socket.close()


def _bench_users(limit: int) -> list:
    return list(
        get_user_model()
        .objects.filter(username__startswith=USERNAME_PREFIX, is_active=True)
        .order_by("username")[:limit]
    )


def _create_sessions(users) -> list[tuple[int, str]]:
    """A signed-in session per user, as django.contrib.auth.login() would store it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    sessions = []
    with transaction.atomic():
        for user in users:
            store = store_class()
            store[SESSION_KEY] = user._meta.pk.value_to_string(user)
            store[BACKEND_SESSION_KEY] = backend
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            sessions.append((user.pk, store.session_key))
    return sessions


def _delete_sessions(keys: list[str]) -> None:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        for key in keys:
            store_class(session_key=key).delete()


def _newest_notification_id() -> int:
    from .models import Notification

    return Notification.objects.values_list("pk", flat=True).order_by("-pk").first() or 0


def _notify_one(user_id: int, number: int) -> tuple[float, list[int], float]:
    """notify() as a service would call it, in its own transaction; times the whole call."""
    from .services import ANNOUNCEMENT, notify

    started = time.perf_counter()
    with transaction.atomic():
        notifications = notify([user_id], ANNOUNCEMENT, text=f"Bench notification {number}")
    return started, [n.pk for n in notifications], time.perf_counter()


def _delete_notifications(ids: list[int]) -> None:
    from .models import Notification

    Notification.objects.filter(pk__in=ids).delete()


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_probe("notification delivery", measure_notification_delivery)

# Preferences grouped by area, every kind with its choice (one read, whatever the kinds).
register_bench_page(
    "notification preferences",
    lambda: reverse("notifications:preferences"),
    as_user="member",
    order=87,
)
