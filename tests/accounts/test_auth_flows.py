"""Sign-up, sign-in, sign-out, password reset and account deletion, as a visitor does them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail

from hub.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "demo12345"
NEW_PASSWORD = "a-much-longer-new-passphrase-42"


def signed_in_username(client) -> str | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id).username if user_id else None


def sign_up(client, **overrides):
    data = {
        "email": "newbie@example.com",
        "username": "newbie",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post("/accounts/signup/", data)


def link_in(message) -> str:
    match = re.search(r"http://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# --- Sign-up -----------------------------------------------------------------------------------


def test_sign_up_creates_member_and_lands_on_profile_edit(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert signed_in_username(client) == "newbie"
    assert client.get("/accounts/profile/").status_code == 200


def test_sign_up_sends_a_verification_email(client):
    sign_up(client)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.com"]
    assert message.subject.startswith("[Advocate Hub] ")
    assert "/accounts/confirm-email/" in link_in(message)


def test_account_emails_speak_in_the_brands_name_and_address(client, site_tree, settings):
    from wagtail.models import Site

    from hub.content.models import BrandSettings

    settings.WAGTAILADMIN_BASE_URL = "https://community.trailmark.example"
    brand = BrandSettings.for_site(Site.objects.get(is_default_site=True))
    brand.brand_name = "Trailmark Community"
    brand.save()
    sign_up(client)
    message = mail.outbox[0]
    assert message.subject.startswith("[Trailmark Community] ")
    assert "Hello from Trailmark Community!" in message.body
    assert "community.trailmark.example" in message.body
    assert "example.com" not in message.body.replace("newbie@example.com", "")


def test_following_verification_link_verifies_the_address(client):
    sign_up(client)
    link = link_in(mail.outbox[0])
    client.post(link)
    assert EmailAddress.objects.get(email="newbie@example.com").verified


def test_sign_up_with_taken_email_is_a_form_error(client, member):
    response = sign_up(client, email="ana@example.com")
    assert response.status_code == 200
    assert b"A user is already registered with this email address." in response.content
    assert not User.objects.filter(username="newbie").exists()


def test_sign_up_with_mismatched_passwords_is_a_form_error(client):
    response = sign_up(client, password2="something-else-entirely-99")
    assert response.status_code == 200
    assert b"You must type the same password each time." in response.content
    assert not User.objects.filter(username="newbie").exists()


def test_sign_up_is_closed_when_signup_open_is_off(client, settings):
    settings.SIGNUP_OPEN = False
    response = sign_up(client)
    assert b"Sign Up Closed" in response.content
    assert not User.objects.filter(username="newbie").exists()


# --- Sign-in and sign-out ----------------------------------------------------------------------


def test_member_signs_in_with_username(client, member):
    response = client.post("/accounts/login/", {"login": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert signed_in_username(client) == "ana"


def test_member_signs_in_with_email(client, member):
    response = client.post("/accounts/login/", {"login": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_username(client) == "ana"


def test_sign_in_returns_to_the_page_asked_for(client, member):
    response = client.post(
        "/accounts/login/?next=/u/ana/", {"login": "ana", "password": PASSWORD, "next": "/u/ana/"}
    )
    assert response["Location"] == "/u/ana/"


def test_wrong_password_is_a_form_error(client, member):
    response = client.post("/accounts/login/", {"login": "ana", "password": "wrong-password"})
    assert response.status_code == 200
    assert b"The username and/or password you specified are not correct." in response.content
    assert signed_in_username(client) is None


def test_sign_out_by_post_ends_the_session(member_client):
    response = member_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_username(member_client) is None
    assert member_client.get("/accounts/profile/").status_code == 302


def test_repeated_failed_sign_ins_are_refused_once_limit_is_reached(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    for _ in range(3):
        response = client.post("/accounts/login/", {"login": "ana", "password": "guess"})
        assert b"are not correct" in response.content
    # Even the right password is refused until the window has passed.
    response = client.post("/accounts/login/", {"login": "ana", "password": PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed login attempts. Try again later." in response.content
    assert signed_in_username(client) is None


# --- Password reset ----------------------------------------------------------------------------


def test_password_reset_sends_email_with_reset_link(client, member):
    response = client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert link_in(mail.outbox[0]).startswith("/accounts/password/reset/key/")


def test_reset_link_lets_member_set_a_new_password(client, member):
    client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    response = client.get(link_in(mail.outbox[0]), follow=True)
    assert response.status_code == 200
    assert b'name="password1"' in response.content
    form_url = response.redirect_chain[-1][0]

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    client.logout()
    client.post("/accounts/login/", {"login": "ana", "password": NEW_PASSWORD})
    assert signed_in_username(client) == "ana"


def test_reset_link_works_only_once(client, member):
    client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    link = link_in(mail.outbox[0])
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    response = client.get(link, follow=True)
    assert b'name="password1"' not in response.content
    assert b"Bad Token" in response.content


# --- Deleting your account ---------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_account_delete(client):
    response = client.get("/accounts/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/delete/")


def test_account_delete_with_wrong_password_is_a_form_error(member_client, member):
    response = member_client.post("/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 200
    assert b"That is not your password." in response.content
    assert User.objects.filter(pk=member.pk).exists()
    assert signed_in_username(member_client) == "ana"


def test_account_delete_with_right_password_erases_member_and_signs_out(member_client, member):
    response = member_client.post("/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[0] == ("/", 302)
    assert not User.objects.filter(pk=member.pk).exists()
    assert signed_in_username(member_client) is None
    assert member_client.get("/u/ana/").status_code == 404


def test_deleted_member_cannot_sign_in_again(member_client, member, client):
    member_client.post("/accounts/delete/", {"password": PASSWORD})
    response = client.post("/accounts/login/", {"login": "ana", "password": PASSWORD})
    assert response.status_code == 200
    assert signed_in_username(client) is None


def test_account_delete_leaves_other_members_alone(member_client, member):
    UserFactory(username="ben")
    member_client.post("/accounts/delete/", {"password": PASSWORD})
    assert list(User.objects.values_list("username", flat=True)) == ["ben"]
