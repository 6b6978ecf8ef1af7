"""The member pages this round added to `make bench` resolve, answer and keep a flat query count."""

from django.test import Client

from hub.bench import USERNAME_PREFIX, bench_pages, bench_user, discover
from tests.factories import UserFactory


def test_mention_suggestions_and_preferences_are_benched_with_few_queries(
    db, site_tree, django_assert_max_num_queries
):
    discover()
    pages = {p.name: p for p in bench_pages()}
    for n in range(30):
        UserFactory(username=f"{USERNAME_PREFIX}1{n}")
    client = Client()
    client.force_login(bench_user("member"))
    for name in ("mention suggestions", "notification preferences"):
        page = pages[name]
        assert page.as_user == "member"
        url = page.resolve()
        client.get(url)  # warm the per-process caches (site, settings)
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200, (name, url)
    results = client.get(pages["mention suggestions"].resolve()).json()["results"]
    assert 0 < len(results) <= 8
    assert all(r["username"].startswith(f"{USERNAME_PREFIX}1") for r in results)
