"""Feedback: products, reviews and ratings, testimonials, the ideas board and NPS surveys."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        from hub.dashboard import register_dashboard_panel
        from hub.navigation import register_nav_item
        from hub.notifications.kinds import INAPP, register_kind
        from hub.rewards.actions import register_action
        from hub.sitesearch import register_source
        from hub.webhooks.types import register_event_type

        from . import moderation, queries, services

        register_action("feedback.review.published", _("Published a review"), default_points=20)
        register_action(
            "feedback.review.helpful", _("Someone found your review helpful"), default_points=2
        )
        register_action(
            "feedback.testimonial.featured", _("Featured as a testimonial"), default_points=50
        )
        register_action("feedback.idea.posted", _("Posted an idea"), default_points=10)
        register_action(
            "feedback.idea.shipped", _("An idea you posted or voted for shipped"), default_points=25
        )
        register_action("feedback.survey.answered", _("Answered a survey"), default_points=5)

        register_kind("feedback.review.replied", _("The team replied to your review"))
        register_kind(
            "feedback.review.moderated", _("Your review was not published"), default_channel=INAPP
        )
        register_kind("feedback.review.approved", _("Your review was approved"))
        register_kind("feedback.review.invited", _("Invitations to review what you bought"))
        register_kind("feedback.testimonial.featured", _("Your words featured as a testimonial"))
        register_kind("feedback.idea.status_changed", _("News on ideas you posted or voted for"))
        register_kind("feedback.idea.commented", _("Comments on your ideas"))
        register_kind(services.KIND_MENTION, _("Mentions of you in reviews and ideas"))

        register_event_type("review.published", _("A review was published"))
        register_event_type("idea.status_changed", _("An idea changed status (or was merged)"))

        register_nav_item("products", _("Products"), "feedback:products", order=30)
        register_nav_item("ideas", _("Ideas"), "feedback:ideas", order=40)
        for kind, label, results, hits, order in (
            ("products", _("Products"), queries.search_products, queries.product_hits, 50),
            ("reviews", _("Reviews"), queries.search_reviews, queries.review_hits, 60),
            ("ideas", _("Ideas"), queries.search_ideas, queries.idea_hits, 70),
        ):
            register_source(kind, label, results=results, hits=hits, order=order)
        moderation.register()
        from hub.shop.handlers import register_order_handler

        from .purchases import record_purchase

        # Verified buyers and review invitations from the shop's orders.
        register_order_handler("feedback.verified_buyer", record_purchase)
        register_dashboard_panel(
            "feedback.nps",
            _("NPS trend"),
            template="feedback/admin/dashboard_nps.html",
            context=queries.nps_dashboard,
            permission="feedback.view_survey",
            order=40,
        )
