"""The admin menu groups and who may do what: moderators moderate, editors run the programme."""

import json
import re

import pytest
from django.contrib.auth.models import Group

from hub.rewards import services
from hub.rewards.models import Perk, RewardRule

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def menu(client) -> str:
    """The sidebar's menu definition (Wagtail renders it as JSON for its React sidebar)."""
    html = client.get("/admin/").content.decode()
    match = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S)
    return json.dumps(json.loads(match.group(1))) if match else html


def test_advocates_group_holds_the_programme(editor_client):
    sidebar = menu(editor_client)
    assert "Advocates" in sidebar
    for label in (
        "Points ledger",
        "Points rules",
        "Tiers",
        "Badges",
        "Perks",
        "Perk codes",
        "Redemptions",
        "Referrals",
        "Referral flags",
        "Award or deduct points",
    ):
        assert label in sidebar, label


def test_notifications_group_holds_the_announcements(editor_client):
    sidebar = menu(editor_client)
    assert "Notifications" in sidebar
    assert "/admin/announcements/" in sidebar


def test_reports_menu_has_the_workspace_reports(editor_client):
    sidebar = menu(editor_client)
    for label in ("Retention by sign-up month", "Points by action", "Moderation log"):
        assert label in sidebar, label


def test_moderator_cannot_change_points_rules(moderator_client):
    rule = services.get_rule("accounts.email.verified")
    assert refused(moderator_client.post(f"/admin/points-rules/edit/{rule.pk}/", {"points": "999"}))
    assert RewardRule.objects.get(pk=rule.pk).points == 10


def test_moderator_cannot_change_or_add_perks(moderator_client):
    perk = Perk.objects.create(title="Mug", slug="mug", cost=100)
    assert refused(moderator_client.get(f"/admin/perks/edit/{perk.pk}/"))
    assert refused(
        moderator_client.post(f"/admin/perks/edit/{perk.pk}/", {"title": "Free", "cost": "0"})
    )
    assert refused(moderator_client.post("/admin/perks/new/", {"title": "Free", "slug": "free"}))
    assert Perk.objects.get(pk=perk.pk).cost == 100
    assert Perk.objects.count() == 1


def test_editor_can_change_perks(editor_client):
    perk = Perk.objects.create(title="Mug", slug="mug", cost=100)
    assert editor_client.get(f"/admin/perks/edit/{perk.pk}/").status_code == 200


def test_moderator_uses_the_queue_but_not_the_reports(moderator_client):
    assert moderator_client.get("/admin/moderation/").status_code == 200
    assert moderator_client.get("/admin/moderation-log/").status_code == 200
    assert refused(moderator_client.get("/admin/workspace/reports/retention/"))
    assert refused(moderator_client.get("/admin/workspace/reports/points/"))
    sidebar = menu(moderator_client)
    assert "Moderation" in sidebar
    assert "Retention by sign-up month" not in sidebar


def test_groups_get_the_workspace_permissions_from_the_migration(db):
    def codenames(group):
        return set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__app_label="workspace")
            .values_list("codename", flat=True)
        )

    assert codenames("Editors") == {
        "view_dashboard",
        "access_moderation_queue",
        "view_moderationdecision",
    }
    assert codenames("Moderators") == {"access_moderation_queue", "view_moderationdecision"}


def test_nobody_edits_or_deletes_the_moderation_log(editor_client, editor, register_source):
    source = register_source(
        posts={1: {"title": "t", "body": "b", "author": editor, "reason": "r"}}
    )
    editor_client.post(
        "/admin/moderation/act/", {"source": source.key, "pk": 1, "action": "dismiss"}
    )
    from hub.workspace.models import ModerationDecision

    decision = ModerationDecision.objects.get()
    editor.is_superuser = True  # not even a superuser
    editor.save()
    assert refused(editor_client.get(f"/admin/moderation-log/edit/{decision.pk}/"))
    assert refused(editor_client.post(f"/admin/moderation-log/delete/{decision.pk}/"))
    assert ModerationDecision.objects.count() == 1


def test_moderation_log_exports_as_csv(editor_client):
    response = editor_client.get("/admin/moderation-log/?export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
