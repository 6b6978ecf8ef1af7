"""/members/suggest/: the composer's @mention suggestions."""

import pytest

from community.rendering import render_post
from hub.accounts.queries import SUGGESTIONS
from tests.factories import UserFactory

SUGGEST = "/members/suggest/"


@pytest.mark.django_db
def test_visitors_get_no_member_list(client):
    UserFactory(username="bella")
    response = client.get(SUGGEST, {"q": "be"})
    assert response.status_code == 403
    assert "bella" not in response.content.decode()


@pytest.mark.django_db
def test_members_are_found_by_username_or_display_name(member_client):
    UserFactory(username="ben_ok", display_name="Ben Okafor")
    UserFactory(username="zed", display_name="Benedikt Zed")
    UserFactory(username="carla", display_name="Carla")
    results = member_client.get(SUGGEST, {"q": "@be"}).json()["results"]
    assert [r["username"] for r in results] == ["ben_ok", "zed"]
    assert results[0]["name"] == "Ben Okafor"
    assert results[0]["initials"] == "BO"
    assert results[0]["avatar"] == ""


@pytest.mark.django_db
def test_inactive_members_and_yourself_are_not_suggested(member_client):
    UserFactory(username="anabel", is_active=False)
    assert member_client.get(SUGGEST, {"q": "ana"}).json()["results"] == []


@pytest.mark.django_db
def test_only_names_a_mention_links_are_suggested(member_client):
    UserFactory(username="ben.ok")
    UserFactory(username="ben@mail")  # valid for Django, but "@ben@mail" would not link
    results = member_client.get(SUGGEST, {"q": "ben"}).json()["results"]
    assert [r["username"] for r in results] == ["ben.ok"]
    html, mentioned = render_post(f"Hello @{results[0]['username']} !")
    assert 'class="mention"' in html and [m.username for m in mentioned] == ["ben.ok"]


@pytest.mark.django_db
def test_suggestions_are_few_and_their_queries_bounded(
    member_client, django_assert_max_num_queries
):
    for i in range(SUGGESTIONS + 5):
        UserFactory(username=f"bob{i:02d}")
    with django_assert_max_num_queries(4):  # the session, the member, the suggestions …
        results = member_client.get(SUGGEST, {"q": "bob"}).json()["results"]
    assert len(results) == SUGGESTIONS


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "@", "   ", "%", "x" * 5000, "' OR 1=1 --"])
def test_odd_queries_answer_calmly(member_client, query):
    response = member_client.get(SUGGEST, {"q": query})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_posting_to_suggest_is_not_allowed(member_client):
    assert member_client.post(SUGGEST, {"q": "be"}).status_code == 405
