"""hub.ratelimit: a member who posts too often is refused with a message saying when to retry."""

import pytest

from hub.errors import Refusal
from hub.ratelimit import HOUR, Limit, RateLimited, check_rate

pytestmark = pytest.mark.django_db


def test_the_attempt_over_the_hourly_limit_is_refused(member):
    limit = Limit("test.post", per_hour=2)
    assert check_rate(member, limit, now=1000.0) == 1
    assert check_rate(member, limit, now=1001.0) == 0
    with pytest.raises(RateLimited) as refused:
        check_rate(member, limit, now=1002.0)
    assert "try again in" in refused.value.message
    assert 0 < refused.value.retry_after <= HOUR


def test_a_rate_limit_is_a_refusal_views_show(member):
    limit = Limit("test.post", per_hour=1)
    check_rate(member, limit, now=10.0)
    with pytest.raises(Refusal, match="try again in"):
        check_rate(member, limit, now=20.0)


def test_a_new_hour_allows_posting_again(member):
    limit = Limit("test.post", per_hour=1)
    assert check_rate(member, limit, now=10.0) == 0
    assert check_rate(member, limit, now=HOUR + 10.0) == 0


def test_the_daily_limit_holds_across_hours(member):
    limit = Limit("test.post", per_hour=5, per_day=2)
    assert check_rate(member, limit, now=10.0) == 1  # the day allows one more, the hour four
    assert check_rate(member, limit, now=HOUR + 10.0) == 0
    with pytest.raises(RateLimited):
        check_rate(member, limit, now=2 * HOUR + 10.0)


def test_limits_are_counted_per_member(member):
    from tests.factories import UserFactory

    limit = Limit("test.post", per_hour=2)
    assert check_rate(member, limit, now=10.0) == 1
    assert check_rate(UserFactory(), limit, now=10.0) == 1


def test_a_refused_attempt_is_not_counted(member):
    limit = Limit("test.post", per_hour=1, per_day=2)
    assert check_rate(member, limit, now=10.0) == 0
    for _ in range(3):
        with pytest.raises(RateLimited):
            check_rate(member, limit, now=20.0)
    # The refusals were not counted: the day still has its second attempt.
    assert check_rate(member, limit, now=HOUR + 10.0) == 0
