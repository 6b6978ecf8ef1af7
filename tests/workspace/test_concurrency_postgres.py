"""The workspace under concurrency on PostgreSQL: one activity row per member and day, and one
decision when two moderators act on the same item at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Permission
from django.db import connections
from django.db.models import Q

from hub.rewards import services as rewards_services
from hub.rewards.models import Referral
from hub.workspace import activity, queue
from hub.workspace.models import MemberActivity, ModerationDecision
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12


def all_at_once(function, count: int) -> list:
    """Call ``function()`` from ``count`` threads released together, each with its own
    connection; returns results or the exceptions raised."""
    barrier = threading.Barrier(count)

    def run(_n):
        try:
            barrier.wait(timeout=30)
            return function()
        except Exception as error:  # collected, so the test can count refusals
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=120))


def test_many_requests_at_once_record_one_activity_row(monkeypatch):
    member = UserFactory(username="ana")

    class ColdCache:  # as if every request found the cache empty: only the constraint decides
        def add(self, *args, **kwargs):
            return True

    monkeypatch.setattr(activity, "cache", ColdCache())
    results = all_at_once(lambda: activity.record_activity(member), THREADS)
    assert all(result is True for result in results)
    assert MemberActivity.objects.filter(user=member).count() == 1


def test_two_moderators_rejecting_one_flag_at_once_decide_once():
    referrer = UserFactory(username="host")
    rewards_services.referral_code_for(referrer)
    sock = UserFactory(username="sock", email="host+9@example.com")
    referral = rewards_services.record_referral(sock, code=referrer.referral_code)
    # A transactional test starts without the migrations' group grants: give them directly.
    grants = Permission.objects.filter(
        Q(codename="access_moderation_queue") | Q(codename="change_referral")
    )
    editors = [UserFactory(username=f"editor{n}") for n in range(THREADS)]
    for editor in editors:
        editor.user_permissions.add(*grants)
    turn = iter(editors)
    lock = threading.Lock()

    def reject():
        with lock:
            editor = next(turn)
        return queue.decide(
            by=editor, source_key="rewards.referral", pk=referral.pk, action="reject", reason="dup"
        )

    results = all_at_once(reject, THREADS)

    done = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, queue.QueueError)]
    assert len(done) == 1 and "Referral rejected" in done[0]
    assert len(refused) == THREADS - 1
    assert Referral.objects.get(pk=referral.pk).state == Referral.REJECTED
    assert ModerationDecision.objects.count() == 1
