"""Votes, helpful votes and rating aggregates under concurrency on PostgreSQL: many members at
once count exactly, one member's flood counts once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from feedback import services
from feedback.models import HelpfulVote, IdeaVote, Product, Review
from tests.factories import UserFactory

from .factories import ProductFactory, make_idea, make_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def all_at_once(calls) -> list:
    """Run each (function, args, kwargs) in its own thread and connection, released together;
    returns results (or the exception each raised) in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        function, args, kwargs = call
        try:
            barrier.wait(timeout=30)
            return function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001  (the test inspects what each thread met)
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls, timeout=120))


def test_many_members_voting_at_once_are_all_counted():
    idea = make_idea()
    voters = [UserFactory() for _ in range(THREADS)]
    results = all_at_once([(services.vote_idea, (idea,), {"by": v}) for v in voters])
    assert results == [True] * THREADS
    idea.refresh_from_db()
    assert idea.vote_count == THREADS == IdeaVote.objects.filter(idea=idea).count()


def test_one_members_vote_flood_counts_once():
    idea, member = make_idea(), UserFactory()
    results = all_at_once([(services.vote_idea, (idea,), {"by": member})] * THREADS)
    assert results.count(True) == 1 and results.count(False) == THREADS - 1
    idea.refresh_from_db()
    assert idea.vote_count == 1


def test_votes_and_withdrawals_racing_leave_an_exact_total():
    voters = [UserFactory() for _ in range(THREADS)]
    idea = make_idea(voters=voters[: THREADS // 2])  # half have voted and now withdraw
    calls = [(services.withdraw_vote, (idea,), {"by": v}) for v in voters[: THREADS // 2]]
    calls += [(services.vote_idea, (idea,), {"by": v}) for v in voters[THREADS // 2 :]]
    all_at_once(calls)
    idea.refresh_from_db()
    assert idea.vote_count == THREADS // 2 == IdeaVote.objects.filter(idea=idea).count()
    assert idea.trending == services.trending_score(idea.vote_count, idea.created)


def test_helpful_votes_from_many_members_at_once_are_exact():
    product = ProductFactory()
    review = make_review(product)
    voters = [UserFactory() for _ in range(THREADS)]
    calls = [(services.mark_helpful, (review,), {"by": v}) for v in voters]
    calls += [(services.mark_helpful, (review,), {"by": voters[0]})] * 4  # and one member's flood
    results = all_at_once(calls)
    assert results.count(True) == THREADS
    review.refresh_from_db()
    assert review.helpful_count == THREADS == HelpfulVote.objects.filter(review=review).count()


def test_reviews_written_at_once_keep_the_product_aggregates_exact():
    product = ProductFactory()
    authors = [UserFactory() for _ in range(THREADS)]
    calls = [
        (
            services.submit_review,
            (product,),
            {"by": a, "rating": 1 + n % 5, "title": "t", "body": "b"},
        )
        for n, a in enumerate(authors)
    ]
    all_at_once(calls)
    product = Product.objects.get(pk=product.pk)
    reviews = Review.objects.filter(product=product, status=Review.PUBLISHED)
    assert product.review_count == reviews.count() == THREADS
    assert product.rating_sum == sum(r.rating for r in reviews)
    for stars in range(1, 6):
        assert getattr(product, f"stars_{stars}") == reviews.filter(rating=stars).count()


def test_one_member_submitting_twice_at_once_has_one_review():
    product, member = ProductFactory(), UserFactory()
    calls = [
        (services.submit_review, (product,), {"by": member, "rating": r, "title": "t", "body": "b"})
        for r in (2, 5, 3, 4)
    ]
    results = all_at_once(calls)
    assert not [r for r in results if isinstance(r, Exception)]
    assert Review.objects.filter(author=member).count() == 1
    product.refresh_from_db()
    review = Review.objects.get(author=member)
    assert product.review_count == 1 and product.rating_sum == review.rating
