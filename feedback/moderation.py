"""What the feedback app puts in the one moderation queue: reported reviews, reviews waiting
for pre-moderation, and reported ideas. Registered from FeedbackConfig.ready()."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.markup import plain_text
from hub.moderation import ModerationAction, ModerationItem, register_moderation_source

from . import queries, services
from .models import Idea, Review

EXCERPT = 240


def _actions(*codes) -> list[ModerationAction]:
    catalogue = {
        "approve": ModerationAction("approve", _("Approve")),
        "reject": ModerationAction("reject", _("Reject"), destructive=True, needs_reason=True),
        "hide": ModerationAction("hide", _("Hide"), destructive=True, needs_reason=True),
        "dismiss": ModerationAction("dismiss", _("Dismiss reports")),
    }
    return [catalogue[code] for code in codes]


def _review_items(reviews, source: str, reason_for, actions) -> list[ModerationItem]:
    reviews = list(reviews.select_related("author", "product"))
    reasons = queries.review_report_reasons([r.pk for r in reviews])
    return [
        ModerationItem(
            source=source,
            pk=review.pk,
            kind=_("Review"),
            title=f"{review.title} ({review.rating}★, {review.product.name})",
            excerpt=plain_text(review.body, limit=EXCERPT),
            author=review.author,
            reason=reason_for(review, reasons.get(review.pk, [])),
            waiting_since=review.updated,
            reports=review.report_count,
            url=review.get_absolute_url(),
            admin_url=reverse("feedback_reviews:edit", args=[review.pk]),
            actions=actions,
        )
        for review in reviews
    ]


def reported_review_items(limit: int) -> list[ModerationItem]:
    return _review_items(
        queries.reported_reviews().order_by("updated")[:limit],
        "feedback.review.reported",
        lambda review, reasons: "; ".join(reasons),
        _actions("dismiss", "hide"),
    )


def pending_review_items(limit: int) -> list[ModerationItem]:
    return _review_items(
        queries.pending_reviews().order_by("updated")[:limit],
        "feedback.review.pending",
        lambda review, reasons: _("Waiting for approval (pre-moderated product)"),
        _actions("approve", "reject"),
    )


def reported_idea_items(limit: int) -> list[ModerationItem]:
    ideas = list(queries.reported_ideas().select_related("author").order_by("created")[:limit])
    reasons = queries.idea_report_reasons([i.pk for i in ideas])
    return [
        ModerationItem(
            source="feedback.idea.reported",
            pk=idea.pk,
            kind=_("Idea"),
            title=idea.title,
            excerpt=plain_text(idea.description, limit=EXCERPT),
            author=idea.author,
            reason="; ".join(reasons.get(idea.pk, [])),
            waiting_since=idea.created,
            reports=idea.report_count,
            url=idea.get_absolute_url(),
            admin_url=reverse("feedback_ideas:edit", args=[idea.pk]),
            actions=_actions("dismiss", "hide"),
        )
        for idea in ideas
    ]


def act_on_review(pk: int, action: str, *, by, reason: str = "") -> str:
    if not by.has_perm("feedback.change_review"):
        raise PermissionDenied
    review = Review.objects.get(pk=pk)
    if action == "approve":
        services.approve_review(review, by=by)
        return _("Review approved and published.")
    if action == "reject":
        services.reject_review(review, by=by, reason=reason)
        return _("Review rejected; the author was told why.")
    if action == "hide":
        services.hide_review(review, by=by, reason=reason)
        return _("Review hidden; the author was told why.")
    if action == "dismiss":
        services.dismiss_review_reports(review, by=by)
        return _("Reports dismissed; the review stays up.")
    raise services.FeedbackError(_("Unknown action."))


def act_on_idea(pk: int, action: str, *, by, reason: str = "") -> str:
    if not by.has_perm("feedback.change_idea"):
        raise PermissionDenied
    idea = Idea.objects.get(pk=pk)
    if action == "hide":
        services.hide_idea(idea, by=by, reason=reason)
        return _("Idea hidden.")
    if action == "dismiss":
        services.dismiss_idea_reports(idea, by=by)
        return _("Reports dismissed; the idea stays up.")
    raise services.FeedbackError(_("Unknown action."))


def register() -> None:
    register_moderation_source(
        "feedback.review.pending",
        gettext_lazy("Reviews waiting for approval"),
        count=lambda: queries.pending_reviews().count(),
        items=pending_review_items,
        act=act_on_review,
        permission="feedback.change_review",
        order=30,
    )
    register_moderation_source(
        "feedback.review.reported",
        gettext_lazy("Reported reviews"),
        count=lambda: queries.reported_reviews().count(),
        items=reported_review_items,
        act=act_on_review,
        permission="feedback.change_review",
        order=31,
    )
    register_moderation_source(
        "feedback.idea.reported",
        gettext_lazy("Reported ideas"),
        count=lambda: queries.reported_ideas().count(),
        items=reported_idea_items,
        act=act_on_idea,
        permission="feedback.change_idea",
        order=32,
    )
