"""Member look-up by e-mail: points, tier, referral link."""

import pytest
from allauth.account.models import EmailAddress

from hub.rewards import services as rewards
from hub.rewards.models import Tier
from tests import factories

from .conftest import as_problem

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/members/lookup/"


@pytest.fixture
def ana(db):
    user = factories.UserFactory(username="ana", email="ana@example.com", display_name="Ana Souza")
    return user


def test_member_is_found_by_email_whatever_its_case(api, ana, django_assert_max_num_queries):
    Tier.objects.all().delete()
    Tier.objects.create(name="Insider", threshold=100)
    Tier.objects.create(name="Champion", threshold=500)
    rewards.adjust(ana, 150, reason="Welcome gift", by=None)
    rewards.adjust(ana, -30, reason="Correction", by=None)
    with django_assert_max_num_queries(6):
        response = api.get(LOOKUP, {"email": "ANA@Example.com"})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == ana.pk
    assert body["display_name"] == "Ana Souza"
    assert body["points"] == {"lifetime": 120, "spendable": 120, "owed": 0}
    assert body["tier"] == {"name": "Insider", "threshold": 100}
    assert body["next_tier"] == {"name": "Champion", "threshold": 500, "points_needed": 380}
    ana.refresh_from_db()
    assert body["referral_link"] == f"http://testserver/r/{ana.referral_code}"
    # Once the share link exists and the key's last use is recorded: the key and the member.
    with django_assert_max_num_queries(2):
        assert api.get(LOOKUP, {"email": "ana@example.com"}).json() == body


def test_member_is_found_by_a_secondary_address(api, ana):
    EmailAddress.objects.create(user=ana, email="ana.work@example.org", verified=True)
    response = api.get(LOOKUP, {"email": "ana.work@example.org"})
    assert response.status_code == 200
    assert response.json()["username"] == "ana"


def test_unknown_email_is_a_problem_404(api, ana):
    response = api.get(LOOKUP, {"email": "nobody@example.com"})
    assert response.status_code == 404
    assert as_problem(response)["type"] == "/problems/not-found"


def test_deactivated_member_is_not_found(api, ana):
    ana.is_active = False
    ana.save()
    assert api.get(LOOKUP, {"email": "ana@example.com"}).status_code == 404


def test_lookup_without_email_is_a_validation_problem(api):
    response = api.get(LOOKUP)
    assert response.status_code == 400
    body = as_problem(response)
    assert body["type"] == "/problems/validation-error"
    assert "email" in body["errors"]


def test_member_without_points_has_zero_and_no_tier(api, ana):
    Tier.objects.all().delete()
    body = api.get(f"/api/v1/members/{ana.pk}/").json()
    assert body["points"] == {"lifetime": 0, "spendable": 0, "owed": 0}
    assert body["tier"] is None


def test_points_history_is_listed_newest_first(api, ana, django_assert_max_num_queries):
    for n in range(3):
        rewards.adjust(ana, n + 1, reason=f"Gift {n}", by=None)
    with django_assert_max_num_queries(4):
        response = api.get(f"/api/v1/members/{ana.pk}/points/")
    assert [e["points"] for e in response.json()["results"]] == [3, 2, 1]
