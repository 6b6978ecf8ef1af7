"""Audit: who changed points, rules and perks, when and why, is in Wagtail's history."""

import pytest
from wagtail.models import ModelLogEntry

from hub.rewards import services
from hub.rewards.models import Perk, PointsEntry, RewardRule

pytestmark = pytest.mark.django_db


def test_a_manual_points_change_is_logged_with_who_and_why(editor_client, editor, member):
    editor_client.post(
        "/admin/advocates/adjust-points/",
        {"username": member.username, "points": "-15", "reason": "Duplicate review"},
    )
    entry = PointsEntry.objects.get(user=member)
    log = ModelLogEntry.objects.get(action="wagtail.create", object_id=str(entry.pk))
    assert log.user == editor
    assert log.data == {"reason": "Duplicate review", "points": -15}


def test_changing_a_points_rule_is_logged_with_who(editor_client, editor):
    editor_client.get("/admin/points-rules/")
    rule = RewardRule.objects.get(action="accounts.email.verified")
    editor_client.post(
        f"/admin/points-rules/edit/{rule.pk}/", {"points": "25", "daily_cap": "", "enabled": "on"}
    )
    log = ModelLogEntry.objects.get(action="wagtail.edit", object_id=str(rule.pk))
    assert log.user == editor
    assert log.timestamp is not None


def test_changing_a_perk_is_logged_with_who(editor_client, editor):
    perk = Perk.objects.create(title="Mug", slug="mug", cost=100)
    editor_client.post(
        f"/admin/perks/edit/{perk.pk}/",
        {
            "title": "Mug",
            "slug": "mug",
            "cost": "80",
            "per_member_limit": "1",
            "code_type": "shared",
            "is_active": "on",
        },
    )
    assert Perk.objects.get(pk=perk.pk).cost == 80
    assert ModelLogEntry.objects.get(action="wagtail.edit", object_id=str(perk.pk)).user == editor


def test_the_ledger_keeps_automatic_awards_with_their_reason(member):
    from tests.factories import UserFactory

    services.award(member, "accounts.email.verified", source=UserFactory(), reason="Welcome")
    entry = PointsEntry.objects.get(user=member)
    assert (entry.action, entry.points, entry.reason, entry.created_by) == (
        "accounts.email.verified",
        10,
        "Welcome",
        None,
    )
