"""One search for everything (issue 16): every kind of content is found by its words, ranked
together with the matched words highlighted, a filter per kind pages through one kind, the header
suggests as people type, and nothing hidden, deleted, pending or unpublished is ever shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from community import services as community
from events import services as events  # noqa: F401  (the events app's search source)
from feedback import services as feedback
from feedback.models import Review
from tests.community.factories import make_category
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, make_editor, make_story
from tests.feedback.factories import ProductFactory, make_idea, make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def stoves(site_tree):
    home, stories = site_tree
    author = UserFactory(username="author", display_name="Author")
    reader = UserFactory(username="reader")
    category = make_category("gear", name="Gear talk")
    topic = community.create_topic(
        by=author, category=category, title="Which stove for winter?", body="Ideas welcome."
    )
    community.create_reply(topic=topic, by=reader, body="My titanium stove never failed me.")
    product = ProductFactory(name="Ridge stove", description="A small stove for the trail.")
    make_review(product, reader, title="Boils fast", body="This stove boils water in 3 minutes.")
    feedback.post_idea(by=author, title="A lighter stove", description="Half the weight, please.")
    make_story(stories, title="Cooking on a stove above the tree line")
    make_event(build_event_index(home), title="Stove repair workshop")
    return {"author": author, "reader": reader, "topic": topic, "product": product, "home": home}


def _kinds(page: str) -> set[str]:
    return {
        kind
        for kind in ("stories", "events", "topics", "posts", "products", "reviews", "ideas")
        if f"search-result--{kind}" in page
    }


def test_one_word_finds_every_kind_of_content_with_the_word_highlighted(client, stoves):
    page = client.get("/search/", {"q": "stove"}).content.decode()
    assert _kinds(page) == {"stories", "events", "topics", "posts", "products", "reviews", "ideas"}
    assert "<mark>stove</mark>" in page
    assert "7 results for “stove”" in page


def test_a_filter_per_kind_pages_through_that_kind_only(client, stoves):
    page = client.get("/search/", {"q": "stove", "kind": "reviews"}).content.decode()
    assert _kinds(page) == {"reviews"}
    assert "Boils fast" in page and "Ridge stove" in page  # the review and its product
    assert 'aria-current="page">Reviews' in page
    unknown = client.get("/search/", {"q": "stove", "kind": "nonsense"})
    assert unknown.status_code == 200 and len(_kinds(unknown.content.decode())) == 7


def test_hidden_deleted_pending_and_unpublished_content_never_shows(client, stoves, site_tree):
    home, stories = site_tree
    moderator = make_editor("mod")
    moderator.is_superuser = True
    moderator.save()
    topic = stoves["topic"]
    reply = topic.posts.order_by("number").last()
    community.hide_post(reply, by=moderator, reason="Spam")
    hidden_topic = community.create_topic(
        by=stoves["author"], category=topic.category, title="Secret stove", body="Psst."
    )
    hidden_topic.hidden = True
    hidden_topic.save()
    Review.objects.filter(title="Boils fast").update(status=Review.PENDING)
    idea = feedback.post_idea(by=stoves["author"], title="Hidden stove", description="No.")
    idea.hidden = True
    idea.save()
    ProductFactory(name="Retired stove", live=False)
    make_story(stories, title="Draft stove story", publish=False)
    private = make_story(stories, title="Members-only stove story")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    page = client.get("/search/", {"q": "stove"}).content.decode()
    for hidden in (
        "titanium",
        "Secret stove",
        "Boils fast",
        "Hidden stove",
        "Retired stove",
        "Draft stove story",
        "Members-only stove story",
    ):
        assert hidden not in page, hidden
    suggestions = client.get("/search/suggest/", {"q": "stove"}).json()["results"]
    assert not {"Secret stove", "Hidden stove", "Retired stove"} & {s["title"] for s in suggestions}


def test_member_text_is_escaped_around_the_highlight(client, site_tree):
    author = UserFactory(username="author")
    feedback.post_idea(
        by=author, title="<script>alert(1)</script> stove", description="<b>stove</b>"
    )
    page = client.get("/search/", {"q": "stove"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>stove</mark>" in page


def test_the_header_suggests_the_best_results_as_json(client, stoves):
    results = client.get("/search/suggest/", {"q": "stove"}).json()["results"]
    assert 1 <= len(results) <= 8
    assert {"kind", "title", "url", "meta"} <= set(results[0])
    assert any(
        r["title"] == "Ridge stove" and r["url"] == "/products/" + stoves["product"].slug + "/"
        for r in results
    )
    assert client.get("/search/suggest/", {"q": "s"}).json() == {"results": []}


def test_the_search_costs_the_same_number_of_queries_with_more_content(client, stoves):
    def count() -> int:
        client.get("/search/", {"q": "stove"})
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"q": "stove"})
        return len(captured)

    few = count()
    for n in range(12):
        make_idea(stoves["author"], title=f"Stove idea {n}", description="More.")
        make_review(ProductFactory(name=f"Stove {n}"), title=f"Stove review {n}", body="Stove.")
    assert count() == few <= 40


def test_the_bench_times_the_search_pages_and_how_to_earn(client, stoves):
    import hub.content.bench  # noqa: F401  (registers its pages)
    import hub.rewards.bench  # noqa: F401
    from hub.bench import bench_pages

    pages = {p.name: p for p in bench_pages()}
    for name in ("search", "search, one kind", "search suggestions", "how to earn points"):
        url = pages[name].resolve()
        client.get(url)  # warm the caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, name
        assert len(captured) <= 26, name
