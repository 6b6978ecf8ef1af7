import pytest

from hub.api.services import create_api_key, record_use

ALL_SCOPES = ["members:read", "points:write", "perks:read", "events:read", "orders:write"]


@pytest.fixture
def make_key(db):
    """make_key(scopes=[...], rate_per_minute=...) -> (ApiKey, the full key)."""

    def make(scopes=ALL_SCOPES, **fields):
        return create_api_key(
            name=fields.pop("name", "Shop sync"), scopes=scopes, by=None, **fields
        )

    return make


@pytest.fixture
def api(client, make_key):
    """A client that sends a key with every scope; ``api.key`` is the ApiKey."""
    key, raw = make_key()
    record_use(key)  # the once-a-minute write of its last use is done: counts stay per request
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client.key = key
    client.raw_key = raw
    return client


def as_problem(response) -> dict:
    assert response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"].startswith("/problems/")
    return body
