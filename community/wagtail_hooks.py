"""Plug the forum's admin (viewsets.py) into Wagtail: the "Community" menu, the review pages,
and how its history entries read."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .viewsets import CommunityGroup, admin_urls


@hooks.register("register_admin_urls")
def register_review_urls():
    return admin_urls()


@hooks.register("register_admin_viewset")
def register_community():
    return CommunityGroup()


LOG_ACTIONS = {
    "community.post.hidden": gettext_lazy("Hide post"),
    "community.post.restored": gettext_lazy("Restore post"),
    "community.post.edited": gettext_lazy("Edit post as moderator"),
    "community.post.deleted": gettext_lazy("Delete post as moderator"),
    "community.flags.dismissed": gettext_lazy("Dismiss flags"),
    "community.topic.locked": gettext_lazy("Lock topic"),
    "community.topic.unlocked": gettext_lazy("Unlock topic"),
    "community.topic.pinned": gettext_lazy("Pin topic"),
    "community.topic.unpinned": gettext_lazy("Unpin topic"),
    "community.topic.moved": gettext_lazy("Move topic"),
    "community.topic.merged": gettext_lazy("Merge topics"),
    "community.answer.accepted": gettext_lazy("Accept answer as moderator"),
    "community.member.suspended": gettext_lazy("Suspend member"),
    "community.member.unsuspended": gettext_lazy("Lift suspension"),
    "community.comment.hidden": gettext_lazy("Hide comment"),
    "community.comment.restored": gettext_lazy("Restore comment"),
}


@hooks.register("register_log_actions")
def register_community_log_actions(actions):
    for code, label in LOG_ACTIONS.items():

        class Formatter(LogFormatter):
            def format_message(self, log_entry, _label=label):
                reason = (log_entry.data or {}).get("reason") or _("no reason given")
                return _("%(action)s: %(reason)s") % {"action": _label, "reason": reason}

        Formatter.label = label
        actions.register_action(code)(Formatter)
