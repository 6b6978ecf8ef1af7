"""Benchmark registry: the pages `manage.py bench` measures, the seeders that fill the database
for it, and WebSocket latency probes.

Each app registers from its own ``bench`` module, at import. Nothing imports those modules but
the bench: asking this registry for its pages, seeders or probes imports every installed app's
``bench`` module first (Django's ``autodiscover_modules``), so a production process never loads
the harness, and `hub` never imports a feature app:

    register_bench_seeder("community", seed_bench_forum, order=40)
    register_bench_page("forum topic", topic_url, as_user="member")
    register_bench_probe("notification delivery", measure_notification_delivery)
    register_throughput_page("forum topic", topic_url, order=50)

A probe is ``async def probe(samples) -> list[float] | list[ProbeResult]``: either the durations
(seconds) of ``samples`` round trips, reported as one row under the probe's name, or one
``ProbeResult`` per configuration it measured (say 1 server process, then 2), each a row with
its own name, failures and extra facts (sockets, processes, memory...).
"""

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules

# The password of every benchmark user; the bench database is never a production one.
BENCH_PASSWORD = "bench12345"  # noqa: S105
# The usernames of the bench's members (hub.accounts.bench makes them; other apps' data sets
# pick their authors, voters and attendees among them).
USERNAME_PREFIX = "bench-user-"

# Who a page is requested as: anonymous (None), a role below, or any other value as a username.
ROLES = {
    "member": {"username": "bench-member", "is_staff": False, "is_superuser": False},
    "staff": {"username": "bench-staff", "is_staff": True, "is_superuser": False},
    "superuser": {"username": "bench-admin", "is_staff": True, "is_superuser": True},
}


@dataclass(frozen=True)
class BenchPage:
    name: str
    url: str | Callable[[], str | None]
    as_user: str | None = None
    order: int = 100
    # Request headers (or a callable returning them, called after seeding): an API key, say.
    headers: dict | Callable[[], dict] | None = None

    def resolve(self) -> str | None:
        """The URL to request, or None while the data it needs is missing (the page is skipped)."""
        return self.url() if callable(self.url) else self.url

    def resolve_headers(self) -> dict:
        headers = self.headers() if callable(self.headers) else self.headers
        return dict(headers or {})


@dataclass(frozen=True)
class BenchSeeder:
    name: str
    func: Callable[[Callable[[str], None], float], None]
    order: int


@dataclass
class ProbeResult:
    """One row of a probe's report.

    ``durations`` are the completed samples in seconds (the bench reports p50/p95/p99/max);
    ``failures`` counts samples that never completed (a timeout, a lost message); ``error`` says
    why the configuration could not be measured at all. ``extra`` holds JSON-safe facts printed
    and saved with the row, e.g. ``{"sockets": 1000, "processes": 2, "rss_per_socket_kb": 41.5}``.
    """

    name: str
    durations: list[float] = field(default_factory=list)
    failures: int = 0
    error: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BenchProbe:
    name: str
    func: Callable[[int], Awaitable[list[float] | list[ProbeResult]]]


_pages: dict[str, BenchPage] = {}
_seeders: dict[str, BenchSeeder] = {}
_probes: dict[str, BenchProbe] = {}
_throughput_pages: dict[str, BenchPage] = {}


def register_bench_page(
    name: str, url, *, as_user: str | None = None, order: int = 100, headers=None
) -> None:
    """Measure ``url`` (a path, or a callable returning one or None, called after seeding).

    ``as_user`` is None for an anonymous visitor, "member", "staff" or "superuser" for a user the
    benchmark creates, or the username of an existing user. ``headers`` are sent with every
    request (a dict, or a callable returning one, e.g. an API key). Pages are measured by
    ``order``, then in registration order; registering a name again replaces it.
    """
    _pages.pop(name, None)
    _pages[name] = BenchPage(name=name, url=url, as_user=as_user, order=order, headers=headers)


def register_bench_seeder(name: str, func, *, order: int) -> None:
    """``func(log, scale)`` creates what is missing of the app's large data set.

    ``scale`` multiplies the sizes (1.0 is the reference data set). Seeders must be idempotent:
    a second run counts what exists and adds only the difference.
    """
    _seeders[name] = BenchSeeder(name=name, func=func, order=order)


def register_bench_probe(name: str, func) -> None:
    """``await func(samples)`` measures about ``samples`` WebSocket round trips.

    It returns their durations in seconds, or a list of ``ProbeResult`` rows (see above). It runs
    in an event loop, so ORM calls need ``sync_to_async``; it must bound every wait with a timeout
    and count what never arrived as failures instead of waiting for it.
    """
    _probes[name] = BenchProbe(name=name, func=func)


def register_throughput_page(name: str, url, *, order: int = 100) -> None:
    """Load ``url`` in the bench's throughput phase (hub/benchkit/throughput.py): served by the
    production servers and driven by ``wrk``, as an anonymous visitor and as the bench member.

    ``url`` is a path or a callable returning one (or None while its data is missing), called
    after seeding. Pages are loaded by ``order``; registering a name again replaces it.
    """
    _throughput_pages.pop(name, None)
    _throughput_pages[name] = BenchPage(name=name, url=url, order=order)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with ``fraction`` of all values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def discover() -> None:
    """Import every installed app's ``bench`` module, which registers what it measures."""
    autodiscover_modules("bench")


def bench_pages() -> list[BenchPage]:
    discover()
    return sorted(_pages.values(), key=lambda p: p.order)  # sorted() is stable


def bench_seeders() -> list[BenchSeeder]:
    discover()
    return sorted(_seeders.values(), key=lambda s: s.order)


def bench_probes() -> list[BenchProbe]:
    discover()
    return list(_probes.values())


def throughput_pages() -> list[BenchPage]:
    discover()
    return sorted(_throughput_pages.values(), key=lambda p: p.order)


# Site-wide endpoints from hub/urls.py, which belong to no app.
register_bench_page("sitemap", "/sitemap.xml", order=60)
register_bench_page("healthz", "/healthz", order=95)
# The throughput phase's ceiling is robots.txt (no database work, the same middleware):
# hub/benchkit/throughput.py loads it on each server beside the registered pages.


def bench_user(as_user: str):
    """The user a page is requested as: a role's user, created on first use, or a username."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    role = ROLES.get(as_user)
    if role is None:
        return User.objects.get(username=as_user)
    user, _ = User.objects.get_or_create(
        username=role["username"],
        defaults={
            "email": f"{role['username']}@example.com",
            "is_staff": role["is_staff"],
            "is_superuser": role["is_superuser"],
            "password": make_password(BENCH_PASSWORD),
        },
    )
    return user
