"""The demo seeder: products with reviews, testimonials on the home page, ideas, a survey."""

import pytest
from django.core.management import call_command

from feedback.models import Idea, Product, Review, Survey
from feedback.models import Testimonial as Quote

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_feedback_and_is_idempotent(client):
    call_command("seed_demo", verbosity=0)
    counts = (Product.objects.count(), Review.objects.count(), Idea.objects.count())
    assert Review.objects.filter(verified=True).exists()
    assert Review.objects.exclude(reply="").exists()
    assert Review.objects.filter(status=Review.PENDING).exists()
    assert set(Idea.objects.values_list("status", flat=True)) >= {
        Idea.OPEN, Idea.UNDER_REVIEW, Idea.PLANNED, Idea.IN_PROGRESS, Idea.SHIPPED, Idea.DECLINED,
    }  # fmt: skip
    assert Idea.objects.filter(vote_count__gt=1).exists()
    assert any(s.is_open() for s in Survey.objects.all())
    featured = Quote.objects.filter(featured=True)
    home = client.get("/").content.decode()
    assert featured.count() >= 2 and featured.first().quote[:30] in home
    tent = Product.objects.get(slug="ridge-2-tent")
    assert tent.review_count == Review.objects.filter(product=tent, status="published").count()
    call_command("seed_demo", verbosity=0)
    assert (Product.objects.count(), Review.objects.count(), Idea.objects.count()) == counts
