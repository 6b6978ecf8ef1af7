"""The bench measures the API pages with a key of its own: each answers 200 within its bound."""

import pytest

from hub.bench import bench_pages
from tests import factories

pytestmark = pytest.mark.django_db


def test_api_bench_pages_answer(client, site_tree, django_assert_max_num_queries):
    import hub.api.bench

    hub.api.bench._headers = None  # a key of this test's database
    factories.UserFactory(username="ana", email="ana@example.com")
    pages = [p for p in bench_pages() if p.name.startswith("api ")]
    assert {p.name for p in pages} >= {"api member lookup", "api perks list", "api events list"}
    for page in pages:
        url = page.resolve()
        if url is None:
            continue  # its data is missing (no RSVPs here)
        headers = page.resolve_headers()
        client.get(url, headers=headers)  # the key's once-a-minute last-use write
        with django_assert_max_num_queries(6):
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (page.name, response.content)
    hub.api.bench._headers = None
