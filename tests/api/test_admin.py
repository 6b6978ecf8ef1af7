"""Editors make, change and revoke API keys in the Wagtail admin; the key is shown once."""

import re

import pytest

from hub.api.models import ApiKey
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor(can_publish=False))
    return client


def test_editor_makes_a_key_and_sees_it_once(editor_client, client):
    response = editor_client.post(
        "/admin/api-keys/new/",
        {"name": "Shop sync", "scopes": ["members:read", "points:write"], "rate_per_minute": "60"},
    )
    key = ApiKey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/api-keys/created/{key.pk}/"
    shown = editor_client.get(response["Location"])
    html = shown.content.decode()
    raw = html.split("data-api-key", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert raw.startswith(key.prefix + "_")
    assert key.scopes == ["members:read", "points:write"]
    assert key.rate_per_minute == 60
    # The key works, within its scopes.
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    ana = UserFactory(username="ana")
    assert (
        client.get(f"/api/v1/members/{ana.pk}/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 200
    )
    # A second visit no longer shows it.
    again = editor_client.get(f"/admin/api-keys/created/{key.pk}/")
    assert again.status_code == 302
    assert raw not in editor_client.get(again["Location"]).content.decode()


def test_key_needs_a_scope(editor_client):
    response = editor_client.post(
        "/admin/api-keys/new/", {"name": "Nothing", "scopes": [], "rate_per_minute": "60"}
    )
    assert response.status_code == 200
    assert not ApiKey.objects.exists()


def test_editor_revokes_a_key_and_it_stops_working(editor_client, client):
    editor_client.post(
        "/admin/api-keys/new/", {"name": "CRM", "scopes": ["perks:read"], "rate_per_minute": "60"}
    )
    key = ApiKey.objects.get()
    page = editor_client.get(f"/admin/api-keys/created/{key.pk}/").content.decode()
    raw = page.split("data-api-key", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert "Revoke" in editor_client.get(f"/admin/api-keys/edit/{key.pk}/").content.decode()
    assert editor_client.post(f"/admin/api-keys/revoke/{key.pk}/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    listing = editor_client.get("/admin/api-keys/").content.decode()
    assert "Revoked" in listing and key.prefix in listing


def test_members_cannot_reach_api_keys(client):
    client.force_login(UserFactory(username="ana"))
    assert client.get("/admin/api-keys/").status_code == 302


def test_editor_changes_a_keys_scopes_and_calls_follow(editor_client, client, make_key):
    key, raw = make_key(scopes=["members:read"])
    page = editor_client.get(f"/admin/api-keys/edit/{key.pk}/").content.decode()
    ticked = re.findall(r'<input type="checkbox" name="scopes" value="([^"]+)"[^>]*checked', page)
    assert ticked == ["members:read"]
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    response = editor_client.post(
        f"/admin/api-keys/edit/{key.pk}/",
        {"name": "Shop sync", "scopes": ["members:read", "perks:read"], "rate_per_minute": "30"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.scopes == ["members:read", "perks:read"] and key.rate_per_minute == 30
    assert client.get("/api/v1/perks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
