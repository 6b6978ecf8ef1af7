"""Data for the every-admin-page test: on top of the demo site, a row of each model the demo does
not make, and the states whose admin pages differ (a flagged story comment, a hidden one, a
pending and a hidden review, a suspension, a moderation decision...), made through the services
as members and moderators would make them."""

from datetime import timedelta

from django.utils import timezone
from django_comments_xtd.models import XtdComment
from wagtail.models import Site

from hub.accounts.models import User
from tests.factories import image_upload


def add_what_the_demo_lacks() -> None:
    from community import services as forum
    from community.models import CommunitySettings, Flag, Post
    from events import services as events
    from events.models import RSVP, Delivery, EventPage
    from feedback import services as feedback
    from feedback.models import Idea, Product, Review
    from hub.content.models import StoryPage
    from hub.notifications import services as notifications
    from hub.notifications.models import Notification, PendingEmail
    from hub.rewards import services as rewards
    from hub.rewards.models import ReferralSettings
    from hub.workspace import queue

    site = Site.objects.get(is_default_site=True)
    limits = CommunitySettings.for_site(site)
    limits.new_member_posts, limits.posts_per_hour, limits.posts_per_day = 0, 1000, 1000
    limits.save()
    ReferralSettings.for_site(site)
    members = {u.username: u for u in User.objects.filter(username__in=["ana", "ben", "chen"])}
    ana, ben, chen = members["ana"], members["ben"], members["chen"]
    editor = User.objects.get(username="editor")

    # Story comments: one flagged and waiting, one hidden by a moderator, one reply.
    story = StoryPage.objects.live().order_by("pk").first()
    flagged = forum.post_comment(by=ben, target=story, body="Buy **cheap** boots at example.com")
    forum.post_comment(by=ana, target=story, body="Please don't.", parent=flagged)
    forum.flag_comment(flagged, by=ana, reason=Flag.SPAM, note="an advert")
    hidden = forum.post_comment(by=chen, target=story, body="Rude words")
    forum.flag_comment(hidden, by=ana, reason=Flag.RUDE)
    forum.hide_comment(hidden, by=editor, reason="Rude")
    assert XtdComment.objects.filter(is_removed=True).exists()

    # The forum: an edited post (a revision), a waiting flag, a suspension.
    post = Post.objects.filter(author=ana).order_by("pk").first()
    forum.edit_post(post, by=ana, body=post.body + "\n\nEdited.")
    other = Post.objects.exclude(author=chen).exclude(flags__state=Flag.OPEN).order_by("-pk")[0]
    forum.flag_post(other, by=chen, reason=Flag.OFF_TOPIC)
    forum.suspend_member(
        chen, by=editor, until=timezone.now() + timedelta(days=3), reason="Cool off"
    )

    # Feedback: a photo, a helpful vote, reports on a review and an idea, a comment on an idea,
    # a pending review (on a pre-moderated product) and a hidden one.
    review = Review.objects.filter(status=Review.PUBLISHED).exclude(author=ben).first()
    feedback.mark_helpful(review, by=ben)
    feedback.report(review, by=ben, reason="Looks fake or paid for")
    product = Product.objects.exclude(reviews__author=chen).order_by("pk").first()
    mine = feedback.submit_review(
        product, by=chen, rating=2, title="Soles wore out", body="After a month & a half <3",
        photos=[image_upload("sole.png")],
    )  # fmt: skip
    product.moderation = Product.PRE_MODERATION
    product.save(update_fields=["moderation"])
    pending = feedback.submit_review(
        product, by=chen, rating=3, title="Soles wore out", body="Edited: after two months"
    )
    assert pending.pk == mine.pk and pending.status == Review.PENDING
    hidden_review = Review.objects.filter(status=Review.PUBLISHED).exclude(pk=review.pk).first()
    feedback.hide_review(hidden_review, by=editor, reason="Off topic")
    idea = Idea.objects.exclude(author=ben).order_by("pk").first()
    feedback.comment_on_idea(idea, by=ben, body="Yes, and in green")
    feedback.report(idea, by=ana, reason="Spam or advertising")

    # Rewards: a flagged referral (same mailbox as the member who invited them).
    rewards.referral_code_for(ana)
    sock = User.objects.create_user("sock", email="ana+2@example.com", password="x")
    rewards.record_referral(sock, code=ana.referral_code)

    # Notifications: a preference, an e-mail waiting, an announcement.
    notifications.set_preferences(ana, {"community.post.replied": "email"})
    notice = Notification.objects.filter(recipient=ana).first() or Notification.objects.create(
        recipient=ana, kind="hub.announcement", text="Hello"
    )
    PendingEmail.objects.get_or_create(notification=notice, recipient=ana)
    notifications.broadcast(text="The spring sale starts on Monday", by=editor)

    # The background worker's heartbeat (hub.worker), as a running db_worker writes it.
    from hub import worker

    worker.beat("admin-data-worker")

    # Events: a reminder that went out and a member's calendar feed.
    event = EventPage.objects.live().order_by("pk").first()
    rsvp = RSVP.objects.filter(event=event).first() or events.register_rsvp(event, by=ben)
    Delivery.objects.create(
        event=event, user=rsvp.user, slot=Delivery.REMINDER_24H, for_start=event.starts_at
    )
    events.calendar_feed(ana)

    # A decision taken in the moderation queue (the moderation log's rows).
    queue.decide(
        by=editor, source_key="community.post", pk=other.pk, action="dismiss", reason="Fine"
    )
    forum.flag_post(other, by=ana, reason=Flag.SPAM)

    # The REST API and outgoing webhooks: a key (and a revoked one), a remembered Idempotency-Key
    # answer, an endpoint (and a paused one) with a delivery and its failed attempt.
    from hub.api import services as api
    from hub.api.models import IdempotencyRecord
    from hub.webhooks import delivery as sending
    from hub.webhooks import services as webhooks
    from hub.webhooks.models import WebhookDelivery
    from hub.webhooks.sender import Result

    key, _raw = api.create_api_key(name="Shop sync", scopes=["members:read"], by=editor)
    old, _raw = api.create_api_key(name="Old CRM", scopes=["perks:read"], by=editor)
    api.revoke_api_key(old, by=editor)
    IdempotencyRecord.objects.create(
        api_key=key, key="order-1", method="POST", path="/api/v1/members/1/points/",
        fingerprint="0" * 64, status=201, body={"entry": {"id": 1}},
    )  # fmt: skip
    endpoint, _secret = webhooks.create_endpoint(
        url="https://crm.example.com/hooks", description="CRM", event_types=["points.awarded"],
        by=editor,
    )  # fmt: skip
    paused, _secret = webhooks.create_endpoint(
        url="https://old.example.com/hooks", description="Old", event_types=["perk.redeemed"],
        by=editor,
    )  # fmt: skip
    webhooks.pause_endpoint(paused, by=editor, reason="Moved")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_admin", event_type="points.awarded",
        payload={"type": "points.awarded", "data": {"n": 1}}, next_attempt_at=timezone.now(),
    )  # fmt: skip
    sending.record_attempt(delivery, Result(500, 120, body="down"), now=timezone.now())
