"""Register the Feedback menu group, its extra admin pages, its bulk actions and its history
actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .bulk_actions import ACTIONS
from .viewsets import FeedbackGroup, admin_urls


@hooks.register("register_admin_viewset")
def register_feedback():
    return FeedbackGroup()


@hooks.register("register_admin_urls")
def register_feedback_urls():
    return admin_urls()


for action in ACTIONS:
    hooks.register("register_bulk_action", action)


LOG_ACTIONS = {
    "feedback.review.approved": _("Approve review"),
    "feedback.review.rejected": _("Reject review"),
    "feedback.review.hidden": _("Hide review"),
    "feedback.review.reports_dismissed": _("Dismiss review reports"),
    "feedback.review.replied": _("Reply to review"),
    "feedback.review.verified": _("Mark reviewer verified"),
    "feedback.review.unverified": _("Remove verified mark"),
    "feedback.idea.status_changed": _("Change idea status"),
    "feedback.idea.merged": _("Merge idea"),
    "feedback.idea.hidden": _("Hide idea"),
    "feedback.idea.restored": _("Restore idea"),
    "feedback.idea.reports_dismissed": _("Dismiss idea reports"),
}


@hooks.register("register_log_actions")
def register_feedback_log_actions(actions):
    for code, label in LOG_ACTIONS.items():
        actions.register_action(code, label, label)
