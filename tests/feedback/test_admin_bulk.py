"""Bulk actions on the Feedback listings: approve, hide or reject several reviews from the review
queue, set the status of several ideas. Through feedback.services: aggregates, points,
notifications and history follow; without the permission, nothing happens."""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import ModelLogEntry

from feedback import services
from feedback.models import Idea, IdeaStatusChange, Review
from hub.notifications.models import Notification
from hub.rewards.models import Balance, PointsEntry
from tests.factories import UserFactory

from .factories import make_idea, make_review

pytestmark = pytest.mark.django_db

QUEUE = "/admin/feedback/review-queue/"


def bulk_url(model: str, action: str, *ids, next_url=QUEUE) -> str:
    query = "&".join(f"id={pk}" for pk in ids)
    return f"/admin/bulk/feedback/{model}/{action}/?{query}&next={next_url}"


def refused(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def reader_client(client):
    """Someone in the admin who may look at reviews and ideas but not change them."""
    reader = UserFactory(username="reader")
    group = Group.objects.create(name="Readers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="feedback", codename__in=["view_review", "view_idea"]
        ),
    )
    reader.groups.add(group)
    client.force_login(reader)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def test_review_queue_offers_approve_hide_and_reject(moderator_client, product):
    make_review(product, status=Review.PENDING)
    page = moderator_client.get(QUEUE).content.decode()
    assert "data-bulk-action-checkbox" in page
    for action in ("approve", "hide", "reject"):
        assert f"/admin/bulk/feedback/review/{action}/" in page


def test_moderator_approves_several_waiting_reviews_at_once(moderator_client, product):
    waiting = [make_review(product, status=Review.PENDING, rating=r) for r in (5, 3)]
    published = make_review(product, rating=4)
    url = bulk_url("review", "approve", *(r.pk for r in waiting), published.pk)
    assert moderator_client.get(url).status_code == 200
    response = moderator_client.post(url, follow=True)
    page = response.content.decode()
    assert "2 items done" in page and "1 left as it was" in page
    assert Review.objects.filter(status=Review.PUBLISHED).count() == 3
    product.refresh_from_db()
    assert product.review_count == 3 and float(product.average_rating) == 4.0
    for review in waiting:  # points and a notification each, and the history
        assert PointsEntry.objects.filter(user=review.author, kind=PointsEntry.AWARD).exists()
        assert Notification.objects.filter(recipient=review.author).exists()
    assert ModelLogEntry.objects.filter(action="feedback.review.approved").count() == 2
    assert not PointsEntry.objects.filter(user=published.author).exists()  # left as it was


def test_moderator_hides_reviews_with_a_reason_and_their_points_go_back(
    moderator_client, moderator, product
):
    reviews = [make_review(product, status=Review.PENDING) for _ in range(2)]
    for review in reviews:
        services.approve_review(review, by=moderator)
    url = bulk_url("review", "hide", *(r.pk for r in reviews))
    # A reason is required: the form says so and nothing changes.
    response = moderator_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Review.objects.filter(status=Review.PUBLISHED).count() == 2
    moderator_client.post(url, {"reason": "Advertising"})
    assert set(Review.objects.filter(status=Review.HIDDEN)) == set(reviews)
    product.refresh_from_db()
    assert product.review_count == 0
    for review in reviews:
        reversal = PointsEntry.objects.get(user=review.author, kind=PointsEntry.REVERSAL)
        assert (reversal.reason, reversal.created_by) == ("Advertising", moderator)
        assert Balance.objects.get(user=review.author).lifetime == 0
        review.refresh_from_db()
        assert review.moderation_note == "Advertising"
    hidden = ModelLogEntry.objects.filter(action="feedback.review.hidden")
    assert [log.data["reason"] for log in hidden] == ["Advertising", "Advertising"]
    assert ModelLogEntry.objects.filter(action="rewards.points.reversed").count() == 2


def test_rejecting_waiting_reviews_tells_their_authors(moderator_client, product):
    review = make_review(product, status=Review.PENDING)
    moderator_client.post(bulk_url("review", "reject", review.pk), {"reason": "Off topic"})
    review.refresh_from_db()
    assert review.status == Review.REJECTED
    assert "Off topic" in Notification.objects.get(recipient=review.author).text


def test_without_change_review_there_are_no_bulk_actions_and_the_url_is_refused(
    reader_client, product
):
    review = make_review(product, status=Review.PENDING)
    page = reader_client.get("/admin/feedback/reviews/").content.decode()
    assert "data-bulk-action-checkbox" not in page
    assert refused(reader_client.post(bulk_url("review", "approve", review.pk)))
    assert refused(reader_client.post(bulk_url("review", "hide", review.pk), {"reason": "x"}))
    review.refresh_from_db()
    assert review.status == Review.PENDING


# --- Ideas -------------------------------------------------------------------------------------


def test_editor_plans_several_ideas_and_authors_and_voters_are_told(editor_client, editor):
    voter = UserFactory(username="voter")
    ideas = [make_idea(title="Lighter poles", voters=[voter]), make_idea(title="Blue tent")]
    merged = make_idea(title="Old", status=Idea.MERGED)
    assert (
        "/admin/bulk/feedback/idea/set-status/"
        in editor_client.get("/admin/feedback/ideas/").content.decode()
    )
    url = bulk_url(
        "idea", "set-status", *(i.pk for i in ideas), merged.pk, next_url="/admin/feedback/ideas/"
    )
    confirm = editor_client.get(url).content.decode()
    assert "Lighter poles" in confirm and 'name="status"' in confirm
    response = editor_client.post(url, {"status": Idea.PLANNED, "note": "Next spring"}, follow=True)
    assert "2 items done" in response.content.decode()
    for idea in ideas:
        idea.refresh_from_db()
        assert (idea.status, idea.status_note) == (Idea.PLANNED, "Next spring")
        assert IdeaStatusChange.objects.get(idea=idea).changed_by == editor
    assert Idea.objects.get(pk=merged.pk).status == Idea.MERGED
    assert Notification.objects.filter(recipient=voter).count() == 1
    assert ModelLogEntry.objects.filter(action="feedback.idea.status_changed").count() == 2


def test_bad_status_is_a_form_error_and_changes_nothing(editor_client):
    idea = make_idea()
    response = editor_client.post(bulk_url("idea", "set-status", idea.pk), {"status": "merged"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).status == Idea.OPEN


def test_without_change_idea_the_status_action_is_refused(reader_client):
    idea = make_idea()
    url = bulk_url("idea", "set-status", idea.pk)
    assert refused(reader_client.post(url, {"status": Idea.PLANNED}))
    assert Idea.objects.get(pk=idea.pk).status == Idea.OPEN


def test_select_all_in_listing_is_not_taken_as_every_review(moderator_client, product):
    hidden = make_review(product, status=Review.HIDDEN)
    pending = make_review(product, status=Review.PENDING)
    moderator_client.post(f"/admin/bulk/feedback/review/approve/?id=all&next={QUEUE}")
    assert Review.objects.get(pk=hidden.pk).status == Review.HIDDEN
    assert Review.objects.get(pk=pending.pk).status == Review.PENDING


# --- Testimonials ------------------------------------------------------------------------------


def test_editor_features_quotes_in_bulk_and_the_member_is_thanked_once(
    editor_client, client, site_tree, member
):
    from feedback.models import Testimonial

    quoted = Testimonial.objects.create(
        quote="Kept me dry", customer_name="Ana", member=member, consent=True, featured=False
    )
    already = Testimonial.objects.create(
        quote="Great", customer_name="Marta", consent=True, featured=True
    )
    assert (
        "/admin/bulk/feedback/testimonial/feature/"
        in editor_client.get("/admin/feedback/testimonials/").content.decode()
    )
    url = bulk_url(
        "testimonial", "feature", quoted.pk, already.pk, next_url="/admin/feedback/testimonials/"
    )
    page = editor_client.post(url, follow=True).content.decode()
    assert "1 item done" in page and "1 left as it was" in page
    assert Testimonial.objects.get(pk=quoted.pk).featured
    assert "Kept me dry" in client.get("/").content.decode()
    thanks = Notification.objects.filter(recipient=member, kind="feedback.testimonial.featured")
    assert thanks.count() == 1
    assert Balance.objects.get(user=member).lifetime > 0
    # Off the wall, and on again: no second thank-you.
    editor_client.post(bulk_url("testimonial", "unfeature", quoted.pk))
    assert "Kept me dry" not in client.get("/").content.decode()
    editor_client.post(bulk_url("testimonial", "feature", quoted.pk))
    assert thanks.all().count() == 1
    assert ModelLogEntry.objects.filter(action="wagtail.edit").count() == 3


def test_moderators_cannot_feature_testimonials(moderator_client):
    from feedback.models import Testimonial

    quote = Testimonial.objects.create(
        quote="Great", customer_name="Marta", consent=True, featured=False
    )
    assert refused(moderator_client.post(bulk_url("testimonial", "feature", quote.pk)))
    assert not Testimonial.objects.get(pk=quote.pk).featured
