"""The "How to earn points" page lists every active rule with its points and daily cap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.rewards import actions
from hub.rewards.models import RewardRule, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():
    actions.register_action("tests.helped", "Helped a member out", default_points=10)
    actions.register_action("tests.hidden", "A switched-off rule", default_points=10)
    RewardRule.objects.update_or_create(
        action="tests.helped", defaults={"points": 12, "daily_cap": 3, "enabled": True}
    )
    RewardRule.objects.update_or_create(
        action="tests.hidden", defaults={"points": 40, "enabled": False}
    )


def test_visitors_see_each_active_rule_with_its_points_and_cap(client, rules):
    Tier.objects.create(name="Trailblazer", threshold=777, points_multiplier="1.5")
    page = client.get(reverse("rewards:how_to_earn")).content.decode()
    assert "Helped a member out" in page
    assert "12 points" in page
    assert "up to 3 times a day" in page
    assert "A switched-off rule" not in page
    assert "Trailblazer" in page and "×1.5 points on purchases" in page


def test_every_enabled_rule_that_earns_is_listed_in_a_flat_number_of_queries(client, rules):
    url = reverse("rewards:how_to_earn")
    client.get(url)  # caches warm (settings, menus)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        actions.register_action(f"tests.more{n}", f"More {n}", default_points=1)
        RewardRule.objects.update_or_create(action=f"tests.more{n}", defaults={"points": n + 1})
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few) <= 12
    for n in range(20):
        assert f"<td>More {n}</td>" in page


def test_rules_no_editor_has_saved_yet_show_their_registered_points(client):
    page = client.get(reverse("rewards:how_to_earn")).content.decode()
    assert "<td>Started a forum topic</td>" in page  # registered by community, 5 points
    assert "<td>Adjusted by the team</td>" not in page  # worth nothing by default


def test_the_perks_and_points_pages_link_to_it(member_client):
    target = reverse("rewards:how_to_earn")
    assert target in member_client.get(reverse("rewards:my_points")).content.decode()
