"""The bench seeder at a tiny scale: the data it makes is consistent, and the bench pages answer
with flat query counts."""

import pytest
from django.db.models import Count, F, Q, Sum
from django.test import Client

from feedback import bench
from feedback.models import HelpfulVote, Idea, IdeaVote, Product, Review
from hub.accounts.bench import seed_bench_users
from hub.bench import bench_pages, bench_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
SCALE = 0.002


@pytest.fixture
def seeded():
    lines = []
    seed_bench_users(lines.append, 0.01)  # 200 members
    bench.seed_bench_feedback(lines.append, SCALE)
    return lines


def test_seeder_makes_the_data_set_with_exact_stored_counts(seeded):
    assert Product.objects.count() == 10
    assert Review.objects.count() >= 600  # the best-seller is capped at 200 members
    assert Idea.objects.count() == 100
    assert IdeaVote.objects.count() >= 2500
    for product in Product.objects.all():
        published = Review.objects.filter(product=product, status=Review.PUBLISHED)
        agg = published.aggregate(
            n=Count("pk"), s=Sum("rating"), five=Count("pk", filter=Q(rating=5))
        )
        assert (product.review_count, product.rating_sum or 0, product.stars_5) == (
            agg["n"],
            agg["s"] or 0,
            agg["five"],
        )
    for review in Review.objects.filter(helpful_count__gt=0)[:50]:
        assert review.helpful_count == HelpfulVote.objects.filter(review=review).count()
    assert not HelpfulVote.objects.filter(user_id=F("review__author_id")).exists()
    for idea in Idea.objects.all()[:50]:
        assert idea.vote_count == IdeaVote.objects.filter(idea=idea).count()
    assert set(Idea.objects.values_list("status", flat=True)) >= {
        "open", "under_review", "planned", "in_progress", "shipped", "declined",
    }  # fmt: skip


def test_a_second_run_adds_nothing(seeded):
    counts = (Review.objects.count(), IdeaVote.objects.count())
    bench.seed_bench_feedback(seeded.append, SCALE)
    assert (Review.objects.count(), IdeaVote.objects.count()) == counts


def test_bench_pages_answer_with_bounded_queries(seeded, django_assert_max_num_queries):
    pages = [
        p
        for p in bench_pages()
        if p.name in {"product list", "product page", "ideas list", "ideas top", "roadmap"}
    ]
    assert len(pages) == 5
    for page in pages:
        client = Client()
        if page.as_user:
            client.force_login(bench_user(page.as_user))
        with django_assert_max_num_queries(22):
            response = client.get(page.resolve())
        assert response.status_code == 200, page.name


@pytest.mark.django_db(transaction=True)
def test_vote_probe_measures_votes_per_second_and_leaves_counts_exact():
    import asyncio

    seed_bench_users(lambda line: None, 0.01)
    bench.seed_bench_feedback(lambda line: None, SCALE)
    [result] = asyncio.run(bench.measure_vote_throughput(40))
    assert not result.error and len(result.durations) >= 20
    assert result.extra["votes_per_second"] > 0
    for idea in Idea.objects.all():
        assert idea.vote_count == IdeaVote.objects.filter(idea=idea).count()
