"""@mentions in reviews, ideas and idea comments: linked to the member's profile, told to the
member once, and looked up once per page (hub.mentions)."""

import pytest
from bs4 import BeautifulSoup

from feedback import services
from feedback.models import Product
from hub import fragments
from hub.notifications.models import Notification
from tests.factories import UserFactory

from .factories import make_idea, make_review

pytestmark = pytest.mark.django_db


def mention_links(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [(a.get_text(), a["href"]) for a in soup.select("a.mention")]


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=services.KIND_MENTION))


def test_a_review_links_a_mentioned_member_but_not_code_unknown_or_inactive_names(
    client, product, member, other
):
    UserFactory(username="gone", is_active=False)
    make_review(
        product,
        member,
        body="Thanks @ben for the tip. Not @nobody, not @gone, and not `@ben` in code.",
    )
    assert mention_links(client.get(product.get_absolute_url())) == [("@ben", "/u/ben/")]


def test_an_idea_and_its_comments_link_mentions(client, member, other):
    idea = make_idea(member, description="Like @ben said last week.")
    services.comment_on_idea(idea, by=other, body="Agreed, @ana.")
    links = mention_links(client.get(idea.get_absolute_url()))
    assert links == [("@ben", "/u/ben/"), ("@ana", "/u/ana/")]


def test_a_renamed_member_is_no_longer_linked(client, member, other):
    idea = make_idea(member, description="Ask @ben.")
    assert mention_links(client.get(idea.get_absolute_url())) == [("@ben", "/u/ben/")]
    other.username = "benjamin"
    other.save()
    assert mention_links(client.get(idea.get_absolute_url())) == []


def test_a_published_review_tells_the_mentioned_member_once(product, member, other):
    services.submit_review(product, by=member, rating=5, title="Great", body="Hi @ben!")
    services.submit_review(product, by=member, rating=4, title="Great", body="Hi @ben, again.")
    [notification] = told(other)
    assert "Ana Souza mentioned you" in notification.text
    assert notification.url.endswith(f"#review-{notification.target_id}")
    assert told(member) == []  # mentioning yourself tells nobody


def test_a_review_waiting_for_a_moderator_tells_nobody_until_approved(member, other, moderator):
    product = Product.objects.create(name="Stove", slug="stove", moderation=Product.PRE_MODERATION)
    review = services.submit_review(product, by=member, rating=5, title="Hot", body="@ben look")
    assert told(other) == []
    services.approve_review(review, by=moderator)
    [notification] = told(other)
    assert notification.actor == member


def test_an_idea_tells_the_mentioned_member(member, other):
    services.post_idea(by=member, title="Lighter pegs", description="What do you think, @ben?")
    [notification] = told(other)
    assert "“Lighter pegs”" in notification.text


def test_a_comment_mentioning_the_ideas_author_tells_them_once(member, other):
    idea = make_idea(member, title="Lighter pegs")
    services.comment_on_idea(idea, by=other, body="@ana yes please")
    assert [n.kind for n in Notification.objects.filter(recipient=member)] == [
        services.KIND_MENTION
    ]


def test_product_page_with_many_mentions_costs_one_lookup(
    client, django_assert_max_num_queries, product
):
    names = [UserFactory(username=f"friend{n}").username for n in range(12)]
    for n in range(10):
        make_review(product, body=" ".join(f"@{name}" for name in names[n : n + 3]))
    client.get(product.get_absolute_url())  # warm: cached look-ups
    fragments.clear_all()  # the reviews rendered again (kept pieces would look up nothing)
    with django_assert_max_num_queries(20) as captured:
        response = client.get(product.get_absolute_url() + "?sort=helpful")
    assert len(mention_links(response)) == 30
    lookups = [q for q in captured.captured_queries if '"username" IN' in q["sql"]]
    assert len(lookups) == 1


def test_idea_page_with_many_mentioning_comments_costs_one_lookup(
    client, django_assert_max_num_queries, member
):
    names = [UserFactory(username=f"friend{n}").username for n in range(12)]
    idea = make_idea(member, description="@friend0 and @friend1")
    for n in range(20):
        services.comment_on_idea(idea, by=member, body=f"@{names[n % 12]} and @{names[-1]}")
    client.get(idea.get_absolute_url())
    with django_assert_max_num_queries(15) as captured:
        response = client.get(idea.get_absolute_url())
    assert len(mention_links(response)) == 42
    lookups = [q for q in captured.captured_queries if '"username" IN' in q["sql"]]
    assert len(lookups) == 1
