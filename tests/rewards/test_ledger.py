"""The points ledger: awards, reversals, owed points, manual adjustments and the built-in actions."""

import datetime
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import ModelLogEntry

from hub.accounts import services as accounts_services
from hub.notifications.models import Notification
from hub.rewards import actions, rules, services
from hub.rewards.models import Badge, Balance, Perk, PointsEntry, RewardRule
from hub.rewards.services import RewardsError
from tests.factories import UserFactory, image_upload, make_editor

pytestmark = pytest.mark.django_db

HELPED = "tests.member.helped"


@pytest.fixture(autouse=True)
def helped_action():
    """An action worth 10 points whose source is the member who was helped."""
    actions.register_action(HELPED, "Helped a member", default_points=10)
    yield HELPED
    actions._actions.pop(HELPED, None)


def balance_of(user) -> Balance:
    return Balance.objects.get(user=user)


def set_rule(action=HELPED, **fields) -> RewardRule:
    rule = services.get_rule(action)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    return rule


def spend(user, points: int) -> None:
    """Redeem a perk costing ``points``, as a member does on the perks page."""
    perk = Perk.objects.create(
        title=f"Perk for {points}", slug=f"perk-{points}", cost=points, shared_code="TRAIL"
    )
    services.redeem_perk(perk, by=user)


# --- Awards ------------------------------------------------------------------------------------


def test_awarding_twice_for_the_same_source_counts_once(member):
    helped = UserFactory()
    first = services.award(member, HELPED, source=helped)
    second = services.award(member, HELPED, source=helped)
    assert first is not None
    assert second is None
    assert PointsEntry.objects.filter(user=member).count() == 1
    balance = balance_of(member)
    assert (balance.lifetime, balance.spendable) == (10, 10)


def test_awards_for_different_sources_all_count(member):
    for helped in UserFactory.create_batch(3):
        services.award(member, HELPED, source=helped)
    assert balance_of(member).lifetime == 30


def test_a_disabled_rule_awards_nothing(member):
    set_rule(enabled=False)
    assert services.award(member, HELPED, source=UserFactory()) is None
    assert not PointsEntry.objects.filter(user=member).exists()


def test_a_rule_worth_zero_points_awards_nothing(member):
    set_rule(points=0)
    assert services.award(member, HELPED, source=UserFactory()) is None
    assert not PointsEntry.objects.filter(user=member).exists()


def test_daily_cap_stops_awards_until_the_next_day(member):
    set_rule(daily_cap=2)
    helped = UserFactory.create_batch(4)
    today = timezone.now().replace(hour=10, minute=0)
    with mock.patch("django.utils.timezone.now", return_value=today):
        earned = [services.award(member, HELPED, source=h) for h in helped[:3]]
    assert [e is not None for e in earned] == [True, True, False]
    assert balance_of(member).lifetime == 20

    with mock.patch("django.utils.timezone.now", return_value=today + datetime.timedelta(days=1)):
        assert services.award(member, HELPED, source=helped[3]) is not None
    assert balance_of(member).lifetime == 30


def test_points_an_editor_changes_apply_to_the_next_award(member):
    services.award(member, HELPED, source=UserFactory())  # the process now holds the rules
    set_rule(points=25)  # saved as the admin form saves it
    services.award(member, HELPED, source=UserFactory())
    assert list(PointsEntry.objects.filter(user=member).order_by("id").values_list("points")) == [
        (10,),
        (25,),
    ]
    assert balance_of(member).lifetime == 35


def test_an_award_costs_six_statements_once_the_member_has_points(
    member, django_assert_max_num_queries
):
    services.award(member, HELPED, source=UserFactory())  # their balance and scores exist now
    source = UserFactory()
    # Lock the balance, insert the entry (in a savepoint, for idempotency), update the balance
    # and the three period scores in one statement: no rule, content type or badge lookups.
    with django_assert_max_num_queries(6 + 4):  # + the savepoints of the test's transaction
        assert services.award(member, HELPED, source=source) is not None
    assert balance_of(member).lifetime == 20


def test_a_rule_saved_by_another_process_applies_to_the_next_award_here(member):
    services.award(member, HELPED, source=UserFactory())
    # Another server process saves the rule: the row changes and the shared generation goes.
    RewardRule.objects.filter(action=HELPED).update(points=25)
    cache.delete(rules.GENERATION_KEY)
    services.award(member, HELPED, source=UserFactory())
    assert balance_of(member).lifetime == 35


def test_a_badge_defined_after_awards_started_is_earned_by_the_next_award(member):
    services.award(member, HELPED, source=UserFactory())  # no badge counts it yet
    Badge.objects.create(name="Helper", description="Helped twice", action=HELPED, count=2)
    services.award(member, HELPED, source=UserFactory())
    assert list(member.badge_awards.values_list("badge__name", flat=True)) == ["Helper"]


# --- Reversals and owed points -----------------------------------------------------------------


def test_reversal_records_one_negative_entry_however_often_it_is_called(member):
    helped = UserFactory()
    services.award(member, HELPED, source=helped)
    first = services.reverse(member, HELPED, source=helped, reason="Post removed")
    second = services.reverse(member, HELPED, source=helped, reason="Post removed")
    assert first.points == -10
    assert first.kind == PointsEntry.REVERSAL
    assert second is None
    assert PointsEntry.objects.filter(user=member, kind=PointsEntry.REVERSAL).count() == 1
    balance = balance_of(member)
    assert (balance.lifetime, balance.spendable, balance.owed) == (0, 0, 0)


def test_reversing_what_was_never_awarded_changes_nothing(member):
    assert services.reverse(member, HELPED, source=UserFactory(), reason="Spam") is None
    assert not PointsEntry.objects.filter(user=member).exists()


def test_reversal_after_spending_leaves_spendable_at_zero_and_records_owed(member):
    set_rule(points=30)
    helped = UserFactory()
    services.award(member, HELPED, source=helped)
    spend(member, 25)
    services.reverse(member, HELPED, source=helped, reason="Post removed")
    balance = balance_of(member)
    assert (balance.lifetime, balance.spendable, balance.owed) == (0, 0, 25)


def test_points_page_shows_owed_points_rather_than_a_negative_balance(member_client, member):
    set_rule(points=30)
    helped = UserFactory()
    services.award(member, HELPED, source=helped)
    spend(member, 25)
    services.reverse(member, HELPED, source=helped, reason="Post removed")

    html = member_client.get("/points/").content.decode()
    assert '<p class="stat__label">Spendable</p><p class="stat__value">0</p>' in html
    assert "25 points were taken back after you had spent them." in html
    assert 'stat__value">-' not in html
    assert "Post removed" in html
    assert "(taken back)" in html


def test_next_award_pays_back_owed_points_first(member):
    set_rule(points=30)
    helped = UserFactory()
    services.award(member, HELPED, source=helped)
    spend(member, 25)
    services.reverse(member, HELPED, source=helped, reason="Post removed")

    services.award(member, HELPED, source=UserFactory())
    balance = balance_of(member)
    assert (balance.lifetime, balance.spendable, balance.owed) == (30, 5, 0)


def test_spending_points_keeps_the_tier_earned_by_lifetime_points(member_client, member):
    set_rule(points=120)
    services.award(member, HELPED, source=UserFactory())
    spend(member, 100)
    balance = balance_of(member)
    assert (balance.lifetime, balance.spendable) == (120, 20)
    html = member_client.get("/points/").content.decode()
    assert '<p class="stat__label">Tier</p><p class="stat__value"><bdi>Insider</bdi></p>' in html


# --- Manual adjustments ------------------------------------------------------------------------


def test_adjustment_without_a_reason_is_refused(member):
    editor = make_editor()
    with pytest.raises(RewardsError, match="Say why"):
        services.adjust(member, 50, reason="   ", by=editor)
    assert not PointsEntry.objects.filter(user=member).exists()


def test_adjustment_of_zero_points_is_refused(member):
    editor = make_editor()
    with pytest.raises(RewardsError, match="other than zero"):
        services.adjust(member, 0, reason="Nothing", by=editor)
    assert not PointsEntry.objects.filter(user=member).exists()


def test_adjustment_notifies_the_member_with_the_reason(member):
    editor = make_editor()
    services.adjust(member, 50, reason="Meet-up host", by=editor)
    services.adjust(member, -5, reason="Duplicate entry", by=editor)
    texts = list(
        Notification.objects.filter(recipient=member, kind="rewards.points.adjusted")
        .order_by("id")
        .values_list("text", flat=True)
    )
    assert texts == [
        "You received 50 points: Meet-up host",
        "5 points were deducted: Duplicate entry",
    ]


def test_adjustment_appears_in_the_members_history(member_client, member):
    services.adjust(member, 50, reason="Meet-up host", by=make_editor())
    html = member_client.get("/points/").content.decode()
    assert "Adjusted by the team — <bdi>Meet-up host</bdi>" in html
    assert ">+50</td>" in html
    assert balance_of(member).spendable == 50


def test_adjustment_is_logged_in_the_admin_history(member):
    editor = make_editor()
    entry = services.adjust(member, -5, reason="Duplicate entry", by=editor)
    log_entry = ModelLogEntry.objects.get(object_id=str(entry.pk))
    assert log_entry.user == editor
    assert log_entry.action == "wagtail.create"
    assert log_entry.data == {"reason": "Duplicate entry", "points": -5}


# --- Built-in actions --------------------------------------------------------------------------


def test_completing_the_profile_earns_points_once_however_often_it_is_edited(member):
    accounts_services.update_profile(member, display_name="Ana", bio="")
    assert not PointsEntry.objects.filter(user=member).exists()  # not complete yet

    accounts_services.update_profile(
        member, display_name="Ana", bio="Hiker.", avatar=image_upload()
    )
    accounts_services.update_profile(member, display_name="Ana S.", bio="Hiker and cook.")
    accounts_services.update_profile(member, display_name="Ana", bio="Hiker.")

    entries = PointsEntry.objects.filter(user=member, action="accounts.profile.completed")
    assert list(entries.values_list("points", flat=True)) == [20]
    assert balance_of(member).lifetime == 20


def test_verifying_an_email_address_earns_points_once(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "newbie@example.com",
            "username": "newbie",
            "password1": "a-long-trail-2026",
            "password2": "a-long-trail-2026",
        },
    )
    link = mail.outbox[0].body.split("http://testserver", 1)[1].split()[0]
    client.post(link)
    client.post(link)  # an impatient second click
    address = EmailAddress.objects.get(email="newbie@example.com")
    assert address.verified
    entries = PointsEntry.objects.filter(user=address.user, action="accounts.email.verified")
    assert list(entries.values_list("points", flat=True)) == [10]

    # Should allauth's signal fire again for the same address, it still earns nothing more.
    services.award(address.user, "accounts.email.verified", source=address)
    assert entries.count() == 1
    assert balance_of(address.user).lifetime == 10
