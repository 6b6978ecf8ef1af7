"""Every change in the feedback app: one function per intent, one transaction, then award/notify.

Counters (a product's rating aggregates, helpful votes, idea votes) change with F() in the same
transaction as the rows they count; unique constraints decide "once per member", so a flood of
clicks or parallel requests counts once.
"""

import csv
import functools
import io
import math
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from hub import pagecache
from hub.errors import Refusal
from hub.images import reencode
from hub.markup import plain_text
from hub.mentions import mentioned_members
from hub.notifications.queries import already_told
from hub.notifications.services import notify
from hub.ratelimit import Limit, check_rate
from hub.rewards.services import award
from hub.rewards.services import reverse as reverse_points
from hub.webhooks import payloads
from hub.webhooks.services import emit

from .models import (
    HelpfulVote,
    Idea,
    IdeaComment,
    IdeaReport,
    IdeaStatusChange,
    IdeaVote,
    Product,
    Review,
    ReviewPhoto,
    ReviewReport,
    Survey,
    SurveyResponse,
    Testimonial,
    VerifiedCustomer,
    VerifiedPurchase,
)


def _page_tags(value) -> tuple[str, ...]:
    """The page-cache tags of the pages that show ``value`` (hub/pagecache.py)."""
    if isinstance(value, Product):
        return (f"product:{value.pk}", "products")
    if isinstance(value, Review):
        return (f"product:{value.product_id}", "products", "testimonials", "home")
    if isinstance(value, ReviewPhoto):
        return (f"product:{value.review.product_id}",)
    if isinstance(value, Testimonial):
        return ("testimonials", "home")
    if isinstance(value, Idea):
        return (f"idea:{value.pk}", "ideas")
    if isinstance(value, IdeaComment):
        return (f"idea:{value.idea_id}",)
    return ()


def _shown_to_readers(func):
    """After ``func`` commits, drop the cached anonymous pages that show what it changed."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        before = _page_tags(args[0]) if args else ()
        result = func(*args, **kwargs)
        pagecache.touch(*before, *_page_tags(result), *_page_tags(kwargs.get("into")))
        return result

    return wrapper


def _review_published(review: Review) -> None:
    """Tell integrations a review is out (first published, or approved by a moderator)."""
    emit(
        "review.published",
        lambda: {
            "review": {
                "id": review.pk,
                "rating": review.rating,
                "title": review.title,
                "body": review.body,
                "verified": review.verified,
                "url": payloads.absolute(review.get_absolute_url()),
                "created": review.created,
            },
            "product": {
                "id": review.product.pk,
                "name": review.product.name,
                "sku": review.product.sku,
            },
            "member": payloads.member(review.author),
        },
    )


def _idea_status_changed(idea: Idea, *, previous: str, note: str, merged_into=None) -> None:
    emit(
        "idea.status_changed",
        lambda: {
            "idea": {
                "id": idea.pk,
                "title": idea.title,
                "url": payloads.absolute(idea.get_absolute_url()),
                "votes": idea.vote_count,
            },
            "status": idea.status,
            "previous_status": previous,
            "note": note,
            "merged_into": (
                {"id": merged_into.pk, "title": merged_into.title} if merged_into else None
            ),
        },
    )


REVIEW_LIMIT = Limit("feedback.review", per_hour=10, per_day=30)
IDEA_LIMIT = Limit("feedback.idea", per_hour=5, per_day=20)
COMMENT_LIMIT = Limit("feedback.comment", per_hour=30, per_day=200)
REPORT_LIMIT = Limit("feedback.report", per_hour=20, per_day=60)
VOTE_LIMIT = Limit("feedback.vote", per_hour=200, per_day=1000, kind="action")
MAX_PHOTOS = 4
INVITATION_SALT = "feedback.review.invitation"
INVITATION_MAX_AGE = 60 * 60 * 24 * 60  # an invitation to review is good for 60 days
TESTIMONIAL_QUOTE_LENGTH = 400
KIND_MENTION = "feedback.member.mentioned"


class FeedbackError(Refusal):
    """A refused feedback action, with a message fit for the person who asked."""


# --- Reviews -----------------------------------------------------------------------------------
def _count_in_aggregates(product_id: int, rating: int, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) one published review of ``rating`` stars."""
    Product.objects.filter(pk=product_id).update(
        review_count=F("review_count") + sign,
        rating_sum=F("rating_sum") + sign * rating,
        **{f"stars_{rating}": F(f"stars_{rating}") + sign},
    )


def _notify_mentions(text: str, *, by, target, heading: str, url: str, comment=False) -> set[int]:
    """Tell the members ``text`` mentions, each once per review, idea or comment (an edit or
    an approval tells only those not told before); the ids of those mentioned."""
    members = [m for m in mentioned_members(text) if m.pk != by.pk]
    if not members:
        return set()
    told = already_told([m.pk for m in members], KIND_MENTION, target)
    # The forum's words (and translations): "in “title”", or "in a comment on “title”".
    names = {"name": by.public_name, "title": heading, "topic": heading}
    notify(
        [m for m in members if m.pk not in told],
        KIND_MENTION,
        text=lambda: (
            (
                _("%(name)s mentioned you in a comment on “%(title)s”")
                if comment
                else _("%(name)s mentioned you in “%(topic)s”")
            )
            % names
        ),
        actor=by,
        target=target,
        url=url,
    )
    return {m.pk for m in members}


def _review_mentions(review: Review) -> None:
    _notify_mentions(
        review.body,
        by=review.author,
        target=review,
        heading=review.title,
        url=review.get_absolute_url(),
    )


def _is_verified_customer(user, product=None) -> bool:
    """Whether the brand knows ``user`` bought from it: their address is on the imported list,
    or a shop order of theirs carried ``product``'s SKU."""
    if (
        product is not None
        and VerifiedPurchase.objects.filter(member=user, product=product).exists()
    ):
        return True
    return bool(user.email) and VerifiedCustomer.objects.filter(email=user.email.lower()).exists()


def invitation_token(user, product) -> str:
    """A signed token for a link inviting ``user`` to review ``product``."""
    return signing.dumps({"u": user.pk, "p": product.pk}, salt=INVITATION_SALT)


def invitation_is_valid(token: str, user, product) -> bool:
    if not token:
        return False
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return False
    return data == {"u": user.pk, "p": product.pk}


@_shown_to_readers
def submit_review(
    product: Product, *, by, rating: int, title: str, body: str, photos=(), invited=False
) -> Review:
    """Write ``by``'s review of ``product``, or edit the one they wrote (one each).

    Post-moderated products publish at once; pre-moderated ones wait for a moderator, and so
    does an edit of a review a moderator hid or rejected, and every edit after it until a
    moderator approves it (on a post-moderated product a review is only ever pending because a
    moderator took it down, so editing it again must not publish it).
    """
    if not 1 <= int(rating) <= 5:
        raise FeedbackError(_("Choose a rating from 1 to 5 stars."))
    if not body.strip() or not title.strip():
        raise FeedbackError(_("Give your review a title and some text."))
    check_rate(by, REVIEW_LIMIT)
    now = timezone.now()
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(product=product, author=by).first()
        if review is None:
            verified = _is_verified_customer(by, product)
            collected = (
                Review.INVITED if invited else Review.VERIFIED if verified else Review.ORGANIC
            )
            review = Review(product=product, author=by, verified=verified, collected=collected)
            was_published, old_rating = False, None
        else:
            was_published, old_rating = review.is_published, review.rating
            if invited and review.collected == Review.ORGANIC:
                review.collected = Review.INVITED
        needs_approval = product.moderation == Product.PRE_MODERATION or review.status in (
            Review.HIDDEN,
            Review.REJECTED,
            Review.PENDING,
        )
        review.rating, review.title, review.body = int(rating), title.strip(), body.strip()
        review.status = Review.PENDING if needs_approval else Review.PUBLISHED
        review.updated = now
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:
            # The same member's first review arrived twice at once: this one becomes the edit.
            return submit_review(
                product,
                by=by,
                rating=rating,
                title=title,
                body=body,
                photos=photos,
                invited=invited,
            )
        if was_published:
            _count_in_aggregates(product.pk, old_rating, -1)
        if review.is_published:
            _count_in_aggregates(product.pk, review.rating, 1)
        room = MAX_PHOTOS - review.photos.count()
        for upload in list(photos)[: max(0, room)]:
            stored = reencode(upload, fit=settings.FEEDBACK_PHOTO_STORED_SIDE)
            photo = ReviewPhoto(review=review, width=stored.width, height=stored.height)
            photo.image.save(stored.content.name, stored.content, save=False)
            photo.save()
        if review.is_published:
            award(by, "feedback.review.published", source=review)
            if not was_published:
                _review_published(review)
            _review_mentions(review)
    return review


@_shown_to_readers
def delete_review_photo(photo: ReviewPhoto, *, by) -> None:
    if photo.review.author_id != by.pk:
        raise FeedbackError(_("You can only remove photos from your own review."))
    photo.image.delete(save=False)
    photo.delete()


@_shown_to_readers
def mark_helpful(review: Review, *, by) -> bool:
    """One helpful vote from ``by``; False when they had already voted (nothing changes)."""
    if review.author_id == by.pk:
        raise FeedbackError(_("You cannot vote for your own review."))
    if not review.is_published:
        raise FeedbackError(_("This review is not published."))
    check_rate(by, VOTE_LIMIT)
    with transaction.atomic():
        try:
            with transaction.atomic():
                vote = HelpfulVote.objects.create(review=review, user=by)
        except IntegrityError:
            return False
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
        award(review.author, "feedback.review.helpful", source=vote)
    return True


def report(target: Review | Idea, *, by, reason: str) -> bool:
    """Send a review or an idea to the moderation queue; a member reports each once (False when
    they already had)."""
    if not reason.strip():
        if isinstance(target, Review):
            raise FeedbackError(_("Say what is wrong with this review."))
        raise FeedbackError(_("Say what is wrong with this idea."))
    check_rate(by, REPORT_LIMIT)
    with transaction.atomic():
        try:
            with transaction.atomic():
                target.reports.create(reporter=by, reason=reason.strip())
        except IntegrityError:
            return False
        type(target).objects.filter(pk=target.pk).update(report_count=F("report_count") + 1)
    return True


def _locked_review(review: Review) -> Review:
    return Review.objects.select_for_update().select_related("product", "author").get(pk=review.pk)


def _resolve_review_reports(review: Review) -> None:
    ReviewReport.objects.filter(review=review, resolved=False).update(resolved=True)
    Review.objects.filter(pk=review.pk).update(report_count=0)


@_shown_to_readers
def approve_review(review: Review, *, by) -> Review:
    """Publish a review that was waiting (or restore a hidden one)."""
    with transaction.atomic():
        review = _locked_review(review)
        if review.is_published:
            raise FeedbackError(_("This review is already published."))
        review.status = Review.PUBLISHED
        review.moderation_note = ""
        review.save(update_fields=["status", "moderation_note"])
        _count_in_aggregates(review.product_id, review.rating, 1)
        _resolve_review_reports(review)
        log(instance=review, action="feedback.review.approved", user=by)
        award(review.author, "feedback.review.published", source=review)
        _review_published(review)
        _review_mentions(review)
        notify(
            review.author,
            "feedback.review.approved",
            text=lambda: (
                _("Your review of %(product)s is published. Thank you!")
                % {"product": review.product.name}
            ),
            actor=by,
            target=review,
            url=review.get_absolute_url(),
        )
    return review


def _take_down_review(review: Review, status: str, *, by, reason: str, action: str) -> Review:
    with transaction.atomic():
        review = _locked_review(review)
        if review.is_published:
            _count_in_aggregates(review.product_id, review.rating, -1)
            reverse_points(
                review.author,
                "feedback.review.published",
                source=review,
                reason=reason or _("Review removed by a moderator"),
                by=by,
            )
        review.status = status
        review.moderation_note = reason[:255]
        review.save(update_fields=["status", "moderation_note"])
        _resolve_review_reports(review)
        Testimonial.objects.filter(review=review).update(featured=False)
        log(instance=review, action=action, user=by, data={"reason": reason})
        notify(
            review.author,
            "feedback.review.moderated",
            text=lambda: (
                _("Your review “%(title)s” of %(product)s was not published: %(reason)s")
                % {
                    "title": review.title,
                    "product": review.product.name,
                    "reason": reason or _("it does not follow the community guidelines"),
                }
            ),
            actor=by,
            target=review,
            url=review.product.get_absolute_url(),
        )
    return review


@_shown_to_readers
def reject_review(review: Review, *, by, reason: str = "") -> Review:
    return _take_down_review(
        review, Review.REJECTED, by=by, reason=reason, action="feedback.review.rejected"
    )


@_shown_to_readers
def hide_review(review: Review, *, by, reason: str = "") -> Review:
    return _take_down_review(
        review, Review.HIDDEN, by=by, reason=reason, action="feedback.review.hidden"
    )


def dismiss_review_reports(review: Review, *, by) -> Review:
    with transaction.atomic():
        review = _locked_review(review)
        _resolve_review_reports(review)
        log(instance=review, action="feedback.review.reports_dismissed", user=by)
    review.report_count = 0
    return review


@_shown_to_readers
def reply_to_review(review: Review, *, text: str, by) -> Review:
    """Post (or change) the brand's public reply; the reviewer hears about it."""
    text = text.strip()
    if not text:
        raise FeedbackError(_("Write the reply first."))
    with transaction.atomic():
        review = _locked_review(review)
        first = not review.reply
        review.reply, review.replied_by, review.replied_at = text, by, timezone.now()
        review.save(update_fields=["reply", "replied_by", "replied_at"])
        log(instance=review, action="feedback.review.replied", user=by, data={"reply": text})
        if first:
            notify(
                review.author,
                "feedback.review.replied",
                text=lambda: (
                    _("The team replied to your review of %(product)s.")
                    % {"product": review.product.name}
                ),
                actor=by,
                target=review,
                url=review.get_absolute_url(),
            )
    return review


@_shown_to_readers
def set_review_verified(review: Review, *, verified: bool, by) -> Review:
    """The brand confirms (or withdraws) that the reviewer is a verified customer."""
    with transaction.atomic():
        review = _locked_review(review)
        review.verified = verified
        if verified and review.collected == Review.ORGANIC:
            review.collected = Review.VERIFIED
        elif not verified and review.collected == Review.VERIFIED:
            review.collected = Review.ORGANIC
        review.save(update_fields=["verified", "collected"])
        log(
            instance=review,
            action="feedback.review.verified" if verified else "feedback.review.unverified",
            user=by,
        )
    return review


def import_verified_customers(data: str, *, by) -> dict:
    """Read a CSV of customer e-mail addresses (an ``email`` column, optionally ``product`` with a
    product slug); mark their reviews verified, and invite members who bought a product they have
    not reviewed yet. Returns what happened, for the editor."""
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    rows = [row for row in reader if row and any(cell.strip() for cell in row)]
    if rows and rows[0] and rows[0][0].strip().lower() in ("email", "e-mail", "e-mail address"):
        rows = rows[1:]
    products = {p.slug: p for p in Product.objects.all().only("pk", "slug", "name")}
    wanted: dict[str, Product | None] = {}
    invalid = []
    for number, row in enumerate(rows, start=1):
        email = row[0].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            invalid.append(number)
            continue
        slug = row[1].strip() if len(row) > 1 else ""
        wanted[email] = products.get(slug)
    existing = set(
        VerifiedCustomer.objects.filter(email__in=list(wanted)).values_list("email", flat=True)
    )
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        VerifiedCustomer.objects.bulk_create(
            [
                VerifiedCustomer(email=email, product=product, imported_by=by)
                for email, product in wanted.items()
                if email not in existing
            ],
            ignore_conflicts=True,
        )
        members = list(
            get_user_model()
            .objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(wanted))
        )
        member_ids = [m.pk for m in members]
        reviews = Review.objects.filter(author_id__in=member_ids, verified=False)
        verified = reviews.count()
        reviews.filter(collected=Review.ORGANIC).update(verified=True, collected=Review.VERIFIED)
        reviews.update(verified=True)
        reviewed = set(
            Review.objects.filter(author_id__in=member_ids).values_list("author_id", "product_id")
        )
        invited = 0
        for member in members:
            product = wanted.get(member.email.lower())
            if product is None or (member.pk, product.pk) in reviewed:
                continue
            url = reverse("feedback:write_review", kwargs={"slug": product.slug})
            notify(
                member,
                "feedback.review.invited",
                text=lambda product=product: (
                    _("Thank you for buying %(product)s. How is it? Tell others in a review.")
                    % {"product": product.name}
                ),
                url=f"{url}?invitation={invitation_token(member, product)}",
            )
            invited += 1
    return {
        "added": len(set(wanted) - existing),
        "known": len(existing),
        "reviews_verified": verified,
        "invited": invited,
        "invalid_rows": invalid,
    }


# --- Testimonials ------------------------------------------------------------------------------
def _thank_when_first_featured(testimonial: Testimonial) -> None:
    if not testimonial.featured or testimonial.featured_at is not None:
        return
    testimonial.featured_at = timezone.now()
    Testimonial.objects.filter(pk=testimonial.pk).update(featured_at=testimonial.featured_at)
    if testimonial.member_id is None:
        return
    notify(
        testimonial.member,
        "feedback.testimonial.featured",
        text=lambda: _("Your words are featured on our home page. Thank you!"),
        target=testimonial,
        url=reverse("feedback:testimonials"),
    )
    award(testimonial.member, "feedback.testimonial.featured", source=testimonial)


def _testimonial_quote(body: str) -> str:
    """The review's own Markdown (line breaks, lists and emphasis kept) when it fits a card;
    a longer one is shortened to plain text."""
    if len(body) <= TESTIMONIAL_QUOTE_LENGTH:
        return body.strip()
    return plain_text(body, limit=TESTIMONIAL_QUOTE_LENGTH)


@_shown_to_readers
def feature_review(review: Review, *, by) -> Testimonial:
    """Promote a published review to a featured testimonial (again: feature it once more)."""
    if not review.is_published:
        raise FeedbackError(_("Only a published review can become a testimonial."))
    with transaction.atomic():
        testimonial, created = Testimonial.objects.get_or_create(
            review=review,
            defaults={
                "member": review.author,
                "quote": _testimonial_quote(review.body),
                "customer_name": review.author.public_name,
                "product": review.product,
                "rating": review.rating,
                "featured": True,
                "created_by": by,
            },
        )
        if not created and not testimonial.featured:
            testimonial.featured = True
            testimonial.save(update_fields=["featured"])
        log(instance=testimonial, action="wagtail.create" if created else "wagtail.edit", user=by)
        _thank_when_first_featured(testimonial)
    return testimonial


@_shown_to_readers
def testimonial_saved(testimonial: Testimonial) -> Testimonial:
    """After an editor saves a testimonial in the admin: thank the member the first time it is
    featured (the consent rule is the model's clean())."""
    with transaction.atomic():
        _thank_when_first_featured(testimonial)
    return testimonial


@_shown_to_readers
def set_testimonial_featured(testimonial: Testimonial, *, featured: bool, by) -> bool:
    """Put a testimonial on the wall or take it off (the admin's bulk action); the member is
    thanked the first time (a quote without a review has the customer's consent: a database
    constraint). False when it already was."""
    with transaction.atomic():
        testimonial = Testimonial.objects.select_for_update().get(pk=testimonial.pk)
        if testimonial.featured == featured:
            return False
        testimonial.featured = featured
        testimonial.save(update_fields=["featured"])
        log(instance=testimonial, action="wagtail.edit", user=by, data={"featured": featured})
        _thank_when_first_featured(testimonial)
    return True


# --- Ideas -------------------------------------------------------------------------------------
TRENDING_EPOCH = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
TRENDING_HALF_LIFE = 45_000  # seconds of age worth one order of magnitude of votes (12.5 hours)


def trending_score(votes: int, created) -> float:
    """Reddit's "hot": log10 of the votes plus the posting time, so new ideas with a few votes
    rise above old ones with many, and it can be stored and indexed."""
    return round(
        math.log10(max(votes, 1)) + (created.timestamp() - TRENDING_EPOCH) / TRENDING_HALF_LIFE, 7
    )


@_shown_to_readers
def post_idea(*, by, title: str, description: str, category=None) -> Idea:
    """Post an idea; its author's vote is counted."""
    if not title.strip() or not description.strip():
        raise FeedbackError(_("Give your idea a title and a description."))
    check_rate(by, IDEA_LIMIT)
    with transaction.atomic():
        now = timezone.now()
        idea = Idea.objects.create(
            title=title.strip(),
            description=description.strip(),
            category=category,
            author=by,
            vote_count=1,
            created=now,
            trending=trending_score(1, now),
        )
        IdeaVote.objects.create(idea=idea, user=by)
        award(by, "feedback.idea.posted", source=idea)
        _notify_mentions(
            idea.description,
            by=by,
            target=idea,
            heading=idea.title,
            url=idea.get_absolute_url(),
        )
    return idea


def _locked_idea(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea.pk)


def _refresh_votes(idea: Idea, delta: int) -> None:
    idea.vote_count += delta
    idea.trending = trending_score(idea.vote_count, idea.created)
    Idea.objects.filter(pk=idea.pk).update(
        vote_count=F("vote_count") + delta, trending=idea.trending
    )


@_shown_to_readers
def vote_idea(idea: Idea, *, by) -> bool:
    """One vote from ``by``; False when they had voted already (nothing changes)."""
    check_rate(by, VOTE_LIMIT)
    with transaction.atomic():
        idea = _locked_idea(idea)  # votes on one idea queue here, so the trending score is exact
        if idea.hidden or idea.status in (Idea.MERGED, Idea.SHIPPED, Idea.DECLINED):
            raise FeedbackError(_("This idea is closed for voting."))
        try:
            with transaction.atomic():
                IdeaVote.objects.create(idea=idea, user=by)
        except IntegrityError:
            return False
        _refresh_votes(idea, 1)
    return True


@_shown_to_readers
def withdraw_vote(idea: Idea, *, by) -> bool:
    with transaction.atomic():
        idea = _locked_idea(idea)
        if idea.status == Idea.MERGED:
            raise FeedbackError(_("This idea was merged; your vote moved with it."))
        deleted, _rows = IdeaVote.objects.filter(idea=idea, user=by).delete()
        if not deleted:
            return False
        _refresh_votes(idea, -1)
    return True


@_shown_to_readers
def comment_on_idea(idea: Idea, *, by, body: str) -> IdeaComment:
    if not body.strip():
        raise FeedbackError(_("Write a comment first."))
    if idea.hidden or idea.status == Idea.MERGED:
        raise FeedbackError(_("This idea is closed for comments."))
    check_rate(by, COMMENT_LIMIT)
    with transaction.atomic():
        comment = IdeaComment.objects.create(idea=idea, author=by, body=body.strip())
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        url = f"{idea.get_absolute_url()}#comment-{comment.pk}"
        mentioned = _notify_mentions(
            comment.body, by=by, target=comment, heading=idea.title, url=url, comment=True
        )
        # A mentioned author is told once, by the mention.
        notify(
            [] if idea.author_id in mentioned else idea.author,
            "feedback.idea.commented",
            text=lambda: (
                _("%(member)s commented on your idea “%(idea)s”.")
                % {"member": by.public_name, "idea": idea.title}
            ),
            actor=by,
            target=idea,
            url=url,
        )
    return comment


def _voter_ids(idea: Idea) -> list[int]:
    return list(IdeaVote.objects.filter(idea=idea).values_list("user_id", flat=True))


@_shown_to_readers
def set_idea_status(idea: Idea, *, status: str, note: str = "", by) -> Idea:
    """Editors move an idea along; its author and every voter are told, with the public note.
    Shipping it rewards the author and every voter (once each, whatever happens later)."""
    if status not in dict(Idea.STATUS_CHOICES) or status == Idea.MERGED:
        raise FeedbackError(_("Choose a status."))
    with transaction.atomic():
        idea = Idea.objects.select_for_update().select_related("author").get(pk=idea.pk)
        if idea.status == Idea.MERGED:
            raise FeedbackError(_("This idea was merged into another one."))
        if idea.status == status and idea.status_note == note.strip():
            return idea
        changed, previous = idea.status != status, idea.status
        idea.status, idea.status_note = status, note.strip()
        idea.status_changed_at = timezone.now()
        idea.save(update_fields=["status", "status_note", "status_changed_at"])
        IdeaStatusChange.objects.create(
            idea=idea, status=status, note=idea.status_note, changed_by=by
        )
        log(
            instance=idea,
            action="feedback.idea.status_changed",
            user=by,
            data={"status": status, "note": idea.status_note},
        )
        if changed:
            _idea_status_changed(idea, previous=previous, note=idea.status_note)
            voters = _voter_ids(idea)

            def text():  # in each recipient's language
                return (
                    _("You asked, we did: “%(idea)s” has shipped.")
                    if status == Idea.SHIPPED
                    else _("“%(idea)s” is now %(status)s.")
                ) % {"idea": idea.title, "status": idea.get_status_display()}

            notify(
                [idea.author_id, *voters],
                "feedback.idea.status_changed",
                text=text,
                actor=by,
                target=idea,
                url=idea.get_absolute_url(),
            )
            if status == Idea.SHIPPED:
                from django.contrib.auth import get_user_model

                people = get_user_model().objects.filter(pk__in={idea.author_id, *voters})
                for person in people:
                    award(person, "feedback.idea.shipped", source=idea)
    return idea


@_shown_to_readers
def merge_ideas(duplicate: Idea, *, into: Idea, by) -> Idea:
    """Fold ``duplicate`` into ``into``: its votes move over, a member who voted for both counts
    once, and the duplicate's page points to the surviving idea."""
    if duplicate.pk == into.pk:
        raise FeedbackError(_("An idea cannot be merged into itself."))
    with transaction.atomic():
        # Lock both in id order, so two merges of the same pair never deadlock.
        locked = {
            i.pk: i
            for i in Idea.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, into.pk])
            .order_by("pk")
        }
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        if duplicate.status == Idea.MERGED:
            raise FeedbackError(_("That idea was merged already."))
        if into.status == Idea.MERGED:
            raise FeedbackError(_("Merge into the idea that survives, not into a merged one."))
        moving_voters = _voter_ids(duplicate)
        already = IdeaVote.objects.filter(idea=into).values("user_id")
        IdeaVote.objects.filter(idea=duplicate).exclude(user_id__in=already).update(idea=into)
        IdeaVote.objects.filter(idea=duplicate).delete()  # those members had voted for both
        into.vote_count = IdeaVote.objects.filter(idea=into).count()
        into.trending = trending_score(into.vote_count, into.created)
        into.save(update_fields=["vote_count", "trending"])
        previous = duplicate.status
        duplicate.status, duplicate.merged_into, duplicate.vote_count = Idea.MERGED, into, 0
        duplicate.status_changed_at = timezone.now()
        duplicate.save(update_fields=["status", "merged_into", "vote_count", "status_changed_at"])
        IdeaStatusChange.objects.create(
            idea=duplicate,
            status=Idea.MERGED,
            note=_("Merged into “%(idea)s”.") % {"idea": into.title},
            changed_by=by,
        )
        log(instance=duplicate, action="feedback.idea.merged", user=by, data={"into": into.pk})
        _idea_status_changed(duplicate, previous=previous, note="", merged_into=into)
        notify(
            [duplicate.author_id, *moving_voters],
            "feedback.idea.status_changed",
            text=lambda: (
                _("“%(duplicate)s” was merged into “%(idea)s”; your vote counts there.")
                % {"duplicate": duplicate.title, "idea": into.title}
            ),
            actor=by,
            target=into,
            url=into.get_absolute_url(),
        )
    return into


def _resolve_idea_reports(idea: Idea) -> None:
    IdeaReport.objects.filter(idea=idea, resolved=False).update(resolved=True)
    Idea.objects.filter(pk=idea.pk).update(report_count=0)


@_shown_to_readers
def hide_idea(idea: Idea, *, by, reason: str = "") -> Idea:
    with transaction.atomic():
        idea = _locked_idea(idea)
        idea.hidden = True
        idea.save(update_fields=["hidden"])
        _resolve_idea_reports(idea)
        reverse_points(
            idea.author,
            "feedback.idea.posted",
            source=idea,
            reason=reason or _("Idea removed by a moderator"),
            by=by,
        )
        log(instance=idea, action="feedback.idea.hidden", user=by, data={"reason": reason})
    return idea


@_shown_to_readers
def restore_idea(idea: Idea, *, by) -> Idea:
    with transaction.atomic():
        idea = _locked_idea(idea)
        idea.hidden = False
        idea.save(update_fields=["hidden"])
        log(instance=idea, action="feedback.idea.restored", user=by)
    return idea


def dismiss_idea_reports(idea: Idea, *, by) -> Idea:
    with transaction.atomic():
        _resolve_idea_reports(idea)
        log(instance=idea, action="feedback.idea.reports_dismissed", user=by)
    return idea


# --- Surveys -----------------------------------------------------------------------------------
def answer_survey(survey: Survey, *, by, score: int, comment: str = "") -> SurveyResponse:
    """A member's one answer to an open survey."""
    if not survey.is_open():
        raise FeedbackError(_("This survey is closed."))
    if not 0 <= int(score) <= 10:
        raise FeedbackError(_("Choose a score from 0 to 10."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    survey=survey, user=by, score=int(score), comment=comment.strip()
                )
        except IntegrityError:
            raise FeedbackError(_("You have answered this survey already. Thank you!")) from None
        award(by, "feedback.survey.answered", source=response)
    return response
