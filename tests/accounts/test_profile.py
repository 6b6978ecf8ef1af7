"""The public profile, editing your own profile, and the profile services behind them."""

import pytest
from django.core.files.storage import default_storage

from hub.accounts import services
from hub.accounts.models import User
from tests.factories import UserFactory, image_upload

pytestmark = pytest.mark.django_db


# --- The public profile ----------------------------------------------------------------------


def test_public_profile_shows_name_username_and_bio(client):
    UserFactory(username="ben", display_name="Ben Okafor", bio="Camp cook.\n\nStove reviewer.")
    response = client.get("/u/ben/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="profile-name"><bdi>Ben Okafor</bdi></h1>' in html
    assert "@<bdi>ben</bdi>" in html
    assert "<p>Camp cook.</p>" in html
    assert "<p>Stove reviewer.</p>" in html


def test_public_profile_falls_back_to_username_without_display_name(client):
    UserFactory(username="dara", display_name="")
    response = client.get("/u/dara/")
    assert '<h1 id="profile-name"><bdi>dara</bdi></h1>' in response.content.decode()


def test_public_profile_escapes_html_in_bio(client):
    UserFactory(username="mallory", bio="<script>alert(1)</script>")
    response = client.get("/u/mallory/")
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_public_profile_of_unknown_member_is_404(client):
    assert client.get("/u/nobody/").status_code == 404


def test_public_profile_of_deactivated_member_is_404(client):
    UserFactory(username="gone", is_active=False)
    assert client.get("/u/gone/").status_code == 404


def test_public_profile_offers_edit_link_only_to_its_owner(client, member):
    UserFactory(username="ben")
    client.force_login(member)
    assert b"Edit profile" in client.get("/u/ana/").content
    assert b"Edit profile" not in client.get("/u/ben/").content


def test_public_profile_shows_initials_when_member_has_no_avatar(client, member):
    response = client.get("/u/ana/")
    assert b"avatar--initials" in response.content
    assert b">AS</span>" in response.content


def test_public_profile_shows_uploaded_avatar(client, member):
    services.update_profile(member, display_name="Ana", bio="", avatar=image_upload())
    response = client.get("/u/ana/")
    assert member.avatar.url.encode() in response.content


def test_public_profile_query_count_is_small(client, member, django_assert_max_num_queries):
    client.get("/u/ana/")  # the first request of a site creates its brand settings row
    with django_assert_max_num_queries(6):
        response = client.get("/u/ana/")
    assert response.status_code == 200


# --- Editing your own profile ------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_profile_edit(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


def test_profile_edit_form_shows_current_values(member_client, member):
    member.bio = "Trail runner."
    member.save()
    response = member_client.get("/accounts/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ana Souza"' in html
    assert "Trail runner.</textarea>" in html


def test_profile_edit_page_query_count_is_small(member_client, django_assert_max_num_queries):
    member_client.get("/accounts/profile/")  # creates the site's brand settings row
    with django_assert_max_num_queries(10):
        response = member_client.get("/accounts/profile/")
    assert response.status_code == 200


def test_saving_profile_updates_public_profile(member_client, member):
    response = member_client.post(
        "/accounts/profile/", {"display_name": "Ana S.", "bio": "Map-maker."}, follow=True
    )
    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert b"Your profile has been saved." in response.content
    public = member_client.get("/u/ana/").content.decode()
    assert "Ana S.</bdi></h1>" in public
    assert "Map-maker." in public


def test_saving_profile_trims_surrounding_whitespace(member_client, member):
    member_client.post("/accounts/profile/", {"display_name": "  Ana  ", "bio": "\n Hello \n"})
    member.refresh_from_db()
    assert member.display_name == "Ana"
    assert member.bio == "Hello"


def test_too_long_display_name_is_a_form_error(member_client, member):
    response = member_client.post("/accounts/profile/", {"display_name": "x" * 61, "bio": ""})
    assert response.status_code == 200
    assert b"Ensure this value has at most 60 characters" in response.content
    member.refresh_from_db()
    assert member.display_name == "Ana Souza"


def test_profile_edit_rejects_other_http_methods(member_client):
    assert member_client.put("/accounts/profile/").status_code == 405


# --- Services ----------------------------------------------------------------------------------


def test_update_profile_saves_name_and_bio(member):
    services.update_profile(member, display_name="Ana Maria", bio="Hi")
    member = User.objects.get(pk=member.pk)
    assert (member.display_name, member.bio) == ("Ana Maria", "Hi")


def test_update_profile_without_avatar_keeps_existing_avatar(member):
    services.update_profile(member, display_name="Ana", bio="", avatar=image_upload())
    kept = member.avatar.name
    services.update_profile(member, display_name="Ana Maria", bio="")
    member.refresh_from_db()
    assert member.avatar.name == kept
    assert default_storage.exists(kept)


def test_delete_account_removes_member_and_avatar_files(member, django_capture_on_commit_callbacks):
    services.update_profile(member, display_name="Ana", bio="", avatar=image_upload())
    files = [member.avatar.name, member.avatar_thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_account(member)
    assert not User.objects.filter(username="ana").exists()
    assert not any(default_storage.exists(name) for name in files)


def test_delete_account_removes_the_pictures_they_put_in_posts(
    member, client, django_capture_on_commit_callbacks
):
    client.force_login(member)
    url = client.post("/compose/upload/", {"image": image_upload("me.png")}).json()["url"]
    name = url.removeprefix("/media/")
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_account(member)
    assert not default_storage.exists(name)
