"""Redis stopped while members act, then restarted empty: nothing answers 500, nothing is lost.

A private Redis (its own port, started and stopped by the test) serves both this process (the
test client's requests: cache, rate limits, pushes) and a daphne server process holding the
members' WebSockets. With Redis stopped, a burst of replies, reactions, votes and RSVPs all
succeed and are stored; /healthz says "degraded". With Redis back, empty (every group
membership gone), the socket that stayed open gets what it missed and new notifications again
within seconds, and a socket that reconnects with last_id catches up on everything it missed.
"""

import contextlib
import copy
import json
import time
import urllib.request

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from wagtail.models import Site

from community import services as community
from community.models import CommunitySettings, Post, Reaction
from events.models import RSVP
from feedback.models import IdeaVote
from hub import cache as hub_cache
from hub.notifications.models import Notification
from hub.settings import base as base_settings
from tests import private_redis
from tests.community.factories import make_category
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, build_site_tree, session_cookie
from tests.feedback.factories import make_idea
from tests.notifications.test_redis import ServerProcess

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REDIS_PORT = 6392  # this test's own Redis (6391–6395 are for private servers)
RESYNC_SECONDS = 1  # how often the server's sockets re-join their group
RECOVERY_TIMEOUT = 15  # seconds for an open socket to get what it missed after the restart
DELIVERY_TIMEOUT = 6  # seconds for a new notification to reach the re-joined socket
MEMBERS = 6
PASSWORD = "demo12345"  # tests.factories.UserFactory's


class Socket:
    """A member's notifications socket on the server (websockets' threaded client)."""

    def __init__(self, server, session_key: str, last_id: int):
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(
            connect(
                f"ws://127.0.0.1:{server.port}/ws/notifications/",
                origin=server.url,
                additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
                proxy=None,
                open_timeout=10,
                close_timeout=2,
            )
        )
        self.ids: list[int] = []  # every notification id received, live or in a sync page
        self.unread: int | None = None
        self.ws.send(json.dumps({"type": "hello", "last_id": last_id}))
        self.read_until(lambda: self.unread is not None, timeout=10)

    def read_until(self, done, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                message = json.loads(self.ws.recv(timeout=remaining))
            except TimeoutError:
                return False
            if message["type"] == "notification":
                self.ids.append(message["notification"]["id"])
            elif message["type"] == "sync":
                self.ids.extend(n["id"] for n in message["notifications"])
                self.unread = message["unread"]
            elif message["type"] == "read":
                self.unread = message["unread"]
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()


def on_redis(url: str) -> tuple[dict, dict]:
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = url
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["hosts"][0]["address"] = url
    return caches, layers


def http_json(url: str) -> tuple[int, dict]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def ana_ids_after(ana, last_id: int) -> list[int]:
    return list(
        Notification.objects.filter(recipient=ana, pk__gt=last_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@pytest.fixture
def redis_server():
    if not private_redis.available():
        pytest.skip("needs redis-server")
    with private_redis.PrivateRedis(REDIS_PORT) as redis:
        yield redis


@pytest.fixture
def on_private_redis(settings, redis_server, monkeypatch):
    """This process and the server it starts use the private Redis, with short retry intervals."""
    settings.REDIS_URL = redis_server.url
    settings.CACHES, settings.CHANNEL_LAYERS = on_redis(redis_server.url)
    settings.CACHE_RETRY_SECONDS = 1
    monkeypatch.setenv("CACHE_RETRY_SECONDS", "1")
    monkeypatch.setenv("SOCKET_RESYNC_SECONDS", str(RESYNC_SECONDS))
    hub_cache._breakers.clear()
    yield redis_server
    hub_cache._breakers.clear()


@pytest.fixture
def server(on_private_redis):
    process = ServerProcess()
    process.health = process.wait_until_healthy()
    yield process
    process.stop()


def test_redis_stopped_during_member_actions_then_restarted_empty(
    on_private_redis, server, settings
):
    redis = on_private_redis
    assert server.health["status"] == "ok"
    limits = CommunitySettings.for_site(Site.objects.get(is_default_site=True))
    limits.new_member_posts = 0
    limits.posts_per_hour = limits.posts_per_day = 1000
    limits.save()
    ana = UserFactory(username="ana")
    members = [UserFactory(username=f"member{n}") for n in range(MEMBERS)]
    topic = community.create_topic(
        by=ana, category=make_category("trail-talk"), title="Stoves", body="Which one?"
    )
    first_post = topic.posts.get()
    idea = make_idea(author=ana, title="A lighter stove")
    home, _ = build_site_tree()
    event = make_event(build_event_index(home), capacity=50)
    ana_key = session_cookie(ana)

    # Ana has the site open in two tabs; a reply with Redis up reaches both.
    open_tab = Socket(server, ana_key, last_id=0)
    other_tab = Socket(server, ana_key, last_id=0)
    clients = []
    for member in members:
        client = Client()
        client.force_login(member)
        clients.append(client)
    assert (
        clients[0].post(reverse("community:reply", args=[topic.pk]), {"body": "Up"}).status_code
        == 302
    )
    [before_outage] = ana_ids_after(ana, 0)
    assert open_tab.read_until(lambda: before_outage in open_tab.ids, DELIVERY_TIMEOUT)
    assert other_tab.read_until(lambda: before_outage in other_tab.ids, DELIVERY_TIMEOUT)
    other_tab.close()  # the second tab goes to sleep with before_outage as its newest id

    redis.stop()
    try:
        answers = []
        for n, client in enumerate(clients):
            answers += [
                client.post(
                    reverse("community:reply", args=[topic.pk]), {"body": f"Reply {n} while down"}
                ),
                client.post(reverse("community:react", args=[first_post.pk]), {"kind": "heart"}),
                client.post(reverse("feedback:vote", args=[idea.pk])),
                client.post(reverse("events:rsvp", args=[event.pk])),
                client.get(topic.get_absolute_url()),
                client.get("/community/"),
            ]
        # Signing in works too (allauth's rate limits take a cache lock first).
        settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS
        signing_in = Client()
        answers.append(
            signing_in.post("/accounts/login/", {"login": "member0", "password": PASSWORD})
        )
        assert [r.status_code for r in answers if r.status_code >= 400] == []
        assert signing_in.get("/accounts/profile/").status_code == 200

        # Everything was stored: the database is the source of truth.
        assert Post.objects.filter(topic=topic, body__contains="while down").count() == MEMBERS
        assert Reaction.objects.filter(post=first_post).count() == MEMBERS
        assert IdeaVote.objects.filter(idea=idea).count() == MEMBERS
        assert RSVP.objects.filter(event=event).count() == MEMBERS
        missed = ana_ids_after(ana, before_outage)
        assert len(missed) >= MEMBERS  # a notification for each reply, at least

        # /healthz names what is down, and keeps the servers in the load balancer.
        response = clients[0].get("/healthz")
        assert response.status_code == 200
        health = response.json()
        assert health["status"] == "degraded" and health["database"] == "ok"
        assert health["cache"].startswith("error") and health["channel_layer"].startswith("error")
        status, health = http_json(f"{server.url}/healthz")
        assert (status, health["status"], health["database"]) == (200, "degraded", "ok")

        # A tab opened while Redis is down is served from the database.
        during = Socket(server, ana_key, last_id=before_outage)
        assert during.ids == missed
        during.close()
    finally:
        redis.start()  # empty: no groups, no channels, no cache

    # The tab that stayed open gets what it missed, then new notifications again.
    assert open_tab.read_until(lambda: set(missed) <= set(open_tab.ids), RECOVERY_TIMEOUT), (
        f"missed {sorted(set(missed) - set(open_tab.ids))}; server said {server.output()[-2000:]}"
    )
    assert (
        clients[1].post(reverse("community:reply", args=[topic.pk]), {"body": "Back"}).status_code
        == 302
    )
    [after] = ana_ids_after(ana, missed[-1])
    assert open_tab.read_until(lambda: after in open_tab.ids, DELIVERY_TIMEOUT)
    assert open_tab.read_until(lambda: False, 1.5) is False  # nothing more comes
    assert sorted(open_tab.ids) == [before_outage, *missed, after]  # each exactly once
    assert len(open_tab.ids) == len(set(open_tab.ids))

    # The tab that slept reconnects with its newest id and catches up on all of it, in order.
    woken = Socket(server, ana_key, last_id=before_outage)
    assert woken.ids == [*missed, after]
    assert woken.unread == Notification.objects.filter(recipient=ana, read_at=None).count()
    open_tab.close()
    woken.close()

    # /healthz is "ok" again (polled: under load one probe may still time out).
    polls = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not polls or polls[-1][1]["status"] != "ok"):
        polls.append(http_json(f"{server.url}/healthz"))
        time.sleep(0.3)
    assert polls[-1] == (
        200,
        {"status": "ok", "database": "ok", "channel_layer": "ok", "cache": "ok"},
    ), polls
    assert clients[0].get("/healthz").json()["status"] == "ok"
    assert "Traceback" not in server.output()
