"""Benchmark data for events: 5,000 event pages and 500,000 RSVPs, the pages to time, and a
probe of RSVPs per second on one hot event.

Pages are inserted as hub/content/bench.py inserts stories: base ``Page`` rows in one bulk
insert with treebeard paths computed here, then each ``EventPage`` row with a raw save (no
revisions, no signals); RSVPs with ``bulk_create`` in batches.
"""

import datetime
import random
import time
import uuid

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from wagtail.models import Page

from hub.accounts.models import User
from hub.api.bench import bench_api_headers
from hub.bench import (
    USERNAME_PREFIX,
    register_bench_page,
    register_bench_probe,
    register_bench_seeder,
    register_throughput_page,
)

from .models import RSVP, EventIndexPage, EventPage
from .queries import clear_caches, event_index_url

EVENTS = 5_000
RSVPS = 500_000
BATCH_SIZE = 5_000
SLUG_PREFIX = "bench-event-"
HOT_EVENT = 1  # the upcoming event the page bench and the RSVP probe use
PROBE_THREADS = 8
TITLES = ["Trail day", "Repair café", "Layering workshop", "Gear test", "Night hike", "Meetup"]
PLACES = ["Bristol", "Boulder", "Leeds", "Lyon", "Tbilisi", "Helsinki", "Porto", "Denver"]
ZONES = ["Europe/London", "America/Denver", "Europe/Paris", "Asia/Tbilisi", "Europe/Helsinki"]


def bench_event_slug(number: int) -> str:
    return f"{SLUG_PREFIX}{number:05d}"


def seed_bench_events(log, scale: float) -> None:
    index = EventIndexPage.objects.first()
    if index is None:
        raise RuntimeError("no event index: the events demo seeder creates it, run it first")
    target = max(1, round(EVENTS * scale))
    existing = set(
        EventPage.objects.child_of(index)
        .filter(slug__startswith=SLUG_PREFIX)
        .values_list("slug", flat=True)
    )
    missing = [n for n in range(1, target + 1) if bench_event_slug(n) not in existing]
    if missing:
        with transaction.atomic():
            _insert_events(index, missing)
        clear_caches()
        log(f"created {len(missing)} events ({len(existing) + len(missing)} in all)")
    else:
        log(f"{len(existing)} events exist")
    _seed_rsvps(log, max(1, round(RSVPS * scale)))


def _insert_events(index, numbers: list[int]) -> None:
    depth = index.depth + 1
    last_path = Page.objects.filter(path__startswith=index.path, depth=depth).aggregate(
        Max("path")
    )["path__max"]
    step = Page._str2int(last_path[-Page.steplen :]) if last_path else 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    events = []
    for number in numbers:
        step += 1
        rng = random.Random(number)
        slug = bench_event_slug(number)
        # Half upcoming, half past; the hot event starts in two weeks.
        days = 14 if number == HOT_EVENT else (number % 730) - 365
        start = now + datetime.timedelta(days=days, hours=rng.randint(0, 10))
        online = number % 3 == 0
        title = f"{rng.choice(TITLES)} in {rng.choice(PLACES)} (No. {number})"
        events.append(
            EventPage(
                title=title,
                draft_title=title,
                slug=slug,
                path=Page._get_path(index.path, depth, step),
                depth=depth,
                numchild=0,
                url_path=f"{index.url_path}{slug}/",
                locale_id=index.locale_id,
                translation_key=uuid.uuid4(),
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                kind=EventPage.WORKSHOP if number % 4 == 0 else EventPage.EVENT,
                summary="A benchmark event: trails, gear and good company.",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                announced_starts_at=start,
                announced_ends_at=start + datetime.timedelta(hours=2),
                time_zone=rng.choice(ZONES),
                format=EventPage.ONLINE if online else EventPage.IN_PERSON,
                venue_name="" if online else "Community hall",
                online_url="https://meet.example.com/bench" if online else "",
                capacity=100 if number != HOT_EVENT else 1_000_000,
                max_guests=1,
                description=[],
            )
        )
    page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    pages = Page.objects.bulk_create(
        [Page(**{f.attname: getattr(e, f.attname) for f in page_fields}) for e in events],
        batch_size=BATCH_SIZE,
    )
    for event, page in zip(events, pages, strict=True):
        event.id = event.page_ptr_id = page.pk
    own_fields = list(EventPage._meta.local_concrete_fields)
    # One multi-row INSERT per batch into events_eventpage: what raw saves would do, row by row.
    with connection.cursor() as cursor:
        table = EventPage._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in own_fields)
        for start in range(0, len(events), 500):
            chunk = events[start : start + 500]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(own_fields)) + ")"] * len(chunk))
            params = [
                f.get_db_prep_save(getattr(e, f.attname), connection)
                for e in chunk
                for f in own_fields
            ]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {placeholders}", params)  # noqa: S608
    Page.objects.filter(pk=index.pk).update(
        numchild=Page.objects.filter(path__startswith=index.path, depth=depth).count()
    )


def _seed_rsvps(log, target: int) -> None:
    have = RSVP.objects.filter(event__slug__startswith=SLUG_PREFIX).count()
    if have >= target:
        log(f"{have} RSVPs exist")
        return
    users = list(
        User.objects.filter(username__startswith=USERNAME_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not users:
        raise RuntimeError("no bench members: the accounts bench seeder creates them first")
    events = list(
        EventPage.objects.filter(slug__startswith=SLUG_PREFIX)
        .exclude(slug=bench_event_slug(HOT_EVENT))
        .order_by("pk")
        .values_list("pk", "capacity", "starts_at")
    )
    done = set(
        RSVP.objects.filter(event__slug__startswith=SLUG_PREFIX)
        .values_list("event_id", flat=True)
        .distinct()
    )
    per_event = max(1, -(-target // max(1, len(events))))
    now = timezone.now()
    batch, made = [], 0
    for position, (event_id, capacity, starts) in enumerate(events):
        if event_id in done:
            continue
        first = (position * 7919) % len(users)
        past = starts < now
        for n in range(min(per_event, len(users))):
            user_id = users[(first + n) % len(users)]
            confirmed = n < capacity * 0.9
            batch.append(
                RSVP(
                    event_id=event_id,
                    user_id=user_id,
                    status=RSVP.CONFIRMED if confirmed else RSVP.WAITLISTED,
                    confirmed_at=starts - datetime.timedelta(days=3) if confirmed else None,
                    queued_at=starts - datetime.timedelta(days=3, minutes=-n),
                    checked_in_at=starts if past and confirmed and n % 5 else None,
                    ticket_code=f"b{event_id}-{user_id}",
                )
            )
        if len(batch) >= BATCH_SIZE:
            RSVP.objects.bulk_create(batch, ignore_conflicts=True)
            made += len(batch)
            batch = []
    if batch:
        RSVP.objects.bulk_create(batch, ignore_conflicts=True)
        made += len(batch)
    log(f"created {made} RSVPs")


def hot_event_url() -> str | None:
    event = EventPage.objects.filter(slug=bench_event_slug(HOT_EVENT)).first()
    event = event or EventPage.objects.live().order_by("-pk").first()
    return event.url if event else None


def past_event_url() -> str | None:
    event = EventPage.objects.filter(slug=bench_event_slug(2)).first()
    return event.url if event else None


def _index_path(suffix: str = ""):
    def url() -> str | None:
        index = event_index_url()
        return f"{index}{suffix}" if index else None

    return url


def _rsvp_many(event_id: int, user_ids: list[int]) -> list[float]:
    from django.db import connections

    from .services import cancel_rsvp, register_rsvp

    event = EventPage.objects.get(pk=event_id)
    users = User.objects.in_bulk(user_ids)
    durations = []
    try:
        for uid in user_ids:
            started = time.perf_counter()
            register_rsvp(event, by=users[uid])
            durations.append(time.perf_counter() - started)
            cancel_rsvp(event, by=users[uid])  # leaves the hot event as it was
    finally:
        connections.close_all()  # this worker thread's own connection
    return durations


async def measure_rsvp_throughput(samples: int):
    """register_rsvp() calls per second on one event from several threads at once: every call
    takes the event's row lock, so this is the ceiling for a popular event's sign-up rush."""
    import asyncio

    from asgiref.sync import sync_to_async

    from hub.bench import ProbeResult

    def setup():
        event = EventPage.objects.filter(slug=bench_event_slug(HOT_EVENT)).first()
        ids = list(
            User.objects.filter(username__startswith=USERNAME_PREFIX)
            .order_by("-pk")
            .values_list("pk", flat=True)[: max(PROBE_THREADS, samples)]
        )
        connections.close_all()  # sync_to_async's thread keeps no connection open
        return event, ids

    from django.db import connections

    event, ids = await sync_to_async(setup)()
    if event is None or not ids:
        return [ProbeResult(name="RSVPs on one event", error="no bench events: seed first")]
    per_thread = max(1, len(ids) // PROBE_THREADS)
    chunks = [ids[i * per_thread : (i + 1) * per_thread] for i in range(PROBE_THREADS)]
    started = time.perf_counter()
    results = await asyncio.gather(
        *[sync_to_async(_rsvp_many, thread_sensitive=False)(event.pk, c) for c in chunks if c]
    )
    elapsed = time.perf_counter() - started
    durations = [d for part in results for d in part]
    return [
        ProbeResult(
            name=f"register_rsvp() on one event x{len(durations)}, {PROBE_THREADS} threads",
            durations=durations,
            extra={
                # Each sample is an RSVP and a cancellation, both under the event lock.
                "rsvps_per_second": round(len(durations) / elapsed, 1),
                "threads": PROBE_THREADS,
            },
        )
    ]


def _api_rsvps_url() -> str | None:
    """The RSVPs of the event with the most of them (the first page of its cursor)."""
    busiest = (
        RSVP.objects.values("event").annotate(n=Count("pk")).order_by("-n").values("event")[:1]
    )
    event_id = busiest[0]["event"] if busiest else None
    return f"/api/v1/events/{event_id}/rsvps/" if event_id else None


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_seeder("events", seed_bench_events, order=60)
register_bench_page("events index", _index_path(), order=25)
register_bench_page("events index, past p.20", _index_path("?when=past&page=20"), order=26)
register_bench_page("events calendar", _index_path("calendar/"), order=27)
register_bench_page("event page", hot_event_url, order=31)
register_bench_page("event page (member)", hot_event_url, as_user="member", order=32)
register_bench_page("past event page", past_event_url, order=33)
register_bench_probe("RSVPs on one event", measure_rsvp_throughput)
register_bench_page("api events list", "/api/v1/events/", order=91, headers=bench_api_headers)
register_bench_page("api event rsvps", _api_rsvps_url, order=92, headers=bench_api_headers)
register_throughput_page("events", _index_path(), order=50)
register_throughput_page("event", hot_event_url, order=51)
