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


def test_the_welcome_goes_by_itself_once_every_step_is_done(
    client, site_tree, django_assert_max_num_queries
):
    from community.services import create_topic
    from tests.community.factories import make_category

    member = UserFactory(username="cai", bio="I hike the coast.")
    client.force_login(member)
    client.get("/")  # warm the caches the home page fills once
    with django_assert_max_num_queries(30):
        assert "welcome-heading" in client.get("/").content.decode()

    create_topic(
        by=member,
        category=make_category("hello"),
        title="Hello from the coast",
        body="Glad to be here.",
        enforce_limits=False,
    )
    page = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "welcome-heading" in page and page.count('class="welcome__done"') == 2

    assert client.get(reverse("rewards:how_to_earn")).status_code == 200

    member.refresh_from_db()
    assert member.said_hello_at and member.saw_how_to_earn_at
    assert member.welcome_dismissed_at is None  # gone by itself, not closed
    with django_assert_max_num_queries(30):
        assert "welcome-heading" not in client.get("/").content.decode()
    assert "welcome-heading" not in client.get(reverse("accounts:profile_edit")).content.decode()


def test_the_how_to_earn_visit_is_recorded_once(member_client, member):
    member_client.get(reverse("rewards:how_to_earn"))
    member.refresh_from_db()
    first = member.saw_how_to_earn_at

    member_client.get(reverse("rewards:how_to_earn"))

    member.refresh_from_db()
    assert first is not None and member.saw_how_to_earn_at == first


def test_the_welcome_stays_while_a_step_is_left(client, site_tree):
    member = UserFactory(username="dee")  # no bio or picture yet
    client.force_login(member)

    client.get(reverse("rewards:how_to_earn"))

    page = client.get("/").content.decode()
    assert "welcome-heading" in page and page.count('class="welcome__done"') == 1
