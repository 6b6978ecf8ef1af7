"""Tiers reached by lifetime points, and badges earned automatically or given by the team."""

import pytest
from wagtail.models import ModelLogEntry

from hub.notifications.models import Notification
from hub.rewards import actions, services
from hub.rewards.models import Badge, BadgeAward, Tier
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

HELPED = "tests.member.helped"


@pytest.fixture(autouse=True)
def helped_action():
    """An action worth 60 points whose source is the member who was helped."""
    actions.register_action(HELPED, "Helped a member", default_points=60)
    yield HELPED
    actions._actions.pop(HELPED, None)


def earn(member, times: int = 1) -> None:
    for helped in UserFactory.create_batch(times):
        services.award(member, HELPED, source=helped)


def texts_of(member, kind: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=member, kind=kind)
        .order_by("id")
        .values_list("text", flat=True)
    )


# --- Tiers -------------------------------------------------------------------------------------


def test_reaching_a_tier_notifies_the_member_once(member):
    earn(member)  # 60: still a Member
    assert texts_of(member, "rewards.tier.reached") == []

    earn(member)  # 120: Insider from 100
    assert texts_of(member, "rewards.tier.reached") == [
        "You reached the Insider tier. Thank you for everything you do here!"
    ]

    earn(member)  # 180: still Insider
    assert len(texts_of(member, "rewards.tier.reached")) == 1


def test_a_manual_award_that_crosses_a_threshold_announces_the_tier(member):
    services.adjust(member, 500, reason="Ran the spring meet-up", by=make_editor())
    assert texts_of(member, "rewards.tier.reached") == [
        "You reached the Champion tier. Thank you for everything you do here!"
    ]


def test_profile_shows_the_tier_and_progress_to_the_next(client, member):
    services.adjust(member, 150, reason="Welcome gift", by=make_editor())
    html = client.get("/u/ana/").content.decode()
    assert ">Insider</bdi></span>" in html
    assert "150 points" in html
    assert "350 points to <bdi>Champion</bdi>" in html
    # (150 - 100) of the 400 points between Insider and Champion.
    assert 'aria-valuenow="12"' in html


def test_points_page_shows_the_tier_ladder_with_reached_tiers_marked(member_client, member):
    services.adjust(member, 150, reason="Welcome gift", by=make_editor())
    html = member_client.get("/points/").content.decode()
    assert html.count('class="tier-ladder__reached"') == 2  # Member and Insider
    assert "350 points to <bdi>Champion</bdi>" in html


def test_editing_a_tier_threshold_takes_effect_at_once(client, member):
    services.adjust(member, 60, reason="Welcome gift", by=make_editor())
    assert ">Insider</bdi></span>" not in client.get("/u/ana/").content.decode()  # tiers now cached

    insider = Tier.objects.get(name="Insider")
    insider.threshold = 50
    insider.save()

    html = client.get("/u/ana/").content.decode()
    assert ">Insider</bdi></span>" in html
    assert "440 points to <bdi>Champion</bdi>" in html


def test_a_new_tier_counts_for_the_next_award(member):
    earn(member)  # 60, with the tiers now cached
    Tier.objects.create(name="Regular", threshold=110)
    earn(member)  # 120: past Insider (100) and the new Regular (110)
    assert texts_of(member, "rewards.tier.reached") == [
        "You reached the Regular tier. Thank you for everything you do here!"
    ]


# --- Badges ------------------------------------------------------------------------------------


def test_count_badge_is_awarded_automatically_at_the_count_and_only_once(member):
    badge = Badge.objects.create(
        name="Good neighbour", description="Helped three members", action=HELPED, count=3
    )
    earn(member, 2)
    assert not BadgeAward.objects.filter(user=member, badge=badge).exists()

    earn(member)
    assert BadgeAward.objects.filter(user=member, badge=badge).count() == 1
    assert texts_of(member, "rewards.badge.awarded") == [
        "You earned the “Good neighbour” badge: Helped three members"
    ]

    earn(member, 2)
    assert BadgeAward.objects.filter(user=member, badge=badge).count() == 1
    assert len(texts_of(member, "rewards.badge.awarded")) == 1


def test_count_badge_ignores_other_actions(member):
    Badge.objects.create(
        name="Verified",
        description="Verified an address",
        action="accounts.email.verified",
        count=1,
    )
    earn(member, 3)
    assert not BadgeAward.objects.filter(user=member).exists()


def test_badge_given_by_the_team_notifies_the_member_and_is_logged(member):
    editor = make_editor()
    badge = Badge.objects.create(name="Trail angel", description="Above and beyond", symbol="🪽")
    given = services.award_badge(member, badge, by=editor, reason="Helped at the spring clean-up")
    again = services.award_badge(member, badge, by=editor, reason="Twice?")

    assert given is not None
    assert again is None
    assert texts_of(member, "rewards.badge.awarded") == [
        "You earned the “Trail angel” badge: Above and beyond"
    ]
    log_entry = ModelLogEntry.objects.get(object_id=str(given.pk))
    assert log_entry.user == editor
    assert log_entry.data == {"reason": "Helped at the spring clean-up"}


def test_badges_are_shown_on_the_public_profile(client, member):
    badge = Badge.objects.create(name="Trail angel", description="Above and beyond", symbol="🪽")
    services.award_badge(member, badge, by=make_editor())
    html = client.get("/u/ana/").content.decode()
    assert 'title="Above and beyond"' in html
    assert "🪽</span> <bdi>Trail angel</bdi>" in html
    assert (
        "Trail angel"
        not in client.get(f"/u/{UserFactory(username='ben').username}/").content.decode()
    )


# --- The language of notifications -------------------------------------------------------------


def test_a_badge_given_by_an_english_speaking_editor_is_announced_in_the_members_language(member):
    from django.utils import translation
    from wagtail.users.models import UserProfile

    UserProfile.objects.create(user=member, preferred_language="fr")
    badge = Badge.objects.create(name="Guide", description="Showed the way")
    with translation.override("en"):  # the editor's request
        services.award_badge(member, badge, by=make_editor(), reason="Thanks")
    assert texts_of(member, "rewards.badge.awarded") == [
        "Vous avez obtenu le badge «\xa0Guide\xa0»\xa0: Showed the way"
    ]


def test_without_a_language_of_their_own_the_member_is_notified_in_the_current_one(member):
    from django.utils import translation

    badge = Badge.objects.create(name="Guide", description="Showed the way")
    with translation.override("fr"):  # the member's own request, in French
        services.award_badge(member, badge)
    assert texts_of(member, "rewards.badge.awarded") == [
        "Vous avez obtenu le badge «\xa0Guide\xa0»\xa0: Showed the way"
    ]
