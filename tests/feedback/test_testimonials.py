"""Testimonials: featured reviews and consented quotes on the home page and the wall."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback import services
from feedback.models import Review
from feedback.models import Testimonial as Quote
from hub.notifications.models import Notification
from hub.rewards.models import Balance

from .factories import make_review

pytestmark = pytest.mark.django_db


def test_featuring_a_review_puts_it_on_the_home_page_and_thanks_the_member(
    client, site_tree, member, editor, product
):
    review = make_review(product, member, rating=5, body="Best **tent** I own")
    services.feature_review(review, by=editor)
    services.feature_review(review, by=editor)  # again: nothing new
    home = client.get("/").content.decode()
    assert "What our customers say" in home and "Best <strong>tent</strong> I own" in home
    assert (
        Notification.objects.filter(recipient=member, kind="feedback.testimonial.featured").count()
        == 1
    )
    assert Balance.objects.get(user=member).lifetime == 50
    assert (
        "Best <strong>tent</strong> I own"
        in client.get(reverse("feedback:testimonials")).content.decode()
    )


def test_a_testimonial_keeps_the_reviews_line_breaks_and_lists(client, member, editor, product):
    body = "Three things I love:\n\n- the weight\n- the zip\n\nWould buy again.<script>x</script>"
    services.feature_review(make_review(product, member, rating=5, body=body), by=editor)
    page = client.get(reverse("feedback:testimonials")).content.decode()
    assert "<li>the weight</li>" in page and "<li>the zip</li>" in page
    assert "<p>Would buy again." in page
    assert "<script>x</script>" not in page


def test_home_page_without_testimonials_shows_no_section(client, site_tree):
    assert "What our customers say" not in client.get("/").content.decode()


def test_a_hand_entered_quote_needs_recorded_consent(db):
    quote = Quote(quote="Lovely", customer_name="Marta", consent=False)
    with pytest.raises(ValidationError):
        quote.full_clean()
    quote.consent = True
    quote.full_clean()


def test_only_published_reviews_can_be_featured(member, editor, product):
    review = make_review(product, member, status=Review.PENDING)
    with pytest.raises(services.FeedbackError):
        services.feature_review(review, by=editor)


def test_hiding_a_featured_review_takes_it_off_the_home_page(
    client, site_tree, member, editor, product
):
    review = make_review(product, member, rating=5, body="Soon hidden")
    services.feature_review(review, by=editor)
    services.hide_review(review, by=editor, reason="Fake")
    assert "Soon hidden" not in client.get("/").content.decode()


def test_wall_and_product_list_query_counts_are_flat(client, django_assert_max_num_queries):
    from .factories import ProductFactory

    for n in range(30):
        Quote.objects.create(quote=f"Quote {n}", customer_name=f"C{n}", consent=True)
        ProductFactory()
    client.get(reverse("feedback:testimonials"))  # warm: the header's cached look-ups
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("feedback:testimonials")).context["page_obj"]) == 24
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("feedback:products")).context["page_obj"]) == 24
