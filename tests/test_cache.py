"""hub.cache.ResilientRedisCache: with Redis unreachable every call answers as a miss and one
warning is logged, never an exception; rate limits counted in it fail open (and say so)."""

import logging

import pytest
from django.core.cache import cache, caches

from hub import cache as hub_cache
from hub.ratelimit import Limit, RateLimited, check_rate
from tests import private_redis

RECOVERY_PORT = 6391  # a private Redis this file starts and stops (ports 6391–6395 are ours)


def resilient_settings(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "hub.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "hub-test-cache",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


@pytest.fixture
def dead_cache(settings):
    """The default cache pointed at a port where no Redis listens."""
    settings.CACHES = resilient_settings(f"redis://127.0.0.1:{private_redis.free_port()}/0")
    settings.CACHE_RETRY_SECONDS = 60
    hub_cache._breakers.clear()
    yield caches["default"]
    hub_cache._breakers.clear()


def test_every_call_answers_as_a_miss_while_redis_is_unreachable(dead_cache):
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.set("k", 1) is None
    assert dead_cache.add("k", 1) is True  # a lock or once-only marker fails open
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead_cache.has_key("k") is False
    assert dead_cache.touch("k") is False
    assert dead_cache.delete("k") is False
    assert dead_cache.delete_many(["a", "b"]) is None
    assert dead_cache.get_or_set("k", lambda: "computed") == "computed"
    with pytest.raises(ValueError):
        dead_cache.incr("k")
    with pytest.raises(ValueError):
        dead_cache.decr("k")
    dead_cache.clear()
    assert hub_cache.is_degraded()


def test_the_outage_is_logged_once_not_per_call(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="hub.cache"):
        for n in range(50):
            dead_cache.get(f"k{n}")
    warnings = [r for r in caplog.records if r.name == "hub.cache"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def test_after_a_failure_calls_skip_redis_until_the_retry_interval(dead_cache, monkeypatch):
    dead_cache.get("first")  # fails, opens the breaker
    attempts = []
    monkeypatch.setattr(
        type(dead_cache).__mro__[1], "get", lambda *a, **k: attempts.append(a) or None
    )
    for n in range(10):
        assert dead_cache.get(f"k{n}", "miss") == "miss"
    assert attempts == []  # no connection attempt per call while the breaker is open


def test_health_check_raises_what_redis_raises(dead_cache):
    import redis.exceptions

    with pytest.raises(redis.exceptions.ConnectionError):
        dead_cache.check()


def test_the_default_cache_is_not_degraded_off_redis():
    assert hub_cache.is_degraded() is False


@pytest.mark.django_db
def test_rate_limits_fail_open_and_say_so_while_the_cache_is_unreachable(
    dead_cache, member, caplog
):
    limit = Limit("test.failopen", per_hour=1, per_day=1)
    with caplog.at_level(logging.WARNING, logger="hub.ratelimit"):
        for n in range(5):
            check_rate(member, limit, now=1000.0 + n)  # never RateLimited
    warnings = [r.getMessage() for r in caplog.records if r.name == "hub.ratelimit"]
    assert warnings == [
        "ratelimit: test.failopen not enforced: the cache is unreachable (failing open)"
    ]


@pytest.mark.django_db
def test_rate_limits_hold_again_once_redis_answers(settings, member, caplog):
    if not private_redis.available():
        pytest.skip("needs redis-server")
    with private_redis.PrivateRedis(RECOVERY_PORT) as redis:
        settings.CACHES = resilient_settings(redis.url)
        settings.CACHE_RETRY_SECONDS = 0  # try Redis again on the very next call
        hub_cache._breakers.clear()
        limit = Limit("test.recover", per_hour=1)

        redis.stop()
        check_rate(member, limit, now=10.0)
        check_rate(member, limit, now=11.0)  # would be refused: fails open instead
        assert hub_cache.is_degraded()

        redis.start()  # empty
        with caplog.at_level(logging.WARNING, logger="hub.cache"):
            assert check_rate(member, limit, now=12.0) == 0
            with pytest.raises(RateLimited):
                check_rate(member, limit, now=13.0)
        assert not hub_cache.is_degraded()
        assert any("reachable again" in r.getMessage() for r in caplog.records)
        cache.clear()
    hub_cache._breakers.clear()


@pytest.mark.django_db
def test_members_sign_in_while_the_cache_is_unreachable(dead_cache, member, client, settings):
    """allauth takes a cache lock (cache.add) around its rate limits: it must not lock everyone
    out while Redis is down."""
    from hub.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    response = client.post("/accounts/login/", {"login": "ana", "password": "demo12345"})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_members_pages_are_read_afresh_while_the_cache_is_unreachable(dead_cache, client):
    """Kept pieces are keyed by versions kept in Redis: without them nothing is kept, and every
    page is read and rendered for its request, a change showing at once."""
    from community import services as forum
    from hub.notifications.services import ANNOUNCEMENT, notify
    from tests.community.factories import make_category, make_topic
    from tests.factories import UserFactory

    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    category = make_category("trail-talk", name="Trail talk")
    topic = make_topic(category, ana, title="Tent pegs", posts=2)
    client.force_login(ben)
    for url in (topic.get_absolute_url(), category.get_absolute_url(), "/community/"):
        assert client.get(url).status_code == 200
    forum.create_reply(by=ana, topic=topic, body="Bring spare pegs")
    notify([ben], ANNOUNCEMENT, text="Trail closed on Sunday")
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Bring spare pegs" in page and "Trail closed on Sunday" in page
