"""The editors' side: points rules, tiers, badges, the append-only ledger and manual adjustments."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from hub.rewards import services
from hub.rewards.models import Badge, Balance, PointsEntry, RewardRule, Tier
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

VERIFIED = "accounts.email.verified"
ADJUST_URL = "/admin/advocates/adjust-points/"


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor(can_publish=False))  # in Editors only
    return client


@pytest.fixture
def moderator_client(client):
    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    return client


@pytest.fixture
def entry(member):
    return services.award(member, VERIFIED, source=UserFactory(), reason="Welcome")


def refused(response) -> bool:
    """Wagtail's admin answers a refusal (PermissionDenied included) with a redirect to the
    dashboard, which shows "Sorry, you do not have permission to access this area."."""
    return response.status_code == 302 and response["Location"] == "/admin/"


# --- Editors -----------------------------------------------------------------------------------


def test_editor_sees_every_registered_action_in_the_points_rules(editor_client):
    response = editor_client.get("/admin/points-rules/")
    assert response.status_code == 200
    assert RewardRule.objects.filter(action=VERIFIED, points=10).exists()
    assert "Verified e-mail address" in response.content.decode()


def test_editor_changes_a_points_rule_and_the_next_award_uses_it(editor_client, member):
    services.award(member, VERIFIED, source=UserFactory())  # 10, and the rules are in memory
    editor_client.get("/admin/points-rules/")  # the listing the editor starts from
    rule = RewardRule.objects.get(action=VERIFIED)
    response = editor_client.post(
        f"/admin/points-rules/edit/{rule.pk}/", {"points": "35", "daily_cap": "", "enabled": "on"}
    )
    assert response.status_code == 302

    services.award(member, VERIFIED, source=UserFactory())
    assert Balance.objects.get(user=member).lifetime == 45


def test_editor_turns_a_points_rule_off(editor_client, member):
    editor_client.get("/admin/points-rules/")
    rule = RewardRule.objects.get(action=VERIFIED)
    editor_client.post(f"/admin/points-rules/edit/{rule.pk}/", {"points": "10", "daily_cap": ""})
    assert services.award(member, VERIFIED, source=UserFactory()) is None


def test_editor_changes_a_tier_threshold_and_profiles_show_it_at_once(editor_client, member):
    services.award(member, VERIFIED, source=UserFactory())  # 10 points: a Member
    assert ">Insider</bdi></span>" not in editor_client.get("/u/ana/").content.decode()

    insider = Tier.objects.get(name="Insider")
    response = editor_client.post(
        f"/admin/tiers/edit/{insider.pk}/",
        {
            "name": "Insider",
            "threshold": "10",
            "description": "",
            "colour": "#0f766e",
            "points_multiplier": "1.00",
        },
    )
    assert response.status_code == 302
    assert ">Insider</bdi></span>" in editor_client.get("/u/ana/").content.decode()


def test_editor_creates_a_badge_that_is_then_earned(editor_client, member):
    response = editor_client.post(
        "/admin/badges/new/",
        {
            "name": "Verified",
            "description": "Confirmed an address",
            "symbol": "✓",
            "action": VERIFIED,
            "count": "1",
        },
    )
    assert response.status_code == 302
    services.award(member, VERIFIED, source=UserFactory())
    assert member.badge_awards.get().badge == Badge.objects.get(name="Verified")


def test_editor_awards_points_through_the_adjust_view(editor_client, member):
    response = editor_client.post(
        ADJUST_URL, {"username": "ana", "points": "75", "reason": "Hosted the meet-up"}, follow=True
    )
    assert "+75 points for Ana Souza recorded." in response.content.decode()
    entry = PointsEntry.objects.get(user=member)
    assert (entry.kind, entry.points, entry.reason) == ("adjustment", 75, "Hosted the meet-up")
    assert entry.created_by.username == "editor"
    assert Balance.objects.get(user=member).spendable == 75


def test_adjust_view_explains_an_unknown_member_and_zero_points(editor_client, member):
    response = editor_client.post(ADJUST_URL, {"username": "nobody", "points": "0", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No member is called nobody." in html
    assert "Enter a number of points other than zero." in html
    assert "This field is required." in html
    assert not PointsEntry.objects.exists()


def test_editor_sees_the_adjust_menu_item(editor_client):
    assert ADJUST_URL in editor_client.get("/admin/").content.decode()


# --- Moderators --------------------------------------------------------------------------------


def test_moderator_can_view_the_ledger(moderator_client, entry):
    response = moderator_client.get("/admin/points-ledger/")
    assert response.status_code == 200
    assert "Welcome" in response.content.decode()


def test_moderator_cannot_change_points_rules(moderator_client):
    rule = services.get_rule(VERIFIED)
    assert refused(moderator_client.get("/admin/points-rules/"))
    assert refused(moderator_client.post(f"/admin/points-rules/edit/{rule.pk}/", {"points": "999"}))
    assert RewardRule.objects.get(pk=rule.pk).points == 10


def test_moderator_cannot_change_tiers_or_badges(moderator_client):
    insider = Tier.objects.get(name="Insider")
    assert refused(moderator_client.get(f"/admin/tiers/edit/{insider.pk}/"))
    assert refused(moderator_client.get("/admin/badges/new/"))


def test_moderator_cannot_adjust_points(moderator_client, member):
    assert refused(moderator_client.get(ADJUST_URL))
    response = moderator_client.post(ADJUST_URL, {"username": "ana", "points": "5", "reason": "x"})
    assert refused(response)
    assert not PointsEntry.objects.exists()
    dashboard = moderator_client.get(ADJUST_URL, follow=True).content.decode()
    assert "Sorry, you do not have permission to access this area." in dashboard
    assert ADJUST_URL not in dashboard  # no menu item either


def test_member_without_admin_access_is_sent_to_sign_in(member_client):
    response = member_client.get(ADJUST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


# --- The append-only ledger --------------------------------------------------------------------


def test_adding_to_the_ledger_goes_to_the_adjust_view(editor_client):
    response = editor_client.get("/admin/points-ledger/new/")
    assert response.status_code == 302
    assert response["Location"] == ADJUST_URL


def test_ledger_entries_cannot_be_edited(editor_client, entry):
    assert refused(editor_client.get(f"/admin/points-ledger/edit/{entry.pk}/"))
    response = editor_client.post(f"/admin/points-ledger/edit/{entry.pk}/", {"reason": "Changed"})
    assert refused(response)
    assert PointsEntry.objects.get(pk=entry.pk).reason == "Welcome"


def test_ledger_entries_cannot_be_deleted(editor_client, entry):
    assert refused(editor_client.get(f"/admin/points-ledger/delete/{entry.pk}/"))
    assert refused(editor_client.post(f"/admin/points-ledger/delete/{entry.pk}/"))
    assert PointsEntry.objects.filter(pk=entry.pk).exists()


def test_ledger_entry_can_be_inspected(moderator_client, entry):
    response = moderator_client.get(f"/admin/points-ledger/inspect/{entry.pk}/")
    assert response.status_code == 200
    assert "Welcome" in response.content.decode()


def test_ledger_exports_as_csv(editor_client, entry):
    services.adjust(entry.user, -3, reason="Typo, sorry", by=make_editor("other"))
    response = editor_client.get("/admin/points-ledger/?export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "points-ledger" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["Points"], r["Reason"]) for r in rows] == [("-3", "Typo, sorry"), ("10", "Welcome")]
    assert {r["Member"] for r in rows} == {"Ana Souza"}
