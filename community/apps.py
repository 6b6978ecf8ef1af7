"""Community: forums, topics, posts, reactions and threaded comments on brand stories."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from hub.moderation import ModerationAction, register_moderation_source
        from hub.navigation import register_nav_item
        from hub.notifications.kinds import INAPP, register_kind
        from hub.rewards.actions import register_action
        from hub.sitesearch import register_source

        from . import moderation, queries, services

        register_action(services.TOPIC_CREATED, _("Started a forum topic"), default_points=5)
        register_action(services.POST_CREATED, _("Replied in the forum"), default_points=2)
        register_action(
            services.REACTION_RECEIVED, _("Received a reaction on a forum post"), default_points=1
        )
        register_action(services.ANSWER_ACCEPTED, _("Gave an accepted answer"), default_points=15)
        register_action(services.COMMENT_POSTED, _("Commented on a story"), default_points=2)

        kinds = [
            (services.KIND_REPLY, _("Replies to your forum posts")),
            (services.KIND_WATCHED, _("New replies in topics you watch")),
            (services.KIND_NEW_TOPIC, _("New topics in categories you watch or follow")),
            (services.KIND_MENTION, _("Mentions of you in the forum")),
            (services.KIND_REACTION, _("Reactions to your forum posts")),
            (services.KIND_ANSWER, _("Your answer was accepted")),
            (services.KIND_MODERATED, _("Moderators acting on your posts")),
            (services.KIND_SUSPENDED, _("Your account being made read-only")),
            (services.KIND_COMMENT_REPLY, _("Replies in story conversations you follow")),
        ]
        for code, label in kinds:
            register_kind(code, label, default_channel=INAPP)

        register_nav_item("community", _("Community"), "community:index", order=20)
        register_source(
            "topics",
            _("Forum topics"),
            results=lambda words, viewer, partial=False: queries.search_topics(words, partial),
            hits=queries.topic_hits,
            order=30,
        )
        register_source(
            "posts",
            _("Forum posts"),
            results=lambda words, viewer, partial=False: queries.search_posts(words),
            hits=queries.post_hits,
            order=40,
            suggest=False,  # the topics' titles suggest; posts are found by the full search
        )

        actions = [
            ModerationAction("hide", _("Hide"), destructive=True, needs_reason=True),
            ModerationAction("restore", _("Restore")),
            ModerationAction("dismiss", _("Dismiss flags")),
        ]
        register_moderation_source(
            "community.post",
            _("Forum posts"),
            count=moderation.flagged_post_count,
            items=lambda limit: moderation.flagged_post_items(limit, actions),
            act=services.moderate_flagged_post,
            permission="community.change_post",
            order=10,
        )
        register_moderation_source(
            "community.comment",
            _("Story comments"),
            count=moderation.flagged_comment_count,
            items=lambda limit: moderation.flagged_comment_items(limit, actions),
            act=services.moderate_flagged_comment,
            permission="django_comments_xtd.change_xtdcomment",
            order=15,
        )

        from hub.dashboard import register_dashboard_panel

        from . import queries

        register_dashboard_panel(
            "community.activity",
            _("Community forum"),
            template="community/admin/dashboard.html",
            context=queries.dashboard,
            permission="community.view_category",
            order=30,
        )
