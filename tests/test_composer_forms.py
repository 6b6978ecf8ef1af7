"""Every form members write in carries the composer (templates/includes/composer.html) on its
text box, and keeps its plain form for browsers without JavaScript."""

import pytest
from bs4 import BeautifulSoup

from tests.community.factories import make_category, make_topic
from tests.factories import build_site_tree, make_story
from tests.feedback.factories import ProductFactory, make_idea


def composers(response) -> dict[str, dict]:
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    found = {}
    for box in soup.select("[data-composer]"):
        assert soup.find(id=box["data-for"]).name == "textarea"
        assert box.has_attr("hidden")  # shown by the script only
        found[box["data-for"]] = box.attrs
    return found


@pytest.mark.django_db
def test_forum_forms_carry_the_composer_with_mentions_and_the_forum_preview(member, member_client):
    topic = make_topic(make_category("help"), member)
    for url in [
        "/community/c/help/new/",
        topic.get_absolute_url(),
        f"/community/p/{topic.posts.first().pk}/edit/",
    ]:
        box = composers(member_client.get(url))["id_body"]
        assert box["data-suggest-url"] == "/members/suggest/"
        assert box["data-preview-url"] == "/community/preview/"
        assert box["data-upload-url"] == "/compose/upload/"


@pytest.mark.django_db
def test_story_comments_carry_the_composer(member_client):
    _home, index = build_site_tree()
    story = make_story(index, title="Trail report", cover=False)
    found = composers(member_client.get(story.url))
    assert found["id_body"]["data-preview-url"] == "/community/preview/"


@pytest.mark.django_db
def test_reviews_and_ideas_carry_the_composer_with_mentions(member_client):
    ProductFactory(slug="tent")
    idea = make_idea(title="Lighter pegs")
    for url, field in [
        ("/products/tent/review/", "id_body"),
        ("/ideas/new/", "id_description"),
        (f"/ideas/{idea.pk}/", "id_body"),
    ]:
        box = composers(member_client.get(url))[field]
        assert box["data-preview-url"] == "/compose/preview/"
        assert box["data-suggest-url"] == "/members/suggest/"
