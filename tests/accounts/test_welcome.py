"""A new member is welcomed with three first steps until they close the welcome."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_member_lands_on_a_welcome_with_three_first_steps(member_client, site_tree):
    page = member_client.get(reverse("accounts:profile_edit")).content.decode()

    assert "Welcome, <bdi>Ana Souza</bdi>!" in page
    assert "Complete your profile" in page
    assert "Say hello in the community" in page and reverse("community:index") in page
    assert reverse("rewards:how_to_earn") in page


def test_the_home_page_welcomes_a_new_member_but_not_a_visitor(client, member, site_tree):
    assert "welcome-heading" not in client.get("/").content.decode()
    client.force_login(member)
    assert "welcome-heading" in client.get("/").content.decode()


def test_closing_the_welcome_hides_it_for_good_and_returns_to_the_page(member_client, member):
    response = member_client.post(
        reverse("accounts:dismiss_welcome"), {"next": "/accounts/profile/"}
    )

    assert response.status_code == 302 and response.url == "/accounts/profile/"
    member.refresh_from_db()
    assert member.welcome_dismissed_at is not None
    page = member_client.get(reverse("accounts:profile_edit")).content.decode()
    assert "welcome-heading" not in page


def test_the_profile_step_is_ticked_once_the_member_wrote_about_themselves(client):
    member = UserFactory(username="bo", bio="I bake bread.")
    client.force_login(member)

    page = client.get(reverse("accounts:profile_edit")).content.decode()

    assert 'class="welcome__done"' in page


def test_long_standing_members_are_not_greeted_as_new(client):
    old = UserFactory(username="old", date_joined=timezone.now() - datetime.timedelta(days=90))
    client.force_login(old)

    assert "welcome-heading" not in client.get(reverse("accounts:profile_edit")).content.decode()


def test_closing_the_welcome_needs_a_signed_in_member_and_a_post(client, member_client):
    assert client.post(reverse("accounts:dismiss_welcome")).status_code == 302  # to sign in
    assert member_client.get(reverse("accounts:dismiss_welcome")).status_code == 405
