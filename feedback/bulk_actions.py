"""Bulk actions on the Feedback listings: approve, hide or reject several reviews (the review
queue and the reviews listing), move several ideas to a status, put testimonials on the wall or
take them off. Each calls feedback.services
per item, so aggregates, points, notifications and history follow as for one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.adminkit import ReasonForm, ServiceBulkAction

from . import services
from .models import Idea, Review, Testimonial


class ReviewBulkAction(ServiceBulkAction):
    models = [Review]
    permission = "feedback.change_review"

    @classmethod
    def base_queryset(cls, model):
        return model._default_manager.select_related("product", "author")


class ApproveReviews(ReviewBulkAction):
    display_name = _("Approve")
    action_type = "approve"
    aria_label = _("Approve and publish the selected reviews")
    confirm_text = _(
        "These reviews are published (their reports resolved), their authors get their points "
        "and are told. Reviews already published are left as they are."
    )
    action_priority = 10

    def apply(self, review) -> bool:
        if review.is_published:
            return False
        services.approve_review(review, by=self.request.user)
        return True


class TakeDownReviews(ReviewBulkAction):
    form_class = ReasonForm
    button_class = "serious"
    take_down = None
    status = ""

    def apply(self, review) -> bool:
        if review.status == self.status:
            return False
        reason = self.cleaned_form.cleaned_data["reason"]
        self.take_down(review, by=self.request.user, reason=reason)
        return True


class HideReviews(TakeDownReviews):
    display_name = _("Hide")
    action_type = "hide"
    aria_label = _("Hide the selected reviews")
    confirm_text = _(
        "These reviews leave the product pages; their points are taken back and their authors "
        "are told why."
    )
    action_priority = 20
    take_down = staticmethod(services.hide_review)
    status = Review.HIDDEN


class RejectReviews(TakeDownReviews):
    display_name = _("Reject")
    action_type = "reject"
    aria_label = _("Reject the selected reviews")
    confirm_text = _("These reviews are not published; their authors are told why.")
    action_priority = 30
    take_down = staticmethod(services.reject_review)
    status = Review.REJECTED


class IdeaStatusBulkForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in Idea.STATUS_CHOICES if c[0] != Idea.MERGED]
    )
    note = forms.CharField(
        label=_("Public note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Shown on each idea and sent to its author and every voter."),
    )


class SetIdeaStatus(ServiceBulkAction):
    display_name = _("Set status")
    action_type = "set-status"
    aria_label = _("Set the status of the selected ideas")
    confirm_text = _(
        "Each idea moves to the status you choose, with the note; its author and voters are "
        "told, and shipping an idea rewards them. Merged ideas are left as they are."
    )
    button_text = _("Set status")
    action_priority = 10
    models = [Idea]
    permission = "feedback.change_idea"
    form_class = IdeaStatusBulkForm

    @classmethod
    def base_queryset(cls, model):
        return model._default_manager.select_related("author")

    def apply(self, idea) -> bool:
        data = self.cleaned_form.cleaned_data
        if idea.status == data["status"] and idea.status_note == data["note"].strip():
            return False
        services.set_idea_status(
            idea, status=data["status"], note=data["note"], by=self.request.user
        )
        return True


class TestimonialBulkAction(ServiceBulkAction):
    models = [Testimonial]
    permission = "feedback.change_testimonial"
    featured = True

    @classmethod
    def base_queryset(cls, model):
        return model._default_manager.select_related("member")

    def apply(self, testimonial) -> bool:
        return services.set_testimonial_featured(
            testimonial, featured=self.featured, by=self.request.user
        )


class FeatureTestimonials(TestimonialBulkAction):
    display_name = _("Feature")
    action_type = "feature"
    aria_label = _("Feature the selected testimonials on the wall")
    confirm_text = _(
        "These quotes appear on the testimonials wall and the home page; members quoted for the "
        "first time are thanked."
    )
    action_priority = 10


class UnfeatureTestimonials(TestimonialBulkAction):
    display_name = _("Stop featuring")
    action_type = "unfeature"
    aria_label = _("Take the selected testimonials off the wall")
    confirm_text = _("These quotes leave the testimonials wall and the home page.")
    action_priority = 20
    featured = False


# Registered by wagtail_hooks.py, in this order.
ACTIONS = [
    ApproveReviews,
    HideReviews,
    RejectReviews,
    SetIdeaStatus,
    FeatureTestimonials,
    UnfeatureTestimonials,
]
