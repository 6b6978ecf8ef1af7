"""Referrals: share links, sign-up attribution, qualification, self-referral flags, editor review."""

import re
import threading

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry, Site

from hub import fragments
from hub.accounts.models import User
from hub.notifications.models import Notification
from hub.rewards import services
from hub.rewards.models import Balance, PointsEntry, Referral, ReferralSettings
from hub.rewards.queries import BONUS_ACTION, REFERRER_ACTION, WELCOME_ACTION
from hub.rewards.referral_cookie import COOKIE_NAME
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

PASSWORD = "a-much-longer-new-passphrase-42"


@pytest.fixture
def referrer(member):
    services.referral_code_for(member)
    return member


def share_path(user) -> str:
    return f"/r/{services.referral_code_for(user)}"


def sign_up_through(referrer, *, username="newbie", email=None, ip="127.0.0.1", client=None):
    """A visitor follows the member's share link, then signs up from ``ip``."""
    client = client or Client()
    client.get(share_path(referrer))
    client.post(
        "/accounts/signup/",
        {
            "email": email or f"{username}@example.org",
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR=ip,
    )
    return client, User.objects.get(username=username)


def verify_email(user) -> None:
    """What allauth's confirmation does, through the same receiver path."""
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True}
    )
    address.verified = True
    address.save()
    from allauth.account.signals import email_confirmed

    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)


def refer(referrer, username: str, *, ip=None) -> User:
    """A member referred without going through HTTP, for counting tests."""
    user = UserFactory(username=username, email=f"{username}@example.org")
    services.record_referral(user, code=referrer.referral_code, ip=ip)
    return user


def points(user, action: str) -> int:
    return sum(
        PointsEntry.objects.filter(user=user, action=action).values_list("points", flat=True)
    )


# --- The share link ----------------------------------------------------------------------------


def test_referral_code_is_made_once_and_url_safe(member):
    code = services.referral_code_for(member)
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,10}", code)
    assert services.referral_code_for(User.objects.get(pk=member.pk)) == code


def test_referral_code_draws_again_when_it_clashes(member, monkeypatch):
    other = UserFactory(username="bo")
    other.referral_code = "taken123"
    other.save()
    draws = iter(["taken123", "fresh456"])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: next(draws))
    assert services.referral_code_for(member) == "fresh456"
    assert User.objects.get(pk=member.pk).referral_code == "fresh456"


def test_share_link_remembers_the_referrer_for_30_days_and_offers_sign_up(client, referrer):
    response = client.get(share_path(referrer))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["max-age"] == 30 * 24 * 3600
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert referrer.referral_code in cookie.value  # signed: the code plus a signature
    assert cookie.value != referrer.referral_code


def test_unknown_code_redirects_without_a_cookie(client, referrer):
    response = client.get("/r/nobody99")
    assert response.status_code == 302
    assert COOKIE_NAME not in response.cookies


def test_signed_in_visitor_is_not_attributed(client, referrer):
    client.force_login(UserFactory(username="already"))
    response = client.get(share_path(referrer))
    assert response.status_code == 302
    assert COOKIE_NAME not in response.cookies


def test_tampered_cookie_attributes_nobody(referrer):
    client = Client()
    client.cookies[COOKIE_NAME] = referrer.referral_code  # unsigned
    client.post(
        "/accounts/signup/",
        {
            "email": "x@example.org",
            "username": "x",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert User.objects.filter(username="x").exists()
    assert not Referral.objects.exists()


# --- Signing up --------------------------------------------------------------------------------


def test_signing_up_through_a_share_link_creates_a_pending_referral(referrer):
    _client, newbie = sign_up_through(referrer, ip="198.51.100.7")
    referral = Referral.objects.get(referred=newbie)
    assert referral.referrer == referrer
    assert referral.state == Referral.PENDING
    assert referral.signup_ip == "198.51.100.7"
    assert points(referrer, REFERRER_ACTION) == 0


def test_forwarded_for_header_is_not_trusted_without_a_configured_proxy(referrer):
    client = Client()
    client.get(share_path(referrer))
    client.post(
        "/accounts/signup/",
        {
            "email": "newbie@example.org",
            "username": "newbie",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert Referral.objects.get().signup_ip == "198.51.100.7"


def test_signing_up_without_a_share_link_creates_no_referral(client, referrer):
    client.post(
        "/accounts/signup/",
        {"email": "n@example.org", "username": "n", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not Referral.objects.exists()


# --- Qualifying --------------------------------------------------------------------------------


def test_confirming_the_email_qualifies_the_referral_and_rewards_both(referrer):
    client, newbie = sign_up_through(referrer)
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    client.post(link)

    referral = Referral.objects.get(referred=newbie)
    assert referral.state == Referral.QUALIFIED
    assert referral.qualified_at is not None
    assert points(referrer, REFERRER_ACTION) == 50
    assert points(newbie, WELCOME_ACTION) == 25
    assert Balance.objects.get(user=referrer).lifetime == 50
    note = Notification.objects.get(recipient=referrer, kind="rewards.referral.qualified")
    assert "newbie" in note.text and "+50 points" in note.text


def test_qualification_checked_twice_rewards_once(referrer):
    _client, newbie = sign_up_through(referrer)
    verify_email(newbie)
    assert services.check_referral_qualification(newbie) is None
    verify_email(newbie)
    assert PointsEntry.objects.filter(user=referrer, action=REFERRER_ACTION).count() == 1
    assert PointsEntry.objects.filter(user=newbie, action=WELCOME_ACTION).count() == 1
    assert Balance.objects.get(user=referrer).lifetime == 50


def test_unverified_member_does_not_qualify(referrer):
    _client, newbie = sign_up_through(referrer)
    assert services.check_referral_qualification(newbie) is None
    assert Referral.objects.get(referred=newbie).state == Referral.PENDING


def test_every_fifth_qualified_referral_earns_one_bonus(referrer):
    friends = [refer(referrer, f"friend{i}") for i in range(11)]
    for friend in friends[:4]:
        verify_email(friend)
    assert points(referrer, BONUS_ACTION) == 0
    verify_email(friends[4])
    assert points(referrer, BONUS_ACTION) == 100
    for friend in friends[:5]:
        services.check_referral_qualification(friend)
    assert points(referrer, BONUS_ACTION) == 100
    for friend in friends[5:]:
        verify_email(friend)
    assert PointsEntry.objects.filter(user=referrer, action=BONUS_ACTION).count() == 2
    assert Balance.objects.get(user=referrer).lifetime == 11 * 50 + 2 * 100


def test_editors_can_require_an_action_as_well(referrer):
    conditions = ReferralSettings.for_site(Site.objects.get(is_default_site=True))
    conditions.require_action = "accounts.profile.completed"
    conditions.save()
    friend = refer(referrer, "friend")
    verify_email(friend)
    assert Referral.objects.get(referred=friend).state == Referral.PENDING
    services.award(friend, "accounts.profile.completed", source=friend)
    services.check_referral_qualification(friend)
    assert Referral.objects.get(referred=friend).state == Referral.QUALIFIED


def test_nothing_required_qualifies_at_sign_up(referrer):
    conditions = ReferralSettings.for_site(Site.objects.get(is_default_site=True))
    conditions.require_verified_email = False
    conditions.save()
    friend = refer(referrer, "friend")
    assert Referral.objects.get(referred=friend).state == Referral.QUALIFIED


# --- Self-referral -----------------------------------------------------------------------------


def test_member_using_their_own_link_is_flagged(referrer):
    referral = services.record_referral(referrer, code=referrer.referral_code)
    assert referral.state == Referral.FLAGGED
    assert "Self-referral" in referral.flag_reason


@pytest.mark.parametrize(
    ("referrer_email", "referred_email"),
    [
        ("ana@example.com", "ana+2@example.com"),
        ("ana@example.com", "ANA+promo@Example.com"),
        ("ana.souza@gmail.com", "anasouza@gmail.com"),
        ("anasouza@gmail.com", "a.n.a.souza+x@googlemail.com"),
    ],
)
def test_same_mailbox_variant_is_flagged_and_earns_nothing(
    referrer, referrer_email, referred_email
):
    referrer.email = referrer_email
    referrer.save()
    _client, newbie = sign_up_through(referrer, email=referred_email)
    referral = Referral.objects.get(referred=newbie)
    assert referral.state == Referral.FLAGGED
    assert "e-mail" in referral.flag_reason
    verify_email(newbie)
    assert Referral.objects.get(referred=newbie).state == Referral.FLAGGED
    assert points(referrer, REFERRER_ACTION) == 0
    assert points(newbie, WELCOME_ACTION) == 0


def test_dots_count_only_for_gmail(referrer):
    referrer.email = "ana.souza@example.com"
    referrer.save()
    _client, newbie = sign_up_through(referrer, email="anasouza@example.com")
    assert Referral.objects.get(referred=newbie).state == Referral.PENDING


def test_fourth_sign_up_from_one_address_in_a_day_is_flagged(referrer):
    newbies = [
        sign_up_through(referrer, username=f"newbie{i}", ip="203.0.113.5")[1] for i in range(4)
    ]
    states = [Referral.objects.get(referred=n).state for n in newbies]
    assert states == [Referral.PENDING] * 3 + [Referral.FLAGGED]
    assert "203.0.113.5" in Referral.objects.get(referred=newbies[3]).flag_reason
    _client, elsewhere = sign_up_through(referrer, username="elsewhere", ip="203.0.113.6")
    assert Referral.objects.get(referred=elsewhere).state == Referral.PENDING


def test_sign_ups_per_address_limit_is_a_setting(referrer, settings):
    settings.REFERRAL_MAX_SIGNUPS_PER_IP = 1
    refer(referrer, "one", ip="203.0.113.5")
    second = refer(referrer, "two", ip="203.0.113.5")
    assert Referral.objects.get(referred=second).state == Referral.FLAGGED


# --- Editors -----------------------------------------------------------------------------------


@pytest.fixture
def flagged(referrer):
    referrer.email = "ana@example.com"
    referrer.save()
    friend = refer(referrer, "sock")
    friend.email = "ana+sock@example.com"
    friend.save()
    Referral.objects.filter(referred=friend).update(
        state=Referral.FLAGGED, flag_reason="Same e-mail address"
    )
    return Referral.objects.get(referred=friend)


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor("eddie"))
    return client


def test_editor_clearing_a_flag_qualifies_the_referral(editor_client, flagged):
    verify_email(flagged.referred)
    assert points(flagged.referrer, REFERRER_ACTION) == 0
    response = editor_client.post(
        f"/admin/referrals/edit/{flagged.pk}/",
        {"decision": "clear", "reason": "Spouses sharing a domain; checked by phone."},
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.state == Referral.QUALIFIED
    assert points(flagged.referrer, REFERRER_ACTION) == 50
    entry = ModelLogEntry.objects.get(action="rewards.referral.cleared")
    assert entry.user.username == "eddie"
    assert entry.data["reason"] == "Spouses sharing a domain; checked by phone."


def test_editor_rejecting_a_flag_means_it_never_earns(editor_client, flagged):
    editor_client.post(
        f"/admin/referrals/edit/{flagged.pk}/",
        {"decision": "reject", "reason": "Same person."},
    )
    flagged.refresh_from_db()
    assert flagged.state == Referral.REJECTED
    verify_email(flagged.referred)
    assert points(flagged.referrer, REFERRER_ACTION) == 0
    assert ModelLogEntry.objects.get(action="rewards.referral.rejected").data["reason"] == (
        "Same person."
    )
    assert editor_client.get(f"/admin/referrals/history/{flagged.pk}/").status_code == 200


def test_review_needs_a_reason(editor_client, flagged):
    response = editor_client.post(
        f"/admin/referrals/edit/{flagged.pk}/", {"decision": "clear", "reason": ""}
    )
    assert response.status_code == 200
    flagged.refresh_from_db()
    assert flagged.state == Referral.FLAGGED


def test_flags_queue_lists_only_flagged_referrals(editor_client, flagged, referrer):
    refer(referrer, "genuine")
    response = editor_client.get("/admin/referral-flags/")
    assert response.status_code == 200
    assert b"sock" in response.content and b"genuine" not in response.content
    review = editor_client.get(f"/admin/referrals/edit/{flagged.pk}/")
    assert review.status_code == 200
    assert b"Same e-mail address" in review.content


def test_referrals_listing_filters_searches_and_exports(editor_client, flagged, referrer):
    refer(referrer, "genuine")
    listing = editor_client.get("/admin/referrals/", {"state": "pending"})
    assert b"genuine" in listing.content and b"sock" not in listing.content
    found = editor_client.get("/admin/referrals/", {"q": "sock"})
    assert b"sock" in found.content and b"genuine" not in found.content
    export = editor_client.get("/admin/referrals/", {"export": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert body.splitlines()[0].startswith("Signed up,Invited by,New member")
    assert "sock" in body and "genuine" in body


def test_moderators_see_referrals_but_cannot_review(client, flagged):
    from django.contrib.auth.models import Group

    moderator = UserFactory(username="mo")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    assert client.get("/admin/referral-flags/").status_code == 200
    assert client.get(f"/admin/referrals/inspect/{flagged.pk}/").status_code == 200
    response = client.post(
        f"/admin/referrals/edit/{flagged.pk}/", {"decision": "clear", "reason": "ok"}
    )
    assert response.status_code in (302, 403)
    flagged.refresh_from_db()
    assert flagged.state == Referral.FLAGGED


# --- What members see --------------------------------------------------------------------------


def test_own_profile_shows_the_share_link_and_each_referral_state(member_client, referrer, flagged):
    verify_email(refer(referrer, "qualifier"))
    refer(referrer, "waiting")
    response = member_client.get("/u/ana/")
    html = response.content.decode()
    assert f"http://testserver/r/{referrer.referral_code}" in html
    assert "readonly" in html and "Copy link" in html
    assert re.search(r"qualifier</bdi></span>\s*<span[^>]*>Qualified<", html)
    assert re.search(r"waiting</bdi></span>\s*<span[^>]*>Signed up<", html)
    assert re.search(r"sock</bdi></span>\s*<span[^>]*>Under review<", html)


def test_someone_elses_profile_shows_no_share_link(client, referrer):
    client.force_login(UserFactory(username="bo"))
    html = client.get("/u/ana/").content.decode()
    assert "/r/" not in html and "Your referrals" not in html


def test_points_page_shows_the_share_link(member_client, referrer):
    html = member_client.get("/points/").content.decode()
    assert f"/r/{referrer.referral_code}" in html
    assert "Nobody has joined through your link yet." in html


def test_profile_queries_do_not_grow_with_referrals(member_client, referrer):
    verify_email(refer(referrer, "first"))  # so the bell has a notification to list both times
    member_client.get("/u/ana/")  # warm caches (site, settings rows)
    fragments.clear_all()  # the kept pieces (the bell...) rendered afresh for both counts
    with CaptureQueriesContext(connection) as one:
        member_client.get("/u/ana/")
    for i in range(8):
        verify_email(refer(referrer, f"more{i}"))
    fragments.clear_all()
    with CaptureQueriesContext(connection) as nine:
        member_client.get("/u/ana/")
    assert len(nine) == len(one), "\n".join(q["sql"] for q in nine.captured_queries)


# --- Concurrency -------------------------------------------------------------------------------


@pytest.mark.postgres
# Not serialized_rollback: restoring the serialized data after another transactional test's
# flush (which re-creates content types) collides with what that flush re-created.
@pytest.mark.django_db(transaction=True)
def test_ten_threads_qualifying_one_referral_reward_once():
    referrer = UserFactory(username="ana")
    services.referral_code_for(referrer)
    friend = refer(referrer, "friend")
    EmailAddress.objects.create(user=friend, email=friend.email, verified=True, primary=True)
    barrier = threading.Barrier(10)
    errors = []

    def qualify():
        try:
            barrier.wait()
            services.check_referral_qualification(User.objects.get(pk=friend.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=qualify) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert PointsEntry.objects.filter(user=referrer, action=REFERRER_ACTION).count() == 1
    assert PointsEntry.objects.filter(user=friend, action=WELCOME_ACTION).count() == 1
    assert Balance.objects.get(user=referrer).lifetime == 50
    assert Notification.objects.filter(kind="rewards.referral.qualified").count() == 1


def test_the_bonus_rule_is_labelled_with_the_configured_number_of_friends():
    from django.conf import settings

    from hub.rewards.actions import get_action
    from hub.rewards.queries import BONUS_ACTION

    label = str(get_action(BONUS_ACTION).label)
    assert label == f"Bonus for every {settings.REFERRAL_BONUS_EVERY} friends who qualified"
