"""Capacity under concurrency on PostgreSQL: 200 simultaneous RSVPs for 20 seats."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from events import queries, services
from events.models import RSVP
from tests.factories import UserFactory, build_site_tree

from .factories import build_event_index, make_event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MEMBERS = 200
SEATS = 20
THREADS = 40  # PostgreSQL allows 100 connections on this machine, shared with others


def run_together(function, items) -> list:
    """Call ``function(item)`` for every item from THREADS threads released at once."""
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    queue = list(items)
    results = []

    def worker():
        try:
            barrier.wait(timeout=30)
            while True:
                with lock:
                    if not queue:
                        return
                    item = queue.pop()
                results.append(function(item))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(worker) for _ in range(THREADS)]:
            future.result(timeout=180)
    return results


def test_two_hundred_simultaneous_rsvps_fill_twenty_seats_and_queue_the_rest_in_order():
    home, _ = build_site_tree()
    event = make_event(build_event_index(home), capacity=SEATS)
    members = [UserFactory(username=f"rush{n}") for n in range(MEMBERS)]

    results = run_together(lambda m: services.register_rsvp(event, by=m), members)

    assert len(results) == MEMBERS
    confirmed = list(RSVP.objects.filter(event=event, status=RSVP.CONFIRMED))
    waiting = list(RSVP.objects.waitlisted().filter(event=event))
    assert len(confirmed) == SEATS
    assert len(waiting) == MEMBERS - SEATS
    # Arrival order: everyone confirmed got the lock before anyone who was waitlisted, and the
    # waitlist's positions follow the moment each member got the lock.
    assert max(r.confirmed_at for r in confirmed) <= min(r.queued_at for r in waiting)
    assert [r.queued_at for r in waiting] == sorted(r.queued_at for r in waiting)


def test_simultaneous_cancellations_promote_exactly_as_many_as_seats_freed():
    home, _ = build_site_tree()
    event = make_event(build_event_index(home), capacity=10, max_guests=1)
    going = [UserFactory(username=f"going{n}") for n in range(10)]
    waiting = [UserFactory(username=f"waiting{n}") for n in range(30)]
    for member in going + waiting:
        services.register_rsvp(event, by=member)

    run_together(lambda m: services.cancel_rsvp(event, by=m), going[:THREADS])

    confirmed = RSVP.objects.filter(event=event, status=RSVP.CONFIRMED)
    assert queries.confirmed_seats(event.pk) == 10
    assert set(confirmed.values_list("user__username", flat=True)) == {
        f"waiting{n}" for n in range(10)
    }


def test_the_bench_probe_measures_rsvps_per_second_on_one_hot_event():
    import asyncio

    from events.bench import measure_rsvp_throughput, seed_bench_events
    from hub.accounts.bench import seed_bench_users

    home, _ = build_site_tree()
    build_event_index(home)
    seed_bench_users(lambda _m: None, 0.002)
    seed_bench_events(lambda _m: None, 0.001)
    (result,) = asyncio.run(measure_rsvp_throughput(16))
    assert not result.error
    assert len(result.durations) == 16
    assert result.extra["rsvps_per_second"] > 0
    assert not RSVP.objects.filter(event__slug="bench-event-00001", status=RSVP.CONFIRMED).exists()
