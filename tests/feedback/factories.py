"""Factories for feedback tests: products, reviews, ideas and surveys."""

from datetime import timedelta

import factory
from django.utils import timezone

from feedback.models import Idea, IdeaCategory, IdeaVote, Product, Review, Survey
from feedback.services import trending_score
from tests.factories import UserFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    category = "Tents"
    description = "A fine product."


def make_review(product, author=None, *, rating=4, title="Good", body="Works well.", **fields):
    """A published review stored directly, with the product's aggregates kept right."""
    from feedback.services import _count_in_aggregates

    author = author or UserFactory()
    fields.setdefault("status", Review.PUBLISHED)
    review = Review.objects.create(
        product=product, author=author, rating=rating, title=title, body=body, **fields
    )
    if review.status == Review.PUBLISHED:
        _count_in_aggregates(product.pk, rating, 1)
    product.refresh_from_db()
    return review


class IdeaCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdeaCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


def make_idea(author=None, *, title="An idea", voters=(), status=Idea.OPEN, **fields):
    author = author or UserFactory()
    created = fields.pop("created", timezone.now())
    idea = Idea.objects.create(
        title=title,
        description=fields.pop("description", "Please make it."),
        author=author,
        status=status,
        created=created,
        **fields,
    )
    for voter in voters:
        IdeaVote.objects.create(idea=idea, user=voter)
    idea.vote_count = len(voters)
    idea.trending = trending_score(idea.vote_count, created)
    idea.save(update_fields=["vote_count", "trending"])
    return idea


def open_survey(**fields) -> Survey:
    now = timezone.now()
    fields.setdefault("opens_at", now - timedelta(days=1))
    fields.setdefault("closes_at", now + timedelta(days=30))
    return Survey.objects.create(title=fields.pop("title", "How are we doing?"), **fields)
