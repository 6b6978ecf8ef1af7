"""/community/preview/: the composer's live preview of a forum post or story comment."""

import pytest

from community.rendering import render_post
from tests.factories import UserFactory

PREVIEW = "/community/preview/"


@pytest.mark.django_db
def test_the_preview_links_mentions_as_the_post_will(member_client):
    UserFactory(username="ben")
    text = "Thanks @ben, see https://example.org `@ben` <script>alert(1)</script>"
    html = member_client.post(PREVIEW, {"text": text}).json()["html"]
    assert html == render_post(text)[0]
    assert '<a class="mention" href="/u/ben/"' in html
    assert 'href="https://example.org"' in html
    assert "<script" not in html


@pytest.mark.django_db
def test_the_preview_is_for_members(client):
    assert client.post(PREVIEW, {"text": "hi"}).status_code == 403


@pytest.mark.django_db
def test_the_preview_of_many_mentions_costs_a_bounded_number_of_queries(
    member_client, django_assert_max_num_queries
):
    text = " ".join(f"@user{i}" for i in range(50))
    with django_assert_max_num_queries(4):  # the session, the member, the mentioned …
        assert member_client.post(PREVIEW, {"text": text}).status_code == 200
