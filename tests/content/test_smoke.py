import pytest

from tests.factories import make_story

pytestmark = pytest.mark.django_db


def test_story_index_lists_published_stories(client, site_tree):
    _, index = site_tree
    make_story(index, title="Packing light", tags=["guides"])
    make_story(index, title="Draft story", publish=False)
    response = client.get("/stories/")
    assert response.status_code == 200
    assert b"Packing light" in response.content
    assert b"Draft story" not in response.content
