"""The Feedback menu in the Wagtail admin: products, the review queue, testimonials, ideas,
surveys, the CSV import and exports; who may do what."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feedback.models import Idea, IdeaVote, Product, Review
from feedback.models import Testimonial as Quote
from hub.notifications.models import Notification
from tests.factories import UserFactory

from .factories import make_idea, make_review

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    return response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"


def test_feedback_menu_groups_every_listing(editor_client):
    page = editor_client.get("/admin/").content.decode()
    assert "Feedback" in page
    for url in (
        "/admin/feedback/products/",
        "/admin/feedback/review-queue/",
        "/admin/feedback/testimonials/",
        "/admin/feedback/ideas/",
        "/admin/feedback/surveys/",
    ):
        assert url in page, url
        assert editor_client.get(url).status_code == 200


def test_editor_creates_a_product_that_appears_on_the_site(editor_client, client):
    response = editor_client.post(
        "/admin/feedback/products/new/",
        {
            "name": "Ridge 3",
            "slug": "ridge-3",
            "category": "Tents",
            "brand": "",
            "sku": "",
            "description": "New tent",
            "moderation": "pre",
            "live": "on",
        },
    )
    assert response.status_code == 302
    assert Product.objects.get(slug="ridge-3").moderation == "pre"
    assert "Ridge 3" in client.get("/products/").content.decode()


def test_review_queue_lists_pending_and_reported_reviews_only(editor_client, product):
    pending = make_review(product, title="Pending one", status=Review.PENDING)
    reported = make_review(product, title="Reported one", report_count=1)
    make_review(product, title="Quiet one")
    page = editor_client.get("/admin/feedback/review-queue/").content.decode()
    assert pending.title in page and reported.title in page and "Quiet one" not in page


def test_editor_approves_replies_verifies_and_features_from_the_review_page(
    editor_client, member, product, site_tree, client
):
    review = make_review(product, member, status=Review.PENDING, rating=5, body="Superb tent")
    product.refresh_from_db()
    assert product.review_count == 0
    response = editor_client.post(
        f"/admin/feedback/reviews/edit/{review.pk}/",
        {"decision": "approve", "reply": "Thank you!", "verified": "on", "reason": ""},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.reply, review.verified) == ("published", "Thank you!", True)
    product.refresh_from_db()
    assert product.review_count == 1
    editor_client.post(
        f"/admin/feedback/reviews/edit/{review.pk}/",
        {"decision": "", "reply": "Thank you!", "verified": "on", "feature": "on"},
    )
    assert Quote.objects.filter(review=review, featured=True).exists()
    assert "Superb tent" in client.get("/").content.decode()
    kinds = set(Notification.objects.filter(recipient=member).values_list("kind", flat=True))
    assert {"feedback.review.replied", "feedback.testimonial.featured"} <= kinds


def test_rejecting_needs_a_reason(editor_client, product):
    review = make_review(product, status=Review.PENDING)
    response = editor_client.post(
        f"/admin/feedback/reviews/edit/{review.pk}/", {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 200 and "Say why" in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.PENDING


def test_hand_entered_testimonial_without_consent_is_a_form_error(editor_client):
    response = editor_client.post(
        "/admin/feedback/testimonials/new/",
        {"quote": "Great", "customer_name": "Marta", "featured": "on", "sort_order": "0"},
    )
    assert response.status_code == 200
    assert "Record the customer" in response.content.decode()
    assert not Quote.objects.exists()


def test_testimonial_saved_in_admin_for_a_member_thanks_them_once(editor_client, member):
    data = {
        "quote": "Great",
        "customer_name": "Ana",
        "member": member.pk,
        "consent": "on",
        "consent_note": "Asked at the meet-up",
        "featured": "on",
        "sort_order": "0",
    }
    editor_client.post("/admin/feedback/testimonials/new/", data)
    testimonial = Quote.objects.get()
    editor_client.post(f"/admin/feedback/testimonials/edit/{testimonial.pk}/", data)
    assert (
        Notification.objects.filter(recipient=member, kind="feedback.testimonial.featured").count()
        == 1
    )


def test_editor_sets_an_idea_status_with_a_note(editor_client):
    voter = UserFactory()
    idea = make_idea(voters=[voter])
    editor_client.post(
        f"/admin/feedback/ideas/edit/{idea.pk}/", {"status": "planned", "note": "In May"}
    )
    idea.refresh_from_db()
    assert (idea.status, idea.status_note) == ("planned", "In May")
    assert Notification.objects.filter(
        recipient=voter, kind="feedback.idea.status_changed"
    ).exists()


def test_editor_merges_a_duplicate_from_the_idea_page(editor_client):
    both = UserFactory()
    keep = make_idea(title="Keep", voters=[both])
    dup = make_idea(title="Dup", voters=[both, UserFactory()])
    editor_client.post(
        f"/admin/feedback/ideas/edit/{dup.pk}/",
        {"status": "open", "note": "", "merge_into": keep.pk},
    )
    keep.refresh_from_db()
    assert keep.vote_count == 2 == IdeaVote.objects.filter(idea=keep).count()
    assert Idea.objects.get(pk=dup.pk).status == Idea.MERGED


def test_csv_import_from_the_admin(editor_client, member, product):
    review = make_review(product, member)
    upload = SimpleUploadedFile("customers.csv", f"email\n{member.email}\n".encode())
    response = editor_client.post(
        reverse("feedback_import_customers"), {"file": upload}, follow=True
    )
    assert "1 reviews marked verified" in response.content.decode()
    review.refresh_from_db()
    assert review.verified


def test_reviews_export_as_csv(editor_client, product):
    make_review(product, title="Exported title")
    response = editor_client.get("/admin/feedback/reviews/?export=csv")
    assert response.status_code == 200
    assert "Exported title" in b"".join(response.streaming_content).decode()


def test_moderators_moderate_but_do_not_manage_products(client, moderator, product):
    client.force_login(moderator)
    review = make_review(product, status=Review.PENDING)
    assert client.get("/admin/feedback/review-queue/").status_code == 200
    client.post(f"/admin/feedback/reviews/edit/{review.pk}/", {"decision": "approve"})
    review.refresh_from_db()
    assert review.status == Review.PUBLISHED
    assert refused(client.get("/admin/feedback/products/new/"))
    assert refused(client.get("/admin/feedback/surveys/"))


def test_members_cannot_reach_the_feedback_admin(member_client, product):
    review = make_review(product)
    response = member_client.get(f"/admin/feedback/reviews/edit/{review.pk}/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_editors_group_holds_every_feedback_permission(db):
    editors = Group.objects.get(name="Editors")
    codenames = set(
        editors.permissions.filter(content_type__app_label="feedback").values_list(
            "codename", flat=True
        )
    )
    assert {
        "add_product",
        "change_review",
        "add_testimonial",
        "change_idea",
        "add_survey",
    } <= codenames


def test_a_survey_that_closes_before_it_opens_is_a_form_error(editor_client):
    response = editor_client.post(
        "/admin/feedback/surveys/new/",
        {
            "title": "Q1",
            "question": "How likely?",
            "comment_prompt": "Why?",
            "opens_at": "2026-03-01 00:00",
            "closes_at": "2026-02-01 00:00",
        },
    )
    assert response.status_code == 200
    assert "The survey must close after it opens." in response.content.decode()


def test_a_hidden_idea_is_restored_from_its_admin_page(editor_client, editor, client):
    from feedback import services

    idea = make_idea(title="Back soon")
    services.hide_idea(idea, by=editor, reason="Mistake")
    assert client.get(idea.get_absolute_url()).status_code == 404
    editor_client.post(f"/admin/feedback/ideas/edit/{idea.pk}/", {"restore": "1"})
    assert client.get(idea.get_absolute_url()).status_code == 200
