"""Bulk actions on the Advocates listings: points rules on/off, removing unused perk codes,
deciding referral flags. Each goes through the services and needs the right permission."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from hub.rewards import rules, services
from hub.rewards.models import Perk, PerkCode, PointsEntry, Redemption, Referral, RewardRule
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

VERIFIED = "accounts.email.verified"
PROFILE = "accounts.profile.completed"


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor("eddie", can_publish=False))
    return client


@pytest.fixture
def moderator_client(client):
    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    return client


def bulk_url(model: str, action: str, *ids) -> str:
    query = "&".join(f"id={pk}" for pk in ids)
    return f"/admin/bulk/rewards/{model}/{action}/?{query}&next=/admin/points-rules/"


def refused(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


# --- Points rules ------------------------------------------------------------------------------


@pytest.fixture
def two_rules():
    services.sync_rules()
    return [RewardRule.objects.get(action=VERIFIED), RewardRule.objects.get(action=PROFILE)]


def test_points_rules_listing_offers_switch_on_and_off_to_editors(editor_client, two_rules):
    page = editor_client.get("/admin/points-rules/").content.decode()
    assert "data-bulk-action-checkbox" in page
    assert "/admin/bulk/rewards/rewardrule/disable/" in page
    assert "/admin/bulk/rewards/rewardrule/enable/" in page


def test_editor_switches_two_rules_off_and_awards_stop(editor_client, two_rules, member):
    url = bulk_url("rewardrule", "disable", *(r.pk for r in two_rules))
    confirm = editor_client.get(url)
    assert confirm.status_code == 200
    assert "Verified e-mail address" in confirm.content.decode()
    response = editor_client.post(url)
    assert response.status_code == 302
    assert not RewardRule.objects.filter(pk__in=[r.pk for r in two_rules], enabled=True).exists()
    # The next award reads the new rules: nothing is due.
    assert services.award(member, VERIFIED, source=UserFactory()) is None
    assert rules.rule_for(VERIFIED).enabled is False
    logs = ModelLogEntry.objects.filter(action="wagtail.edit", content_type__model="rewardrule")
    assert logs.count() == 2
    assert {log.data["enabled"] for log in logs} == {False}
    # Switching them on again brings the points back; an already-on rule is left as it was.
    RewardRule.objects.filter(pk=two_rules[1].pk).update(enabled=True)
    editor_client.post(bulk_url("rewardrule", "enable", *(r.pk for r in two_rules)))
    assert RewardRule.objects.filter(enabled=True).count() >= 2
    assert services.award(member, VERIFIED, source=UserFactory()).points == 10
    assert logs.all().count() == 3


def test_moderator_cannot_switch_rules_off(moderator_client, two_rules):
    url = bulk_url("rewardrule", "disable", two_rules[0].pk)
    assert refused(moderator_client.get(url))
    assert refused(moderator_client.post(url))
    assert RewardRule.objects.get(pk=two_rules[0].pk).enabled is True


# --- Perk codes --------------------------------------------------------------------------------


@pytest.fixture
def pool(member):
    perk = Perk.objects.create(
        slug="socks", title="Socks", cost=10, code_type=Perk.UNIQUE, shared_code=""
    )
    PerkCode.objects.bulk_create([PerkCode(perk=perk, code=c) for c in ("A1", "B2", "C3")])
    services.adjust(member, 10, reason="Thanks", by=None)
    redemption = services.redeem_perk(perk, by=member)  # hands out A1
    return perk, redemption


def test_editor_removes_unused_codes_and_the_handed_out_one_stays(editor_client, pool):
    perk, redemption = pool
    ids = list(PerkCode.objects.filter(perk=perk).values_list("pk", flat=True))
    listing = editor_client.get(f"/admin/perk-codes/?perk={perk.pk}").content.decode()
    assert "/admin/bulk/rewards/perkcode/remove-unused/" in listing
    response = editor_client.post(bulk_url("perkcode", "remove-unused", *ids), follow=True)
    assert list(PerkCode.objects.filter(perk=perk).values_list("code", flat=True)) == ["A1"]
    assert Redemption.objects.get(pk=redemption.pk).code.code == "A1"
    page = response.content.decode()
    assert "2 items done" in page and "1 left as it was" in page
    log = ModelLogEntry.objects.get(action="rewards.perk.codes_removed")
    assert (log.data, int(log.object_id)) == ({"removed": 2}, perk.pk)


def test_moderator_cannot_remove_perk_codes(moderator_client, pool):
    perk, _redemption = pool
    ids = list(PerkCode.objects.filter(perk=perk).values_list("pk", flat=True))
    assert refused(moderator_client.post(bulk_url("perkcode", "remove-unused", *ids)))
    assert PerkCode.objects.filter(perk=perk).count() == 3


# --- Referral flags ----------------------------------------------------------------------------


def make_flag(name: str) -> Referral:
    return Referral.objects.create(
        referrer=UserFactory(username=f"{name}-referrer"),
        referred=UserFactory(username=name),
        state=Referral.FLAGGED,
        flag_reason="Same e-mail address",
    )


def test_editor_rejects_several_flagged_referrals_with_one_reason(editor_client):
    flags = [make_flag("sock1"), make_flag("sock2")]
    pending = Referral.objects.create(
        referrer=UserFactory(), referred=UserFactory(username="fine"), state=Referral.PENDING
    )
    listing = editor_client.get("/admin/referral-flags/").content.decode()
    assert "/admin/bulk/rewards/referral/reject-referrals/" in listing
    url = bulk_url("referral", "reject-referrals", *(f.pk for f in flags), pending.pk)
    # The reason is required: without it nothing changes and the form says so.
    response = editor_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Referral.objects.filter(state=Referral.FLAGGED).count() == 2
    editor_client.post(url, {"reason": "Sock puppets"})
    assert set(Referral.objects.filter(state=Referral.REJECTED)) == set(flags)
    assert Referral.objects.get(pk=pending.pk).state == Referral.PENDING  # not a flag: untouched
    logs = ModelLogEntry.objects.filter(action="rewards.referral.rejected")
    assert [log.data["reason"] for log in logs] == ["Sock puppets", "Sock puppets"]
    assert not PointsEntry.objects.exists()


def test_clearing_flags_lets_the_referrals_count_again(editor_client):
    flag = make_flag("real-friend")
    editor_client.post(
        bulk_url("referral", "clear-flags", flag.pk), {"reason": "Checked: a friend"}
    )
    assert Referral.objects.get(pk=flag.pk).state != Referral.FLAGGED
    assert ModelLogEntry.objects.filter(action="rewards.referral.cleared").count() == 1


def test_moderator_cannot_decide_referral_flags(moderator_client):
    flag = make_flag("sock")
    url = bulk_url("referral", "reject-referrals", flag.pk)
    assert refused(moderator_client.post(url, {"reason": "Spam"}))
    assert Referral.objects.get(pk=flag.pk).state == Referral.FLAGGED


def test_moderator_reads_referrals_without_bulk_actions(moderator_client):
    make_flag("sock")
    page = moderator_client.get("/admin/referral-flags/").content.decode()
    assert "sock" in page
    assert "data-bulk-action-checkbox" not in page
    assert "/admin/bulk/rewards/referral/" not in page


# --- Perks -------------------------------------------------------------------------------------


def test_editor_withdraws_perks_and_members_can_no_longer_redeem_them(editor_client, member):
    socks = Perk.objects.create(slug="socks", title="Socks", cost=10, shared_code="S")
    mug = Perk.objects.create(slug="mug", title="Mug", cost=10, shared_code="M", is_active=False)
    services.adjust(member, 50, reason="Thanks", by=None)
    kept = services.redeem_perk(socks, by=member)
    assert (
        "/admin/bulk/rewards/perk/withdraw/" in editor_client.get("/admin/perks/").content.decode()
    )
    page = editor_client.post(bulk_url("perk", "withdraw", socks.pk, mug.pk), follow=True)
    assert "1 item done" in page.content.decode()
    assert not Perk.objects.filter(is_active=True).exists()
    friend = UserFactory(username="friend")
    services.adjust(friend, 50, reason="Thanks", by=None)
    with pytest.raises(services.RewardsError):
        services.redeem_perk(Perk.objects.get(pk=socks.pk), by=friend)
    assert Redemption.objects.filter(pk=kept.pk).exists()  # what was redeemed stays
    editor_client.post(bulk_url("perk", "offer", socks.pk))
    assert services.redeem_perk(Perk.objects.get(pk=socks.pk), by=friend).points == 10
    log = ModelLogEntry.objects.filter(action="wagtail.edit", content_type__model="perk")
    assert [entry.data["is_active"] for entry in log.order_by("pk")] == [False, True]


def test_moderator_cannot_withdraw_perks(moderator_client):
    perk = Perk.objects.create(slug="socks", title="Socks", cost=10, shared_code="S")
    assert "data-bulk-action-checkbox" not in moderator_client.get("/admin/perks/").content.decode()
    assert refused(moderator_client.post(bulk_url("perk", "withdraw", perk.pk)))
    assert Perk.objects.get(pk=perk.pk).is_active
