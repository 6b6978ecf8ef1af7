"""Members' feedback pages from shared pieces (feedback/queries.py, feedback/fragments.py): the
listings are read once per change and shared, every change shows at once to the member who made
it and to everyone else, one member's votes, helpful marks or review never reach another, and the
CSRF token in the page is the request's own."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import services
from feedback.models import HelpfulVote, Idea, IdeaVote
from hub import fragments
from tests.factories import UserFactory

from .factories import make_idea, make_review, open_survey

pytestmark = pytest.mark.django_db


def member(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def ana(db):
    return UserFactory(username="ana", display_name="Ana")


@pytest.fixture
def chen(db):
    return UserFactory(username="chen", display_name="Chen")


@pytest.fixture
def review(product, other):
    return make_review(product, other, rating=4, title="Roomy", body="Sleeps two.")


def _reads_of(queries, table) -> list[str]:
    # The ORM's reads (quoted names); the member's own state is one plain statement apart.
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def _article(page, pk) -> str:
    html = page.content.decode()
    start = html.index(f'id="review-{pk}"')
    return html[start : html.index("</article>", start)]


def _row(page, pk) -> str:
    html = page.content.decode()
    start = html.index(f'id="idea-{pk}"')
    return html[start : html.index("</li>", start)]


# --- Products -----------------------------------------------------------------------------------
def test_the_products_are_read_once_per_change(product, ana, chen):
    url = reverse("feedback:products")
    member(ana).get(url)
    chen_client = member(chen)
    with CaptureQueriesContext(connection) as seen:
        page = chen_client.get(url)
    assert "Ridge 2 Tent" in page.content.decode() and "No reviews yet" in page.content.decode()
    assert not _reads_of(seen.captured_queries, "feedback_product")
    # A new review changes the product's rating: both see it on their next page.
    services.submit_review(product, by=ana, rating=5, title="Great", body="Dry all night.")
    with CaptureQueriesContext(connection) as seen:
        page = chen_client.get(url).content.decode()
    assert _reads_of(seen.captured_queries, "feedback_product")
    assert "(1 review)" in page
    assert "(1 review)" in member(ana).get(url).content.decode()


def test_member_products_page_queries_stay_flat(product, ana, django_assert_max_num_queries):
    client = member(ana)
    client.get(reverse("feedback:products"))
    with django_assert_max_num_queries(3):
        # Kept: the products and categories, the grid. Read: the session, the member (and
        # their answered surveys, when one is open).
        client.get(reverse("feedback:products"))
    fragments.clear_all()
    with django_assert_max_num_queries(9):
        client.get(reverse("feedback:products"))  # everything read and rendered again


# --- A product's reviews ------------------------------------------------------------------------
def test_a_product_and_its_reviews_are_read_once_per_change(product, review, ana, chen):
    url = product.get_absolute_url()
    member(ana).get(url)
    chen_client = member(chen)
    with CaptureQueriesContext(connection) as seen:
        page = chen_client.get(url)
    assert "Sleeps two." in page.content.decode()
    for table in ("feedback_product", "feedback_review", "feedback_reviewphoto"):
        assert not _reads_of(seen.captured_queries, table), table
    services.submit_review(product, by=ana, rating=2, title="Leaky", body="Wet by morning.")
    with CaptureQueriesContext(connection) as seen:
        page = chen_client.get(url).content.decode()
    assert _reads_of(seen.captured_queries, "feedback_review")
    assert "Wet by morning." in page and "Based on 2 reviews" in page


def test_member_product_page_queries_stay_flat(product, ana, django_assert_max_num_queries):
    for n in range(10):
        make_review(product, title=f"Review {n}", body=f"Body {n}")
    client = member(ana)
    client.get(product.get_absolute_url())
    with django_assert_max_num_queries(3):
        # Kept: the product, its reviews, gallery, JSON-LD and pieces. Read: the session, the
        # member, and their helpful marks with their own review in one statement.
        client.get(product.get_absolute_url())
    fragments.clear_all()
    with django_assert_max_num_queries(12):
        client.get(product.get_absolute_url())


def test_a_new_review_shows_at_once_to_its_author_and_to_others(product, review, ana, chen):
    url = product.get_absolute_url()
    ana_client, chen_client = member(ana), member(chen)
    assert "Write a review" in ana_client.get(url).content.decode()
    chen_client.get(url)
    mine = services.submit_review(product, by=ana, rating=5, title="Great", body="Dry all night.")
    for_ana = ana_client.get(url)
    assert "Edit your review" in for_ana.content.decode()
    assert "Helpful" not in _article(for_ana, mine.pk)  # no helpful form on one's own review
    for_chen = chen_client.get(url)
    assert "Write a review" in for_chen.content.decode()  # Ana's review is not Chen's
    assert "Dry all night." in _article(for_chen, mine.pk)
    assert ">Helpful</button>" in _article(for_chen, mine.pk)


def test_a_helpful_mark_shows_at_once_and_stays_the_members_own(product, review, ana, chen):
    url = product.get_absolute_url()
    ana_client, chen_client = member(ana), member(chen)
    ana_client.get(url), chen_client.get(url)
    services.mark_helpful(review, by=ana)
    mine = _article(ana_client.get(url), review.pk)
    theirs = _article(chen_client.get(url), review.pk)
    assert "You found this helpful" in mine and "1 person found this helpful" in mine
    assert "You found this helpful" not in theirs and "1 person found this helpful" in theirs
    assert ">Helpful</button>" in theirs


def test_a_hidden_review_is_gone_at_once_and_its_author_is_told(
    product, review, other, chen, moderator
):
    url = product.get_absolute_url()
    author, chen_client = member(other), member(chen)
    author.get(url), chen_client.get(url)
    services.hide_review(review, by=moderator, reason="Off topic")
    assert "Sleeps two." not in chen_client.get(url).content.decode()
    page = author.get(url).content.decode()
    assert "Sleeps two." not in page and "Your review is not published." in page
    assert "Your review is not published." not in chen_client.get(url).content.decode()


def test_the_brands_reply_shows_at_once(product, review, chen, editor):
    url = product.get_absolute_url()
    chen_client = member(chen)
    chen_client.get(url)
    services.reply_to_review(review, text="Thanks for camping with us", by=editor)
    assert "Thanks for camping with us" in _article(chen_client.get(url), review.pk)


def test_the_product_page_carries_the_requests_own_token_and_marking_helpful_works(
    product, review, chen
):
    client = member(chen, enforce_csrf_checks=True)
    page = client.get(product.get_absolute_url())
    assert str(fragments.CSRF_MARK) not in page.content.decode()
    form = _article(page, review.pk)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', form).group(1)
    response = client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert HelpfulVote.objects.filter(review=review, user=chen).exists()


# --- Ideas --------------------------------------------------------------------------------------
@pytest.fixture
def idea(ana):
    return make_idea(ana, title="Longer tent")


def test_the_ideas_are_read_once_per_change(idea, ana, chen):
    url = reverse("feedback:ideas")
    member(ana).get(url)
    chen_client = member(chen)
    with CaptureQueriesContext(connection) as seen:
        page = chen_client.get(url)
    assert "Longer tent" in page.content.decode()
    for table in ("feedback_idea", "feedback_ideacategory", "feedback_ideavote"):
        assert not _reads_of(seen.captured_queries, table), table
    services.vote_idea(idea, by=ana)
    with CaptureQueriesContext(connection) as seen:
        row = _row(chen_client.get(url), idea.pk)
    assert _reads_of(seen.captured_queries, "feedback_idea")
    assert '<span class="vote__count">1</span>' in row


def test_member_ideas_page_queries_stay_flat(ana, chen, django_assert_max_num_queries):
    for n in range(20):
        make_idea(ana, title=f"Idea {n}", voters=[chen] if n % 2 else [])
    open_survey()
    client = member(chen)
    client.get(reverse("feedback:ideas"))
    with django_assert_max_num_queries(3):
        # Kept: the ideas, categories, open surveys, rows and filters. Read: the session, the
        # member, and their votes with their answered surveys in one statement.
        client.get(reverse("feedback:ideas"))
    fragments.clear_all()
    with django_assert_max_num_queries(10):
        client.get(reverse("feedback:ideas"))


def test_a_vote_shows_at_once_to_the_voter_and_never_as_anothers(idea, ana, chen):
    url = reverse("feedback:ideas")
    ana_client, chen_client = member(ana), member(chen)
    ana_client.get(url), chen_client.get(url)
    services.vote_idea(idea, by=chen)
    mine = _row(chen_client.get(url), idea.pk)
    theirs = _row(ana_client.get(url), idea.pk)
    assert 'aria-pressed="true"' in mine and '<span class="vote__count">1</span>' in mine
    assert 'aria-pressed="false"' in theirs and '<span class="vote__count">1</span>' in theirs
    services.withdraw_vote(idea, by=chen)
    mine = _row(chen_client.get(url), idea.pk)
    assert 'aria-pressed="false"' in mine and '<span class="vote__count">0</span>' in mine


def test_a_status_change_by_the_brand_shows_at_once(idea, ana, chen, editor):
    url = reverse("feedback:ideas") + "?status=all"
    ana_client, chen_client = member(ana), member(chen)
    ana_client.get(url), chen_client.get(url)
    services.set_idea_status(idea, status=Idea.SHIPPED, note="Out now", by=editor)
    for client in (ana_client, chen_client):
        row = _row(client.get(url), idea.pk)
        assert "status-chip--shipped" in row
        assert "<form" not in row  # no more votes on a shipped idea


def test_the_ideas_page_carries_the_requests_own_token_and_voting_works(idea, chen):
    client = member(chen, enforce_csrf_checks=True)
    page = client.get(reverse("feedback:ideas"))
    assert str(fragments.CSRF_MARK) not in page.content.decode()
    row = _row(page, idea.pk)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
    response = client.post(
        reverse("feedback:vote", args=[idea.pk]),
        {"csrfmiddlewaretoken": token, "next": reverse("feedback:ideas")},
    )
    assert response.status_code == 302
    assert IdeaVote.objects.filter(idea=idea, user=chen).exists()


# --- Surveys ------------------------------------------------------------------------------------
def test_an_answered_survey_leaves_the_members_pages_at_once_and_only_theirs(ana, chen):
    survey = open_survey(title="How are we doing?")
    url = reverse("feedback:ideas")
    ana_client, chen_client = member(ana), member(chen)
    assert "How are we doing?" in ana_client.get(url).content.decode()
    assert "How are we doing?" in chen_client.get(url).content.decode()
    services.answer_survey(survey, by=ana, score=9)
    assert "How are we doing?" not in ana_client.get(url).content.decode()
    assert "How are we doing?" in chen_client.get(url).content.decode()
    assert "How are we doing?" in chen_client.get(reverse("feedback:products")).content.decode()


# --- Without kept pieces ------------------------------------------------------------------------
def test_with_kept_pieces_off_every_page_is_read_and_rendered_for_the_member(
    settings, product, review, idea, ana, chen
):
    settings.FRAGMENT_CACHE_ENABLED = False
    ana_client = member(ana)
    services.mark_helpful(review, by=ana)
    services.vote_idea(idea, by=chen)
    page = ana_client.get(product.get_absolute_url())
    assert "You found this helpful" in _article(page, review.pk)
    assert "Sleeps two." in page.content.decode()
    assert "(1 review)" in ana_client.get(reverse("feedback:products")).content.decode()
    row = _row(ana_client.get(reverse("feedback:ideas")), idea.pk)
    assert 'aria-pressed="false"' in row and '<span class="vote__count">1</span>' in row
    assert not fragments.enabled()
