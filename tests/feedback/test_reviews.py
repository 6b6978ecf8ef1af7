"""Reviews: writing and editing, aggregates, helpful votes, sorting, moderation, replies."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Product, Review, ReviewPhoto, VerifiedCustomer
from hub.notifications.models import Notification
from hub.ratelimit import RateLimited
from hub.rewards.models import Balance
from tests.factories import UserFactory, image_upload

from .factories import ProductFactory, make_review

pytestmark = pytest.mark.django_db


def write(client, product, **data):
    data = {"rating": 4, "title": "Solid tent", "body": "Kept me dry.", **data}
    return client.post(reverse("feedback:write_review", args=[product.slug]), data)


def test_member_writes_a_review_that_appears_with_the_average(member_client, member, product):
    response = write(member_client, product, rating=5, body="**Dry** all night")
    review = Review.objects.get(author=member)
    assert response.status_code == 302 and response.url.endswith(f"#review-{review.pk}")
    page = member_client.get(product.get_absolute_url()).content.decode()
    assert "Solid tent" in page and "<strong>Dry</strong> all night" in page
    assert "Based on 1 review" in page
    product.refresh_from_db()
    assert (product.review_count, product.average_rating, product.stars_5) == (1, 5.0, 1)


def test_publishing_a_review_earns_points(member, product):
    services.submit_review(product, by=member, rating=4, title="Fine", body="Fine indeed.")
    assert Balance.objects.get(user=member).lifetime == 20


def test_writing_again_edits_your_review_and_moves_the_histogram(member_client, member, product):
    write(member_client, product, rating=2)
    write(member_client, product, rating=5, title="Changed my mind")
    assert Review.objects.filter(author=member).count() == 1
    product.refresh_from_db()
    assert (product.review_count, product.stars_2, product.stars_5, product.rating_sum) == (
        1,
        0,
        1,
        5,
    )
    form = member_client.get(reverse("feedback:write_review", args=[product.slug]))
    assert "Changed my mind" in form.content.decode()


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_a_rating_outside_1_to_5_is_a_form_error_that_keeps_the_text(
    member_client, product, rating
):
    response = write(member_client, product, rating=rating, body="Keep these words")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a rating from 1 to 5 stars." in page and "Keep these words" in page
    assert not Review.objects.exists()


def test_empty_text_is_a_form_error(member_client, product):
    response = write(member_client, product, body="   ")
    assert response.status_code == 200
    assert "Write a few words about the product." in response.content.decode()
    assert not Review.objects.exists()


def test_member_text_is_sanitised(member_client, member, product):
    write(member_client, product, body='<script>alert(1)</script><img src=x onerror="alert(2)">')
    page = member_client.get(product.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "onerror" not in page


def test_photos_are_checked_by_pillow(member_client, member, product):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("tent.jpg", b"not an image", content_type="image/jpeg")
    response = write(member_client, product, photos=[fake])
    assert response.status_code == 200
    assert "is not an image we can read" in response.content.decode()
    tiny = image_upload("tiny.png", 50, 50)
    response = write(member_client, product, photos=[tiny])
    assert "photos need at least 200 pixels" in response.content.decode()
    write(member_client, product, photos=[image_upload("tent.png", 640, 480)])
    photo = ReviewPhoto.objects.get(review__author=member)
    assert (photo.width, photo.height) == (640, 480) and photo.image.name.endswith(".webp")


def test_helpful_votes_count_once_and_never_your_own(member, other, product):
    review = make_review(product, member)
    assert services.mark_helpful(review, by=other) is True
    assert services.mark_helpful(review, by=other) is False
    with pytest.raises(services.FeedbackError):
        services.mark_helpful(review, by=member)
    review.refresh_from_db()
    assert review.helpful_count == 1
    assert Balance.objects.get(user=member).lifetime == 2


def test_helpful_flood_over_http_counts_once(client, member, other, product):
    review = make_review(product, member)
    client.force_login(other)
    for _ in range(5):
        client.post(reverse("feedback:helpful", args=[review.pk]))
    review.refresh_from_db()
    assert review.helpful_count == 1


def test_sort_and_star_filter(client, product):
    make_review(product, rating=5, title="Five")
    low = make_review(product, rating=1, title="One")
    make_review(product, rating=3, title="Three", helpful_count=9)
    url = product.get_absolute_url()

    def titles(query):
        page = client.get(url + query).context["page_obj"]
        return [r.title for r in page]

    assert titles("?sort=highest") == ["Five", "Three", "One"]
    assert titles("?sort=lowest") == ["One", "Three", "Five"]
    assert titles("?sort=helpful")[0] == "Three"
    assert titles("?stars=1") == ["One"]
    assert titles("?sort=bogus&stars=9")[0] == "Three"  # unknown values fall back to defaults
    assert low.title in client.get(url).content.decode()


def test_histogram_shows_the_share_of_each_rating(client, product):
    for rating in (5, 5, 4, 1):
        make_review(product, rating=rating)
    product.refresh_from_db()
    rows = {row["stars"]: row for row in product.histogram()}
    assert rows[5] == {"stars": 5, "count": 2, "percent": 50}
    assert rows[2]["count"] == 0
    assert product.average_rating == 3.8


def test_pre_moderated_review_waits_then_counts_when_approved(member, editor, product):
    product.moderation = Product.PRE_MODERATION
    product.save()
    review = services.submit_review(product, by=member, rating=4, title="Warm", body="Cosy.")
    product.refresh_from_db()
    assert review.status == Review.PENDING and product.review_count == 0
    services.approve_review(review, by=editor)
    product.refresh_from_db()
    assert product.review_count == 1
    assert Notification.objects.filter(recipient=member, kind="feedback.review.approved").exists()
    assert Balance.objects.get(user=member).lifetime == 20


def test_hiding_a_review_takes_it_out_of_the_average_and_back_its_points(member, editor, product):
    review = services.submit_review(product, by=member, rating=1, title="Bad", body="Spam link")
    services.hide_review(review, by=editor, reason="Spam")
    product.refresh_from_db()
    assert product.review_count == 0 and product.rating_sum == 0
    assert Balance.objects.get(user=member).lifetime == 0
    note = Notification.objects.get(recipient=member, kind="feedback.review.moderated")
    assert "Spam" in note.text


def test_editing_a_hidden_review_sends_it_back_for_approval(member, editor, product):
    review = services.submit_review(product, by=member, rating=1, title="Bad", body="Spam")
    services.hide_review(review, by=editor, reason="Spam")
    again = services.submit_review(product, by=member, rating=2, title="Fair", body="Honest now")
    assert again.status == Review.PENDING


def test_brand_reply_is_public_and_notifies_the_reviewer(client, member, editor, product):
    review = make_review(product, member)
    services.reply_to_review(review, text="Thanks for the kind words!", by=editor)
    assert "Thanks for the kind words!" in client.get(product.get_absolute_url()).content.decode()
    assert (
        Notification.objects.filter(recipient=member, kind="feedback.review.replied").count() == 1
    )


def test_reporting_a_review_puts_it_in_the_moderation_queue(member_client, member, product):
    review = make_review(product)
    response = member_client.post(
        reverse("feedback:report_review", args=[review.pk]), {"reason": "spam", "details": "ad"}
    )
    assert response.status_code == 302
    member_client.post(reverse("feedback:report_review", args=[review.pk]), {"reason": "spam"})
    review.refresh_from_db()
    assert review.report_count == 1  # one report per member

    from hub.moderation import get_source

    source = get_source("feedback.review.reported")
    assert source.count() == 1
    [item] = source.items(10)
    assert item.pk == review.pk and "Spam or advertising: ad" in item.reason


def test_a_report_with_too_long_details_says_they_are_too_long(member_client, product):
    review = make_review(product)
    response = member_client.post(
        reverse("feedback:report_review", args=[review.pk]),
        {"reason": "fake", "details": "x" * 201},
        follow=True,
    )
    page = response.content.decode()
    assert "The details are too long: write at most 200 characters (you wrote 201)." in page
    assert "Choose what is wrong" not in page
    review.refresh_from_db()
    assert review.report_count == 0
    response = member_client.post(
        reverse("feedback:report_review", args=[review.pk]), {"details": "ad"}, follow=True
    )
    assert "Choose what is wrong with the review." in response.content.decode()


def test_verified_customer_reviews_get_the_badge_and_label(member, product):
    VerifiedCustomer.objects.create(email=member.email.lower())
    review = services.submit_review(product, by=member, rating=5, title="Love it", body="Yes.")
    assert review.verified and review.collected == Review.VERIFIED


def test_csv_import_verifies_existing_reviews_and_invites_buyers(member, editor, product):
    review = make_review(product, member)
    buyer = UserFactory(username="buyer")
    data = f"email,product\n{member.email.upper()},\n{buyer.email},{product.slug}\nnot-an-email,\n"
    result = services.import_verified_customers(data, by=editor)
    review.refresh_from_db()
    assert review.verified and review.collected == Review.VERIFIED
    assert result["added"] == 2 and result["invalid_rows"] == [3]
    invitation = Notification.objects.get(recipient=buyer, kind="feedback.review.invited")
    token = invitation.url.split("invitation=")[1]
    assert services.invitation_is_valid(token, buyer, product)
    assert not services.invitation_is_valid(token, member, product)


def test_a_review_written_from_an_invitation_is_labelled_invited(client, member, product):
    client.force_login(member)
    token = services.invitation_token(member, product)
    url = reverse("feedback:write_review", args=[product.slug]) + f"?invitation={token}"
    assert client.get(url).status_code == 200
    client.post(url, {"rating": 5, "title": "Asked", "body": "They asked me.", "invitation": token})
    assert Review.objects.get(author=member).collected == Review.INVITED
    page = client.get(product.get_absolute_url()).content.decode()
    assert "Invited to review" in page


def test_reviews_are_rate_limited(member, settings):
    products = [ProductFactory() for _ in range(services.REVIEW_LIMIT.per_hour + 1)]
    for product in products[:-1]:
        services.submit_review(product, by=member, rating=4, title="t", body="b")
    with pytest.raises(RateLimited):
        services.submit_review(products[-1], by=member, rating=4, title="t", body="b")


def test_rate_limit_is_a_form_error_on_the_page(member_client, member, monkeypatch, product):
    def refuse(*args, **kwargs):
        raise RateLimited("You have posted a lot recently. Please try again in 5 minutes.", 300)

    monkeypatch.setattr(services, "check_rate", refuse)
    response = write(member_client, product, body="Please keep me")
    page = response.content.decode()
    assert response.status_code == 200 and "try again in 5 minutes" in page
    assert "Please keep me" in page


def test_product_page_query_count_is_flat(client, django_assert_max_num_queries, product):
    for n in range(25):
        review = make_review(product, rating=1 + n % 5)
        review.photos.create(image="reviews/x.webp", width=10, height=10)
    viewer = UserFactory(username="viewer")
    client.force_login(viewer)
    client.get(product.get_absolute_url())  # warm: the day's activity record, cached look-ups
    with django_assert_max_num_queries(20):
        response = client.get(product.get_absolute_url() + "?sort=helpful")
    assert len(response.context["page_obj"]) == 10


def test_with_photos_filter_and_gallery(client, django_assert_max_num_queries, product):
    plain = make_review(product, title="Words only")
    pictured = make_review(product, title="Look at this")
    pictured.photos.create(image="reviews/tent.webp", width=640, height=480)

    page = client.get(product.get_absolute_url()).content.decode()
    assert "Photos from customers" in page
    assert f'href="#review-{pictured.pk}"' in page and "From the review “Look at this”" in page
    assert "Words only" in page

    with django_assert_max_num_queries(20):
        filtered = client.get(product.get_absolute_url() + "?photos=1")
    html = filtered.content.decode()
    assert "Look at this" in html
    assert f'id="review-{plain.pk}"' not in html
    assert 'name="photos" value="1" checked' in html


def test_a_product_without_photos_shows_no_gallery_and_says_so_when_filtered(client, product):
    make_review(product, title="Words only")
    assert "Photos from customers" not in client.get(product.get_absolute_url()).content.decode()
    page = client.get(product.get_absolute_url() + "?photos=1").content.decode()
    assert "No reviews with photos yet." in page


def test_the_helpful_count_shows_only_once_someone_found_it_helpful(member, other, product):
    from django.test import Client

    review = make_review(product, other)
    visitor = Client()
    assert "found this helpful" not in visitor.get(product.get_absolute_url()).content.decode()
    services.mark_helpful(review, by=member)
    page = visitor.get(product.get_absolute_url()).content.decode()
    assert "1 person found this helpful" in page


def test_unknown_product_is_404(client, db):
    assert client.get("/products/nope/").status_code == 404
    assert client.post("/reviews/999/helpful/").status_code in (302, 404)


def test_author_sees_why_their_review_is_not_published(member_client, member, editor, product):
    review = make_review(product, member)
    services.hide_review(review, by=editor, reason="Contains a phone number")
    page = member_client.get(product.get_absolute_url()).content.decode()
    assert "Your review is not published." in page and "Contains a phone number" in page


def test_each_review_links_to_a_page_for_reporting_it(member_client, product, other):
    review = make_review(product, other)
    page = member_client.get(product.get_absolute_url()).content.decode()
    url = reverse("feedback:report_review", args=[review.pk])
    assert f'href="{url}"' in page and f'action="{url}"' not in page
    form = member_client.get(url).content.decode()
    assert 'name="reason"' in form and "Send report" in form
